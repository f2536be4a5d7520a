import { Module, OnModuleInit } from '@nestjs/common';
import { JobRunner } from '@loyalty/platform';
import { LoyaltyApiConfig } from '../config';
import { DailyMessagesJob } from './daily-messages.job';
import { DailyMessagesService } from './daily-messages.service';
import { MessageDeliveryJob } from './message-delivery.job';
import { MessageDeliveryService } from './message-delivery.service';
import { MESSAGE_SENDER, MessageSender } from './message-sender';
import { PurchaseAnniversariesQuery } from './purchase-anniversaries.query';
import { SmtpMessageSender } from './smtp-message.sender';

@Module({
  providers: [
    DailyMessagesJob,
    DailyMessagesService,
    MessageDeliveryJob,
    MessageDeliveryService,
    PurchaseAnniversariesQuery,
    {
      provide: MESSAGE_SENDER,
      inject: [LoyaltyApiConfig],
      useFactory: (config: LoyaltyApiConfig): MessageSender | null =>
        config.SMTP_URL ? new SmtpMessageSender(config.SMTP_URL, config.SMTP_FROM) : null,
    },
  ],
})
export class MessagesModule implements OnModuleInit {
  constructor(
    private readonly runner: JobRunner,
    private readonly daily: DailyMessagesJob,
    private readonly delivery: MessageDeliveryJob,
  ) {}

  onModuleInit(): void {
    this.runner.register(this.daily);
    this.runner.register(this.delivery);
  }
}
