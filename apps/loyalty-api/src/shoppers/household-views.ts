import { maskCardNumber } from '@loyalty/domain';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CardDto, HouseholdDto, MemberDto } from './household.dto';
import {
  CardRow,
  HouseholdRecord,
  HouseholdRecordQuery,
  MemberRow,
  accountHolderOf,
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

export function toCardDto(card: CardRow, viewer: Viewer): CardDto {
  const shown = (n: string) => (viewer === 'shopper' ? n : maskCardNumber(n));
  return {
    cardNumber: shown(card.cardNumber),
    kind: card.kind,
    status: card.status,
    holderId: card.holderId,
    replacedBy: card.replacedBy && shown(card.replacedBy),
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
    const { household } = record;
    const holder = accountHolderOf(record);
    const facts = await this.profiles.facts(manager, household.id);
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
      members: record.members.map(toMemberDto),
      cards: record.cards.map((card) => toCardDto(card, viewer)),
      consent: record.consent,
      demographics: household.demographics,
      pointsBalance: await this.records.pointsBalance(manager, household.id),
      tier: facts && {
        tier: facts.tier,
        tierSince: facts.tierSince,
        lifetimeSpendCents: facts.lifetimeSpendCents,
        spend52wCents: facts.spend52wCents,
      },
      version: household.version,
    };
  }
}
