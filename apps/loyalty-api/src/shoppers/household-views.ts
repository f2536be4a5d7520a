import { Consent, maskCardNumber } from '@loyalty/domain';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CardDto, HouseholdDto, MemberDto, TierDto } from './household.dto';
import {
  CardRow,
  HouseholdRecord,
  HouseholdRecordQuery,
  HouseholdRow,
  MemberRow,
} from './household-record.query';
import { ShopperProfileQuery } from './shopper-profile.query';

/** Who is looking: the shopper sees their card numbers whole, staff see the last four digits. */
export type Viewer = 'shopper' | 'staff';

export function toMemberDto(member: MemberRow): MemberDto {
  return {
    id: member.id,
    accountHolder: member.accountHolder,
    givenName: member.givenName,
    familyName: member.familyName,
    birthday: member.birthday,
  };
}

/** What a card view shows of a card. */
export type ShownCard = Pick<CardRow, 'cardNumber' | 'kind' | 'status' | 'holderId' | 'replacedBy'>;

export function toCardDto(card: ShownCard, viewer: Viewer): CardDto {
  const shown = (n: string) => (viewer === 'shopper' ? n : maskCardNumber(n));
  return {
    cardNumber: shown(card.cardNumber),
    kind: card.kind,
    status: card.status,
    holderId: card.holderId,
    replacedBy: card.replacedBy && shown(card.replacedBy),
  };
}

/** What a household view is built from: the record (its cards' fields the view shows), tier, balance. */
export interface HouseholdViewParts {
  household: HouseholdRow;
  members: MemberRow[];
  cards: ShownCard[];
  consent: Consent;
  tier: TierDto | null;
  pointsBalance: number;
}

export function toHouseholdDto(parts: HouseholdViewParts, viewer: Viewer): HouseholdDto {
  const { household } = parts;
  const holder = parts.members.find((m) => m.accountHolder) ?? null;
  return {
    householdId: household.id,
    registered: household.registered,
    enrolledAt: household.enrolledAt?.toISOString() ?? null,
    mergedInto: household.mergedInto,
    erasedAt: household.erasedAt?.toISOString() ?? null,
    identity: holder && {
      givenName: holder.givenName,
      familyName: holder.familyName,
      email: holder.email,
      phone: holder.phone,
      birthday: holder.birthday,
      homeStoreId: holder.homeStoreId,
      postcode: holder.postcode,
      preferredLanguage: holder.preferredLanguage,
    },
    members: parts.members.map(toMemberDto),
    cards: parts.cards.map((card) => toCardDto(card, viewer)),
    consent: parts.consent,
    demographics: household.demographics,
    pointsBalance: parts.pointsBalance,
    tier: parts.tier,
    version: household.version,
  };
}

/** A household as the routes answer it: identity, members, cards, consent, points and tier. */
@Injectable()
export class HouseholdViews {
  constructor(
    private readonly records: HouseholdRecordQuery,
    private readonly profiles: ShopperProfileQuery,
  ) {}

  async view(
    manager: EntityManager,
    record: HouseholdRecord,
    viewer: Viewer,
  ): Promise<HouseholdDto> {
    const id = record.household.id;
    const facts = await this.profiles.facts(manager, id);
    return toHouseholdDto(
      {
        ...record,
        tier: facts && {
          tier: facts.tier,
          tierSince: facts.tierSince,
          lifetimeSpendCents: facts.lifetimeSpendCents,
          spend52wCents: facts.spend52wCents,
        },
        pointsBalance: await this.records.pointsBalance(manager, id),
      },
      viewer,
    );
  }
}
