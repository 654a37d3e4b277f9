import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Role } from '@compliance-graph/auth';

/** Gives each row (a membership, a key) its new role: one UPDATE per distinct role, however many rows change. */
export async function updateRoles(tx: EntityManager, entity: EntityTarget<ObjectLiteral>, changes: ReadonlyArray<{ id: string; role: Role }>): Promise<void> {
  for (const role of new Set(changes.map((change) => change.role))) {
    const ids = changes.filter((change) => change.role === role).map((change) => change.id);
    await tx.createQueryBuilder().update(entity).set({ role }).where('id = ANY(:ids)', { ids }).execute();
  }
}
