import type { DataSource } from 'typeorm';
import { badUserInput, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import { SubprocessorEntity } from './subprocessor.entity';

export class SubprocessorService {
  constructor(private readonly db: DataSource) {}

  /**
   * The entries in the register at `asOf` (now when omitted), by name. This reads the entries'
   * current fields filtered by their active period; the register's past field values come
   * with announced changes, which keep the entry before and after each change.
   */
  list(principal: Principal, asOf?: Date | null): Promise<SubprocessorEntity[]> {
    const at = asOf ?? new Date();
    return withTenant(this.db, principal, (tx) =>
      tx
        .createQueryBuilder(SubprocessorEntity, 's')
        .where('s.activeFrom <= :at', { at })
        .andWhere('(s.activeUntil IS NULL OR s.activeUntil > :at)', { at })
        .orderBy('s.name')
        .addOrderBy('s.id')
        .getMany(),
    );
  }

  /** One entry of the caller's tenant; another tenant's id is null, like an unknown one. */
  async get(principal: Principal, id: string): Promise<SubprocessorEntity | null> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return withTenant(this.db, principal, (tx) => tx.findOneBy(SubprocessorEntity, { id }));
  }
}
