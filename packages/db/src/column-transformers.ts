/**
 * A `bigint` column read as a JavaScript number: pg returns int8 as a string, since it can
 * exceed 2^53; the columns that use this (sizes, sequence numbers, TOTP steps) stay far below.
 */
export const bigintAsNumber = {
  to: (value: number | null) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
