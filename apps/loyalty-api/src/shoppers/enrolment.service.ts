import {
  AlreadyEnrolledError,
  CardAlreadyRegisteredError,
  EmailAlreadyRegisteredError,
  householdIdForCard,
} from '@loyalty/domain';
import { Principal } from '@loyalty/platform';
import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { refusingLostRaces } from './unique-conflicts';
import { AuditEntry } from '../audit/audit-entry.entity';
import { LoyaltyApiConfig } from '../config';
import { PointsLedger } from '../points/points-ledger';
import { CardRegistry } from './card-registry';
import { fieldError } from './field-error';
import { HouseholdChanges } from './household-changes';
import { EnrolmentDto, HouseholdDto } from './household.dto';
import { HouseholdRecordQuery } from './household-record.query';
import { HouseholdViews, Viewer } from './household-views';
import { normalisePhone } from './phone-number';

/** The enrolment as stored: every field normalised, in a fixed order (its hash is the retry key). */
interface Enrolment {
  givenName: string;
  familyName: string;
  email: string;
  phone: string | null;
  birthday: string | null;
  homeStoreId: string | null;
  postcode: string | null;
  preferredLanguage: string | null;
  cardNumber: string | null;
}

function enrolmentHash(enrolment: Enrolment): string {
  return createHash('sha256')
    .update(JSON.stringify(Object.values(enrolment)))
    .digest('hex');
}

/**
 * Enrolment by the shopper (their token's subject becomes the account holder's) or by support.
 * The same enrolment again (also concurrently) answers the household it made.
 */
@Injectable()
export class EnrolmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: LoyaltyApiConfig,
    private readonly records: HouseholdRecordQuery,
    private readonly views: HouseholdViews,
    private readonly changes: HouseholdChanges,
    private readonly cards: CardRegistry,
    private readonly points: PointsLedger,
  ) {}

  enrolSelf(shopper: Principal, dto: EnrolmentDto, now: Date): Promise<HouseholdDto> {
    return this.enrol(shopper, 'shopper', dto, now);
  }

  enrolBySupport(agent: Principal, dto: EnrolmentDto, now: Date): Promise<HouseholdDto> {
    return this.enrol(agent, 'staff', dto, now);
  }

  private async enrol(
    actor: Principal,
    viewer: Viewer,
    dto: EnrolmentDto,
    now: Date,
  ): Promise<HouseholdDto> {
    const phone =
      dto.phone === undefined ? null : normalisePhone(dto.phone, this.config.DEFAULT_PHONE_REGION);
    if (dto.phone !== undefined && phone === null)
      throw fieldError('phone', 'phone must be a valid phone number');
    const enrolment: Enrolment = {
      givenName: dto.givenName,
      familyName: dto.familyName,
      email: dto.email,
      phone,
      birthday: dto.birthday ?? null,
      homeStoreId: dto.homeStoreId ?? null,
      postcode: dto.postcode ?? null,
      preferredLanguage: dto.preferredLanguage ?? null,
      cardNumber: dto.cardNumber ?? null,
    };
    const hash = enrolmentHash(enrolment);
    const subject = viewer === 'shopper' ? actor.subject : null;
    return refusingLostRaces(() =>
      this.dataSource.transaction(async (manager) => {
        // One enrolment per subject and per email at a time: a retry in flight waits for the first.
        if (subject) await this.lock(manager, `enrolment-subject:${subject}`);
        await this.lock(manager, `enrolment-email:${enrolment.email}`);
        const earlier = await this.earlierEnrolment(manager, subject, enrolment.email, hash);
        if (earlier) return this.views.view(manager, earlier, viewer);

        const { householdId, cardNumber, kind } = await this.householdFor(
          manager,
          enrolment.cardNumber,
        );
        // The card's own household may exist already, opened by its first points: it is taken
        // over, unless another enrolment took it first.
        const taken: unknown[] = await manager.query(
          `INSERT INTO loyalty.households (id, registered, enrolled_at, created_at, updated_at)
           VALUES ($1, true, $2, $2, $2)
           ON CONFLICT (id) DO UPDATE SET registered = true, enrolled_at = $2, updated_at = $2
            WHERE NOT households.registered AND households.merged_into IS NULL
              AND households.erased_at IS NULL
           RETURNING id`,
          [householdId, now],
        );
        if (taken.length === 0)
          throw new CardAlreadyRegisteredError(
            'This card is registered to a household',
            'cardNumber',
          );
        const memberId = randomUUID();
        await manager.query(
          `INSERT INTO loyalty.shoppers (id, household_id, account_holder, subject, given_name,
             family_name, email, phone, birthday, home_store_id, postcode, preferred_language,
             enrolment_hash, created_at, updated_at)
           VALUES ($1, $2, true, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
          [
            memberId,
            householdId,
            subject,
            enrolment.givenName,
            enrolment.familyName,
            enrolment.email,
            enrolment.phone,
            enrolment.birthday,
            enrolment.homeStoreId,
            enrolment.postcode,
            enrolment.preferredLanguage,
            hash,
            now,
          ],
        );
        await manager.query(
          `INSERT INTO loyalty.cards (card_number, household_id, holder_id, kind, status, created_at)
           VALUES ($1, $2, $3, $4, 'active', $5)`,
          [cardNumber, householdId, memberId, kind, now],
        );
        if (viewer === 'staff') {
          await manager.insert(AuditEntry, {
            actor: actor.subject,
            action: 'household.enrolled',
            entity: 'household',
            entityId: householdId,
            details: { role: actor.roles.join(',') },
          });
        }
        const record = await this.changes.record(manager, householdId, now);
        return this.views.view(manager, record, viewer);
      }),
    );
  }

  private async lock(manager: EntityManager, name: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [name]);
  }

  /**
   * The household this enrolment made before (a retry), or a refusal: the subject enrolled with
   * other details, or the email belongs to someone else.
   */
  private async earlierEnrolment(
    manager: EntityManager,
    subject: string | null,
    email: string,
    hash: string,
  ) {
    const [bySubject] = subject
      ? await manager.query(
          `SELECT household_id, enrolment_hash FROM loyalty.shoppers WHERE subject = $1`,
          [subject],
        )
      : [];
    if (bySubject) {
      if (bySubject.enrolment_hash !== hash)
        throw new AlreadyEnrolledError('You enrolled before with other details');
      return this.records.load(manager, bySubject.household_id);
    }
    const [byEmail] = await manager.query(
      `SELECT household_id, subject, enrolment_hash FROM loyalty.shoppers WHERE email = $1`,
      [email],
    );
    if (!byEmail) return null;
    if (byEmail.subject === subject && byEmail.enrolment_hash === hash)
      return this.records.load(manager, byEmail.household_id);
    throw new EmailAlreadyRegisteredError('This email is registered to another household', 'email');
  }

  /**
   * A registered card brings the household it had at the tills (its history stays); otherwise a
   * new digital card of ours, whose household is new.
   */
  private async householdFor(
    manager: EntityManager,
    cardNumber: string | null,
  ): Promise<{ householdId: string; cardNumber: string; kind: string }> {
    if (cardNumber !== null) {
      await this.points.lockCards(manager, [cardNumber]);
      await this.cards.assertRegistrable(manager, cardNumber);
      return { householdId: householdIdForCard(cardNumber), cardNumber, kind: 'card' };
    }
    const issued = await this.cards.issue(manager);
    return { householdId: householdIdForCard(issued), cardNumber: issued, kind: 'digital' };
  }
}
