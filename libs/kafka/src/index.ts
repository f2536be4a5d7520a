export * from './event-consumer';
export * from './event-producer';
export * from './kafka-client';
export * from './kafka-options';
export * from './kafka.module';
export * from './outbox';
export * from './outbox-relay';
