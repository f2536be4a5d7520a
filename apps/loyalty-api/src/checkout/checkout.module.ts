import { Module } from '@nestjs/common';
import { CheckoutOffersQuery } from './checkout-offers.query';
import { CheckoutController } from './checkout.controller';
import { CheckoutService } from './checkout.service';

@Module({ controllers: [CheckoutController], providers: [CheckoutService, CheckoutOffersQuery] })
export class CheckoutModule {}
