import { Brackets, type DataSource } from 'typeorm';
import { withTenant } from '@compliance-graph/db';
import { inclusionProof, type ExportRecord } from '@compliance-graph/audit-log';
import { AuditEventEntity } from '../event/event.entity';
import { headSize } from '../log/log-head.store';
import type { LogService } from '../log/log.service';
import { TreeStore } from '../log/tree.store';

export interface Subject {
  type: string;
  id: string;
}

export interface SubjectProofs {
  checkpoint: { origin: string; treeSize: number; rootHash: string; body: string; signature: string; keyId: string };
  checkpointKey: Record<string, unknown>;
  events: Array<{ record: ExportRecord; leafIndex: number; auditPath: string[] }>;
}

/**
 * A producing service's records about some subjects, proven against one signed checkpoint of
 * the tenant's log (the latest). Only the asking service's own records: a service reads back
 * what it wrote, never another service's log entries.
 */
export class SubjectProofsService {
  constructor(
    private readonly db: DataSource,
    private readonly log: LogService,
    private readonly checkpointKey: Record<string, unknown>,
  ) {}

  proofs(tenantId: string, service: string, subjects: readonly Subject[]): Promise<SubjectProofs> {
    return withTenant(this.db, tenantId, async (tx) => {
      // Events appended after this size are outside the checkpoint, and nodes below it never change.
      const size = await headSize(tx, tenantId);
      const idsByType = new Map<string, string[]>();
      for (const { type, id } of subjects) idsByType.set(type, [...(idsByType.get(type) ?? []), id]);
      const events = await tx
        .createQueryBuilder(AuditEventEntity, 'e')
        .where('e.service = :service AND e.seq < :size', { service, size })
        .andWhere(
          new Brackets((anyOf) => {
            [...idsByType].forEach(([type, ids], n) => anyOf.orWhere(`(e.subjectType = :type${n} AND e.subjectId IN (:...ids${n}))`, { [`type${n}`]: type, [`ids${n}`]: ids }));
          }),
        )
        .orderBy('e.seq', 'ASC')
        .getMany();
      const tree = new TreeStore(tx, tenantId);
      // One round trip for every node of every proof: which nodes they read depends only on positions.
      await tree.prefetch((source) => Promise.all(events.map((event) => inclusionProof(source, event.seq, size))));
      const checkpoint = await this.log.checkpointAt(tx, tenantId, size, tree);
      const proven: SubjectProofs['events'] = [];
      for (const event of events) {
        const path = await inclusionProof(tree, event.seq, size);
        proven.push({ record: event.toExportRecord(), leafIndex: event.seq, auditPath: path.map((hash) => hash.toString('hex')) });
      }
      const { origin, treeSize, rootHash, body, signature, keyId } = checkpoint;
      return { checkpoint: { origin, treeSize, rootHash, body, signature, keyId }, checkpointKey: this.checkpointKey, events: proven };
    });
  }
}
