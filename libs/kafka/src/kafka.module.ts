import { DynamicModule, Module } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { EventProducer } from './event-producer';
import { createKafkaClient } from './kafka-client';
import { KAFKA_OPTIONS, KafkaOptions } from './kafka-options';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';

@Module({})
export class KafkaModule {
  static forRoot(options: KafkaOptions): DynamicModule {
    return {
      global: true,
      module: KafkaModule,
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        { provide: Kafka, useFactory: () => createKafkaClient(options.clientId, options.brokers) },
        EventProducer,
        OutboxRelay,
        Outbox,
      ],
      exports: [Kafka, EventProducer, OutboxRelay, Outbox],
    };
  }
}
