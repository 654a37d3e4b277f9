import { setImmediate } from 'node:timers/promises';
import { In, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { badUserInput, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import { connection, pageRequest } from '@compliance-graph/federation';
import type { CheckpointSigner } from '../checkpoint/checkpoint-signer';
import { AuditEventEntity } from '../event/event.entity';
import { consistencyProof, inclusionProof, leafHashOf, rootHash, TreeFrontier } from '@compliance-graph/audit-log';
import { signedRoots, storeCheckpoint } from '../checkpoint/checkpoint.store';
import { eventCounts, eventLeafWithHead, eventLeavesWithHead, firstSeqsPerSubject } from '../event/event.store';
import { headSize } from './log-head.store';
import { TreeStore } from './tree.store';
import {
  AuditCheckpoint,
  AuditConsistencyProof,
  AuditInclusionProof,
  AuditVerification,
  type AuditEventConnection,
  type AuditEventFilter,
} from './log.types';

const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The tree size asked for, or the head's when none was. */
function sizeWithin(head: number, requested: number | null | undefined): number {
  if (requested === null || requested === undefined) return head;
  if (!isSeq(requested) || requested > head) throw badUserInput(`treeSize must be between 0 and ${head}`);
  return requested;
}

/** An event's inclusion proof at `size` from a tree whose nodes are already fetched. */
async function proofOf(tree: TreeStore, eventId: string, leaf: { seq: number; leafHash: Buffer }, size: number, checkpoint: AuditCheckpoint): Promise<AuditInclusionProof> {
  const path = await inclusionProof(tree, leaf.seq, size);
  return Object.assign(new AuditInclusionProof(), {
    eventId,
    leafIndex: leaf.seq,
    treeSize: size,
    leafHash: leaf.leafHash.toString('hex'),
    auditPath: path.map((hash) => hash.toString('hex')),
    checkpoint,
  });
}

/**
 * Events are read in pages when the whole log is recomputed, so memory stays flat, and hashed
 * in slices with the event loop given back in between: a verification of a long log is seconds
 * of CPU, and other tenants' requests to this service must not wait behind it.
 */
const VERIFY_PAGE = 1000;
const VERIFY_SLICE = 50;

/** Whose log a reader reads: a request's principal, or the platform log's reserved origin for the operator CLI. */
export type LogScope = Pick<Principal, 'tenantId'>;

/** Reading a tenant's log: events, signed checkpoints, proofs, and a full recomputation. */
export class LogService {
  /** The verification running for a tenant's log, which later askers join. */
  private readonly verifications = new Map<string, Promise<AuditVerification>>();

  constructor(
    private readonly db: DataSource,
    /** Absent in the operator CLI, which reads and verifies logs but holds no signing key. */
    private readonly signer?: CheckpointSigner,
  ) {}

  events(principal: LogScope, filter: AuditEventFilter | null | undefined, first?: number | null, after?: string | null): Promise<AuditEventConnection> {
    const page = pageRequest(first, after, isSeq);
    return withTenant(this.db, principal, async (tx) => {
      const query = tx.createQueryBuilder(AuditEventEntity, 'e');
      if (filter?.action) {
        if (filter.action.endsWith('.')) query.andWhere('starts_with(e.action, :prefix)', { prefix: filter.action });
        else query.andWhere('e.action = :action', { action: filter.action });
      }
      if (filter?.actorId) {
        if (!isUuid(filter.actorId)) throw badUserInput('actorId must be a UUID');
        query.andWhere('e.actorId = :actorId', { actorId: filter.actorId });
      }
      if (filter?.subjectType) query.andWhere('e.subjectType = :subjectType', { subjectType: filter.subjectType });
      if (filter?.subjectId) query.andWhere('e.subjectId = :subjectId', { subjectId: filter.subjectId });
      if (filter?.from) query.andWhere('e.occurredAt >= :from', { from: filter.from });
      if (filter?.to) query.andWhere('e.occurredAt < :to', { to: filter.to });
      const totalCount = await query.getCount();
      if (page.after !== null) query.andWhere('e.seq > :after', { after: page.after });
      const rows = await query.orderBy('e.seq', 'ASC').take(page.first + 1).getMany();
      return connection(rows, page.first, totalCount, (event) => event.seq);
    });
  }

  /**
   * The trails of many subjects of one type in two queries, whatever their number: the
   * first page of each (after `after`) and each one's total, for a list of entities that all
   * ask for their auditTrail.
   */
  trails(principal: Principal, subjectType: string, subjectIds: readonly string[], first?: number | null, after?: string | null): Promise<AuditEventConnection[]> {
    const page = pageRequest(first, after, isSeq);
    return withTenant(this.db, principal, async (tx) => {
      const totalOf = await eventCounts(tx, subjectType, subjectIds);
      const seqs = await firstSeqsPerSubject(tx, subjectType, subjectIds, page.after ?? -1, page.first + 1);
      const events = seqs.length === 0 ? [] : await tx.find(AuditEventEntity, { where: { seq: In(seqs) }, order: { seq: 'ASC' } });
      return subjectIds.map((id) =>
        connection(events.filter((event) => event.subjectId === id), page.first, totalOf.get(id) ?? 0, (event) => event.seq),
      );
    });
  }

  event(principal: Principal, id: string): Promise<AuditEventEntity | null> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return withTenant(this.db, principal, (tx) => tx.findOneBy(AuditEventEntity, { id }));
  }

  /** A signed checkpoint at `treeSize` (the latest when omitted); issuing one is recorded once per size. */
  checkpoint(principal: Principal, treeSize?: number | null): Promise<AuditCheckpoint> {
    return withTenant(this.db, principal, async (tx) =>
      this.checkpointAt(tx, principal.tenantId, sizeWithin(await headSize(tx, principal.tenantId), treeSize)),
    );
  }

  inclusionProof(principal: Principal, eventId: string, treeSize?: number | null): Promise<AuditInclusionProof> {
    if (!isUuid(eventId)) throw badUserInput('eventId must be a UUID');
    return withTenant(this.db, principal, async (tx) => {
      const found = await eventLeafWithHead(tx, principal.tenantId, eventId);
      if (!found) throw badUserInput('No such event in this log');
      const { seq } = found;
      const size = sizeWithin(found.headSize, treeSize);
      if (seq >= size) throw badUserInput(`The event (seq ${seq}) is not in a tree of size ${size}`);
      const tree = new TreeStore(tx, principal.tenantId);
      await tree.prefetch((source) => Promise.all([inclusionProof(source, seq, size), rootHash(source, size)]));
      return proofOf(tree, eventId, found, size, await this.checkpointAt(tx, principal.tenantId, size, tree));
    });
  }

  /**
   * Inclusion proofs of many events against the log's head in one transaction, whatever their
   * number: the leaves in one statement, every path's nodes in one, one checkpoint. An event the
   * log does not hold gets its error in its place, as a DataLoader's batch expects.
   */
  inclusionProofsAtHead(principal: Principal, eventIds: readonly string[]): Promise<Array<AuditInclusionProof | Error>> {
    return withTenant(this.db, principal, async (tx) => {
      const leaves = await eventLeavesWithHead(tx, principal.tenantId, eventIds.filter(isUuid));
      const missing = () => badUserInput('No such event in this log');
      const [first] = leaves.values();
      if (!first) return eventIds.map(missing);
      const size = first.headSize;
      const tree = new TreeStore(tx, principal.tenantId);
      const seqs = [...leaves.values()].map((leaf) => leaf.seq);
      await tree.prefetch((source) => Promise.all([...seqs.map((seq) => inclusionProof(source, seq, size)), rootHash(source, size)]));
      const checkpoint = await this.checkpointAt(tx, principal.tenantId, size, tree);
      return Promise.all(eventIds.map((eventId) => (leaves.has(eventId) ? proofOf(tree, eventId, leaves.get(eventId)!, size, checkpoint) : missing())));
    });
  }

  consistencyProof(principal: Principal, fromSize: number, toSize: number): Promise<AuditConsistencyProof> {
    return withTenant(this.db, principal, async (tx) => {
      const head = await headSize(tx, principal.tenantId);
      if (!isSeq(fromSize) || !isSeq(toSize) || fromSize > toSize || toSize > head) {
        throw badUserInput(`Sizes must satisfy 0 <= fromSize <= toSize <= ${head}`);
      }
      const tree = new TreeStore(tx, principal.tenantId);
      await tree.prefetch((source) => consistencyProof(source, fromSize, toSize));
      const path = await consistencyProof(tree, fromSize, toSize);
      return Object.assign(new AuditConsistencyProof(), { fromSize, toSize, path: path.map((hash) => hash.toString('hex')) });
    });
  }

  /**
   * Recomputes the log from its events alone: every leaf hash from the canonical record, the
   * seqs contiguous from 0, and the root rebuilt from those leaves against the stored tree.
   * The first event that does not match (edited, removed, reordered, inserted) is reported.
   * One snapshot (REPEATABLE READ) for the head and every page: events appended while it runs
   * would otherwise show up after the head's size and read as an insertion.
   * Verifications of one log asked for while one runs share its run and its result: aliases or
   * parallel requests cannot multiply seconds of CPU.
   */
  verify(principal: LogScope): Promise<AuditVerification> {
    const running = this.verifications.get(principal.tenantId);
    if (running) return running;
    const verification = this.recompute(principal).finally(() => this.verifications.delete(principal.tenantId));
    this.verifications.set(principal.tenantId, verification);
    return verification;
  }

  private recompute(principal: LogScope): Promise<AuditVerification> {
    return withTenant(
      this.db,
      principal,
      async (tx) => {
        const size = await headSize(tx, principal.tenantId);
        // Leaves, events and tree rewritten together still cannot match what was signed before.
        const signed = await signedRoots(tx, principal.tenantId);
        const tree = new TreeStore(tx, principal.tenantId);
        const rebuilt = new TreeFrontier();
        let firstInvalidSeq: number | null = null;
        let signedMismatchSeq: number | null = null;
        let nextSigned = 0;
        const compareSigned = () => {
          for (; nextSigned < signed.length && signed[nextSigned].treeSize === rebuilt.size; nextSigned++) {
            if (signedMismatchSeq === null && !rebuilt.root().equals(signed[nextSigned].rootHash)) signedMismatchSeq = rebuilt.size - 1;
          }
        };
        // Keyset pages (seq > last seen): OFFSET would rescan the log for every page.
        for (let lastSeq = -1; ; ) {
          const page = await tx.find(AuditEventEntity, { where: { seq: MoreThan(lastSeq) }, order: { seq: 'ASC' }, take: VERIFY_PAGE });
          const storedLeaves = await tree.leaves(rebuilt.size, page.length);
          for (const event of page) {
            if (rebuilt.size % VERIFY_SLICE === 0) await setImmediate();
            const seq = rebuilt.size;
            const expected = leafHashOf(event.toExportRecord());
            const intact = event.seq === seq && expected.equals(event.leafHashBytes) && storedLeaves.get(seq)?.equals(expected) === true;
            if (!intact && firstInvalidSeq === null) firstInvalidSeq = Math.min(seq, event.seq);
            rebuilt.appendLeaf(expected);
            compareSigned();
          }
          if (page.length < VERIFY_PAGE) break;
          lastSeq = page[page.length - 1].seq;
        }
        const checked = rebuilt.size;
        if (checked !== size && firstInvalidSeq === null) firstInvalidSeq = Math.min(checked, size);
        return Object.assign(new AuditVerification(), {
          ok: firstInvalidSeq === null && signedMismatchSeq === null,
          eventsChecked: checked,
          treeSize: size,
          rootHash: rebuilt.root().toString('hex'),
          // A changed leaf is named exactly; a signed root that no longer matches only bounds it.
          firstInvalidSeq: firstInvalidSeq ?? signedMismatchSeq,
        });
      },
      'REPEATABLE READ',
    );
  }

  /**
   * Signs (once per size and key) and returns the checkpoint of a tenant's log at `size`;
   * `tree` may already hold the root's nodes.
   */
  async checkpointAt(tx: EntityManager, tenantId: string, size: number, tree = new TreeStore(tx, tenantId)): Promise<AuditCheckpoint> {
    await tree.prefetch((source) => rootHash(source, size));
    const root = await rootHash(tree, size);
    if (!this.signer) throw new Error('this process holds no checkpoint signing key');
    const head = this.signer.sign(tenantId, size, root);
    const issuedAt = await storeCheckpoint(tx, tenantId, size, root, head);
    return Object.assign(new AuditCheckpoint(), {
      origin: head.origin,
      treeSize: size,
      rootHash: root.toString('hex'),
      body: head.body,
      signature: head.signature,
      keyId: head.keyId,
      issuedAt,
    });
  }
}
