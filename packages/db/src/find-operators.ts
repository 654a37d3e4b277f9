import { Raw, type FindOperator } from 'typeorm';

/**
 * `column = ANY($1)`: one parameter however many ids, where TypeORM's `In` sends one per id
 * (PostgreSQL takes at most 65,535, and a tenant's access review names every membership).
 */
export const anyOf = <T>(values: readonly T[]): FindOperator<T> => Raw((column) => `${column} = ANY(:values)`, { values });
