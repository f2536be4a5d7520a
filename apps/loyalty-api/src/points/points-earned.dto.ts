import { DATE_TIME_WITH_OFFSET, ID_PATTERN, IsCardNumber } from '@loyalty/platform';
import {
  IsIn,
  IsISO8601,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';

// Points one transaction moves: at most what the largest receipt could earn, with room to spare.
const MAX_POINTS_PER_TRANSACTION = 1_000_000_000;

// The contract of `pos-ingest.points-earned.v1` as the ledger relies on it; a message breaking it
// is poison (dead-lettered): an earn adds points, a reverse takes them back.
export class PointsEarnedDto {
  @IsString()
  @Length(3, 201)
  @Matches(ID_PATTERN)
  cause!: string;

  @IsUUID()
  householdId!: string;

  @IsCardNumber()
  cardNumber!: string;

  @IsIn(['earn', 'reverse'])
  kind!: 'earn' | 'reverse';

  @IsInt()
  @Min(-MAX_POINTS_PER_TRANSACTION)
  @Max(MAX_POINTS_PER_TRANSACTION)
  @ValidateBy({
    name: 'pointsSignMatchesKind',
    validator: {
      validate: (points: unknown, args) =>
        typeof points === 'number' &&
        ((args?.object as PointsEarnedDto).kind === 'earn' ? points > 0 : points < 0),
      defaultMessage: () => 'points must be positive for an earn and negative for a reverse',
    },
  })
  points!: number;

  @IsISO8601({ strict: true })
  @Matches(DATE_TIME_WITH_OFFSET)
  occurredAt!: string;
}
