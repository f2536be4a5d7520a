import { IsISO8601, IsOptional, Matches } from 'class-validator';

// `loyalty-api.terminal-key-changed.v1` as the intake relies on it; anything else is poison.
export class TerminalKeyChangedDto {
  @Matches(/^[a-f0-9]{16}$/)
  keyId!: string;

  @Matches(/^[A-Za-z0-9._:-]{1,32}$/)
  storeId!: string;

  @Matches(/^[A-Za-z0-9._:-]{1,32}$/)
  terminalId!: string;

  @Matches(/^[a-f0-9]{64}$/)
  secretHash!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  revokedAt!: string | null;
}
