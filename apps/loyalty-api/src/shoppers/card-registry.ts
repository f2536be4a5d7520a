import {
  CardAlreadyRegisteredError,
  CardErasedError,
  householdIdForCard,
  issueCardNumber,
  erasureHash,
} from '@loyalty/domain';
import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { LoyaltyApiConfig } from '../config';

/** Which card numbers may join a household, and new ones of ours. */
@Injectable()
export class CardRegistry {
  constructor(private readonly config: LoyaltyApiConfig) {}

  /** A card joins a household only if no household holds it and it was never erased. */
  async assertRegistrable(manager: EntityManager, cardNumber: string): Promise<void> {
    const [erased] = await manager.query(
      `SELECT 1 FROM loyalty.erased_cards WHERE card_hash = $1`,
      [erasureHash(this.config.erasureHashKey, cardNumber)],
    );
    if (erased) throw new CardErasedError('This card can no longer be registered', 'cardNumber');
    if (!(await this.isFree(manager, cardNumber)))
      throw new CardAlreadyRegisteredError('This card is registered to a household', 'cardNumber');
  }

  /** A new digital card: our prefix, random digits, a check digit; drawn again if taken. */
  async issue(manager: EntityManager): Promise<string> {
    for (;;) {
      const digits = Array.from({ length: 16 }, () => randomInt(10)).join('');
      const issued = issueCardNumber(this.config.LOYALTY_CARD_PREFIX, digits);
      if (await this.isFree(manager, issued)) return issued;
    }
  }

  // Free: no household holds it, and its own household (which the points ledger opens with its
  // first points) was never enrolled, merged or erased.
  private async isFree(manager: EntityManager, cardNumber: string): Promise<boolean> {
    const rows = await manager.query(
      `SELECT 1 FROM loyalty.cards WHERE card_number = $1
       UNION ALL
       SELECT 1 FROM loyalty.households
        WHERE id = $2 AND (registered OR merged_into IS NOT NULL OR erased_at IS NOT NULL)`,
      [cardNumber, householdIdForCard(cardNumber)],
    );
    return rows.length === 0;
  }
}
