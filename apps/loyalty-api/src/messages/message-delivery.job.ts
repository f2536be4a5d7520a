import { Injectable } from '@nestjs/common';
import { Job, JobContext } from '@loyalty/platform';
import { MessageDeliveryService } from './message-delivery.service';

/** Every minute, one process sends a batch of the queued messages that are due. */
@Injectable()
export class MessageDeliveryJob implements Job {
  readonly name = 'messages-delivery';
  readonly schedule = { everyMinutes: 1 };

  constructor(private readonly delivery: MessageDeliveryService) {}

  async run(_context: JobContext): Promise<void> {
    await this.delivery.deliverDue(new Date());
  }
}
