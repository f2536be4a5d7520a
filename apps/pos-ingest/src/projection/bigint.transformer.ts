import { ValueTransformer } from 'typeorm';

// node-postgres returns bigint as a string; cent sums stay far below 2^53, so a number is exact.
export const bigintToNumber: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
