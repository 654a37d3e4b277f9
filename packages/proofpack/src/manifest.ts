import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';

/**
 * The format packs are sealed in. v2 differs from v1 only in data/coverage.csv, which quotes any
 * field with a line break: v1 quoted only CRLF, so a lone LF in an evidence title ended the row
 * for a spreadsheet and began the next with text of the title's author's choosing. The verifier
 * recomputes that file byte for byte, so packs sealed as v1 keep verifying as v1.
 */
export const PROOFPACK_FORMAT = 'compliance-graph/proofpack/v2';
const PROOFPACK_FORMATS = ['compliance-graph/proofpack/v1', PROOFPACK_FORMAT] as const;
export type ProofpackFormat = (typeof PROOFPACK_FORMATS)[number];

const isoDate = z.iso.datetime({ offset: true });
const uuid = z.uuid();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

const revision = z.object({
  version: z.number().int().min(1),
  sha256: sha256Hex,
  sizeBytes: z.number().int().positive(),
  contentType: z.string(),
  fileName: z.string(),
  uploadedAt: isoDate,
  uploadedBy: uuid,
  /** The revision's file inside the bag. */
  path: z.string(),
});

const decision = z.object({
  id: uuid,
  decision: z.enum(['APPROVE', 'REJECT']),
  rationale: z.string(),
  decidedAt: isoDate,
  decidedBy: uuid,
});

const evidence = z.object({
  id: uuid,
  title: z.string(),
  description: z.string().nullable(),
  controlRefs: z.array(z.string()),
  sourceKind: z.enum(['UPLOAD', 'URL', 'SYSTEM', 'MANUAL']),
  sourceRef: z.string(),
  collectedAt: isoDate,
  validUntil: isoDate.nullable(),
  status: z.enum(['DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED']),
  createdAt: isoDate,
  createdBy: uuid,
  revisions: z.array(revision.extend({ id: uuid })),
  decisions: z.array(decision),
});

/** data/proofpack.json: what the pack holds and the audit log's proof of its history, signed as these exact bytes. */
export const proofpackManifestSchema = z.object({
  format: z.enum(PROOFPACK_FORMATS),
  signingKeyId: z.string().min(1),
  proofpack: z.object({
    id: uuid,
    tenantId: uuid,
    title: z.string(),
    description: z.string().nullable(),
    createdAt: isoDate,
    createdBy: uuid,
    sealedAt: isoDate,
    sealedBy: uuid,
  }),
  evidence: z.array(evidence),
  /** Each control reference of the pack's evidence, with the items that back it (also data/coverage.csv). */
  coverage: z.array(z.object({ controlRef: z.string(), evidenceIds: z.array(uuid) })),
  audit: z.object({
    checkpoint: z.object({
      origin: z.string(),
      treeSize: z.number().int().nonnegative(),
      rootHash: sha256Hex,
      body: z.string(),
      signature: z.string(),
      keyId: z.string(),
    }),
    events: z.array(z.object({ record: z.record(z.string(), z.unknown()), leafIndex: z.number().int().nonnegative(), auditPath: z.array(sha256Hex) })),
  }),
});

export type ProofpackManifest = z.infer<typeof proofpackManifestSchema>;
export type ManifestEvidence = ProofpackManifest['evidence'][number];

/** Each control reference with the ids of the items citing it, sorted, so the table reads the same every time. */
export function controlCoverage(items: ReadonlyArray<Pick<ManifestEvidence, 'id' | 'controlRefs'>>): ProofpackManifest['coverage'] {
  const byControl = new Map<string, string[]>();
  for (const item of items) for (const ref of item.controlRefs) byControl.set(ref, [...(byControl.get(ref) ?? []), item.id]);
  return [...byControl.keys()].sort().map((controlRef) => ({ controlRef, evidenceIds: byControl.get(controlRef)! }));
}

/**
 * data/coverage.csv: one row per control reference and item. Formula-escaped, so a title
 * starting with "=" is text in a spreadsheet, not a formula.
 */
export function coverageCsv(manifest: Pick<ProofpackManifest, 'format' | 'coverage' | 'evidence'>): string {
  const byId = new Map(manifest.evidence.map((item) => [item.id, item]));
  const rows = manifest.coverage.flatMap(({ controlRef, evidenceIds }) =>
    evidenceIds.map((evidenceId) => [controlRef, evidenceId, byId.get(evidenceId)?.title, byId.get(evidenceId)?.status]),
  );
  return stringify([['control_ref', 'evidence_id', 'evidence_title', 'status'], ...rows], {
    escape_formulas: true,
    record_delimiter: 'windows',
    ...(manifest.format === PROOFPACK_FORMAT ? { quoted_match: /[\r\n]/ } : {}),
  });
}
