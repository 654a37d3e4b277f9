import type { DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import { SubprocessorChangeEntity, SubprocessorChangeStatus } from '../change/change.entity';
import type { Clock } from '../clock';
import type { SubprocessorEntity } from '../subprocessor/subprocessor.entity';
import { registerAt } from './register.store';

export interface PublicRegister {
  subprocessors: SubprocessorEntity[];
  /** The ANNOUNCED changes, soonest effectiveAt first. */
  upcomingChanges: SubprocessorChangeEntity[];
}

/** The register of a tenant at a point in time, computed from its change history. */
export class RegisterService {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The caller's register at `asOf` (now when omitted), by name. */
  list(principal: Principal, asOf?: Date | null): Promise<SubprocessorEntity[]> {
    return withTenant(this.db, principal, (tx) => registerAt(tx, asOf ?? this.clock()));
  }

  /**
   * One tenant's register and upcoming changes for its public page, with no principal: the
   * work runs on the request pool scoped to that tenant (withTenant by id), so row-level
   * security still confines it; one snapshot for both, so they agree.
   */
  publicRegister(tenantId: string, at: Date): Promise<PublicRegister> {
    return withTenant(
      this.db,
      tenantId,
      async (tx) => ({
        subprocessors: await registerAt(tx, at),
        upcomingChanges: await tx.find(SubprocessorChangeEntity, {
          where: { status: SubprocessorChangeStatus.ANNOUNCED },
          order: { effectiveAt: 'ASC', id: 'ASC' },
        }),
      }),
      'REPEATABLE READ',
    );
  }
}
