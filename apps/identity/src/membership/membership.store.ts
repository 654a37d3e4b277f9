import type { EntityManager } from 'typeorm';

/** Whether the user is an active member of a tenant other than the transaction's (a lookup across tenants, in a database function). */
export async function memberOfAnotherTenant(tx: EntityManager, userId: string): Promise<boolean> {
  const [{ elsewhere }]: Array<{ elsewhere: boolean }> = await tx.query(`SELECT member_elsewhere($1) AS elsewhere`, [userId]);
  return elsewhere;
}
