import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import { connection, pageRequest } from '@compliance-graph/federation';
import { MembershipEntity } from './membership.entity';
import type { MembershipConnection } from './membership.connection';

/** Members sort by joining time, then id; the cursor is that pair. */
type MemberKey = [string, string];
const isMemberKey = (value: unknown): value is MemberKey =>
  Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string') && !Number.isNaN(Date.parse(value[0]));

export class MembershipService {
  constructor(private readonly db: DataSource) {}

  async list(
    principal: Principal,
    options: { includeRevoked: boolean; first?: number | null; after?: string | null },
  ): Promise<MembershipConnection> {
    const page = pageRequest(options.first, options.after, isMemberKey);
    return withTenant(this.db, principal, async (tx) => {
      const query = tx.createQueryBuilder(MembershipEntity, 'm');
      if (!options.includeRevoked) query.where('m.revokedAt IS NULL');
      const totalCount = await query.getCount();
      if (page.after) query.andWhere('(m.createdAt, m.id) > (:at, :id)', { at: page.after[0], id: page.after[1] });
      const rows = await query.orderBy('m.createdAt').addOrderBy('m.id').take(page.first + 1).getMany();
      return connection(rows, page.first, totalCount, (m): MemberKey => [m.createdAt.toISOString(), m.id]);
    });
  }
}
