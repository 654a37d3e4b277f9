import { In, type DataSource } from 'typeorm';
import type { Principal } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import { AuditEventEntity } from '../event/event.entity';

/** The audit action a subprocessor change's announcement is recorded under (by the subprocessors service). */
export const CHANGE_ANNOUNCED = 'subprocessor.change_announced';

/** The announcement events of many changes in one statement: per change id, its event or null. */
export async function announcementsOf(db: DataSource, principal: Principal, changeIds: readonly string[]): Promise<Array<AuditEventEntity | null>> {
  const events = await withTenant(db, principal, (tx) =>
    tx.find(AuditEventEntity, { where: { action: CHANGE_ANNOUNCED, subjectType: 'SubprocessorChange', subjectId: In([...changeIds]) }, order: { seq: 'ASC' } }),
  );
  // A change is announced once; should a producer ever repeat itself, the first record stands.
  return changeIds.map((id) => events.find((event) => event.subjectId === id) ?? null);
}
