import type { ExportRecord } from '@compliance-graph/audit-log';
import type { ManifestEvidence, ProofpackManifest } from '@compliance-graph/proofpack';
import { fail } from './failure';

type Status = ManifestEvidence['status'];

export const describeRecord = (record: ExportRecord) => `audit record seq ${record.seq} (${record.action} of ${record.subjectType} ${record.subjectId})`;

/**
 * A pack cannot list the records it leaves out, but each record testifies to the ones before
 * it: an item's history is a state machine (created, revisions, submissions, decisions) whose
 * records carry the version and status they found. Replaying every subject's records in log
 * order therefore shows a gap anywhere before the checkpoint, and ties each revision and
 * decision of the manifest to exactly one record and back.
 */
export function checkCompleteness(manifest: ProofpackManifest, records: readonly ExportRecord[]): void {
  checkLogOrder(records);
  const bySubject = recordsBySubject(manifest, records);
  checkPackHistory(manifest, bySubject.get(subjectKey('Proofpack', manifest.proofpack.id)) ?? []);
  for (const item of manifest.evidence) replayItemHistory(item, bySubject.get(subjectKey('Evidence', item.id)) ?? []);
}

const subjectKey = (type: string, id: string) => `${type}:${id}`;

/** Ascending seqs: no record twice, and the order the state machine replays. */
function checkLogOrder(records: readonly ExportRecord[]): void {
  records.forEach((record, index) => {
    if (index > 0 && record.seq <= records[index - 1].seq) fail(`${describeRecord(record)} follows seq ${records[index - 1].seq}: the pack's records are not unique and in log order`);
  });
}

/** Every record is about the pack or one of its items. */
function recordsBySubject(manifest: ProofpackManifest, records: readonly ExportRecord[]): Map<string, ExportRecord[]> {
  const subjects = new Map<string, ExportRecord[]>([
    [subjectKey('Proofpack', manifest.proofpack.id), []],
    ...manifest.evidence.map((item) => [subjectKey('Evidence', item.id), []] as [string, ExportRecord[]]),
  ]);
  for (const record of records) {
    const own = subjects.get(subjectKey(record.subjectType, record.subjectId));
    if (!own) fail(`${describeRecord(record)} is about neither the pack nor one of its items`);
    own.push(record);
  }
  return subjects;
}

/** Before its seal, a pack has one record: its creation, naming the manifest's items in order. */
function checkPackHistory(manifest: ProofpackManifest, records: readonly ExportRecord[]): void {
  const [created, ...others] = records;
  if (created?.action !== 'proofpack.created') fail(`the pack's proofpack.created record is missing from the audit section`);
  if (others.length > 0) fail(`${describeRecord(others[0])}: a pack has no record but its creation before it is sealed`);
  if (JSON.stringify(created.data.evidenceIds) !== JSON.stringify(manifest.evidence.map((item) => item.id))) {
    fail(`${describeRecord(created)} names other evidence than data/proofpack.json`);
  }
}

/**
 * An access review's report is approved by the review itself, without a submission: the
 * system records it, as SYSTEM evidence, naming the review in every record.
 */
const isReviewReport = (item: ManifestEvidence, record: ExportRecord) =>
  item.sourceKind === 'SYSTEM' && record.actorKind === 'SYSTEM' && typeof record.data.accessReviewId === 'string' && item.sourceRef === `identity:access-review:${record.data.accessReviewId}`;

/** Replays an item's records; each must be a legal step from the state the previous ones left. */
function replayItemHistory(item: ManifestEvidence, records: readonly ExportRecord[]): void {
  const unrecordedRevisions = new Map(item.revisions.map((revision) => [revision.id, revision]));
  const unrecordedDecisions = new Map(item.decisions.map((decision) => [decision.id, decision]));
  let status: Status | undefined;
  let version = 0;
  for (const record of records) {
    const wrong = (why: string): never => fail(`${describeRecord(record)} ${why}`);
    const { data } = record;
    if (status === undefined && record.action !== 'evidence.created') wrong(`comes before the item's evidence.created (which is missing)`);
    switch (record.action) {
      case 'evidence.created':
        if (status !== undefined) wrong('creates the item a second time');
        status = 'DRAFT';
        break;
      case 'evidence.revision_added': {
        const revision = unrecordedRevisions.get(String(data.revisionId)) ?? wrong('names a revision data/proofpack.json does not list');
        if (data.version !== version + 1 || revision.version !== version + 1) wrong(`adds version ${revision.version} after version ${version} (a record is missing)`);
        if (data.sha256 !== revision.sha256) wrong(`attests another file than revision ${revision.version} of data/proofpack.json`);
        if (data.statusBefore !== status) wrong(`found the item ${String(data.statusBefore)}, the records before it leave it ${status} (a record is missing)`);
        unrecordedRevisions.delete(revision.id);
        version += 1;
        status = 'DRAFT';
        break;
      }
      case 'evidence.submitted':
        if (status !== 'DRAFT') wrong(`submits an item its records leave ${status}, not DRAFT (a record is missing)`);
        status = 'SUBMITTED';
        break;
      case 'evidence.decided': {
        if (status !== 'SUBMITTED' && !(status === 'DRAFT' && isReviewReport(item, record))) {
          wrong(`decides an item its records leave ${status}, not SUBMITTED (a record is missing)`);
        }
        const decision = unrecordedDecisions.get(String(data.decisionId)) ?? wrong('names a decision data/proofpack.json does not list');
        if (data.decision !== decision.decision) wrong(`says ${String(data.decision)}, data/proofpack.json ${decision.decision}`);
        if (data.revisionVersion !== (version === 0 ? null : version)) wrong(`decides version ${String(data.revisionVersion)}, the records before it reach version ${version} (a record is missing)`);
        unrecordedDecisions.delete(decision.id);
        status = decision.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
        break;
      }
      default:
        wrong('is no step of an evidence item in a pack');
    }
  }
  const named = `evidence ${item.id} "${item.title}"`;
  for (const revision of unrecordedRevisions.values()) fail(`${named}: revision ${revision.version} (${revision.id}) has no evidence.revision_added record in the pack`);
  for (const decision of unrecordedDecisions.values()) fail(`${named}: decision ${decision.id} has no evidence.decided record in the pack`);
  if (status !== item.status) fail(`${named}: its records leave it ${status ?? 'uncreated'}, data/proofpack.json says ${item.status} (a record is missing)`);
}
