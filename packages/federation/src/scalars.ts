import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';

/** The contract's scalars: `DateTime` (ISO-8601, UTC) and `JSONObject`. */
export const DateTimeScalar = DateTimeResolver;
export const JSONObjectScalar = JSONObjectResolver;
