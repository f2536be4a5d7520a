import { Module, OnModuleInit } from '@nestjs/common';
import { JobRunner } from '@loyalty/platform';
import { OfferExpiryJob } from './offer-expiry.job';
import { OfferWithdrawalQueries } from './offer-withdrawals.queries';

/**
 * Offers leave the shoppers' hands: the `offer-expiry` job on the engine's job runner, and the
 * revocation statements the rule copy (a rule ended) and the household copy (consent withdrawn)
 * run in their own transactions.
 */
@Module({
  providers: [OfferExpiryJob, OfferWithdrawalQueries],
  exports: [OfferWithdrawalQueries],
})
export class WithdrawalsModule implements OnModuleInit {
  constructor(
    private readonly runner: JobRunner,
    private readonly job: OfferExpiryJob,
  ) {}

  onModuleInit(): void {
    this.runner.register(this.job);
  }
}
