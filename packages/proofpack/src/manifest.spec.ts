import { parse } from 'csv-parse/sync';
import { PROOFPACK_FORMAT, controlCoverage, coverageCsv, proofpackManifestSchema, type ProofpackFormat } from './manifest';

const ITEM_A = '00000000-0000-4000-8000-00000000000a';
const ITEM_B = '00000000-0000-4000-8000-00000000000b';

const table = (format: ProofpackFormat, titleOfA: string) => {
  const evidence = [
    { id: ITEM_A, title: titleOfA, status: 'APPROVED' as const, controlRefs: ['ISO27001:A.5.1'] },
    { id: ITEM_B, title: 'Backup policy', status: 'APPROVED' as const, controlRefs: ['ISO27001:A.5.1', 'SOC2:CC6.1'] },
  ];
  return coverageCsv({ format, evidence: evidence as never, coverage: controlCoverage(evidence) });
};

// Read as a spreadsheet reads it: any line break outside quotes ends a row.
const asSpreadsheet = (csv: string) => parse(csv, { record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];

describe('data/coverage.csv', () => {
  it('keeps a title with line breaks and a formula after them in its one cell (v2)', () => {
    const title = 'Access policy\n=HYPERLINK("https://attacker.example")\rsigned';
    expect(asSpreadsheet(table(PROOFPACK_FORMAT, title))).toEqual([
      ['control_ref', 'evidence_id', 'evidence_title', 'status'],
      ['ISO27001:A.5.1', ITEM_A, title, 'APPROVED'],
      ['ISO27001:A.5.1', ITEM_B, 'Backup policy', 'APPROVED'],
      ['SOC2:CC6.1', ITEM_B, 'Backup policy', 'APPROVED'],
    ]);
  });

  it('formula-escapes a title that starts like a formula', () => {
    expect(asSpreadsheet(table(PROOFPACK_FORMAT, '=1+2'))[1][2]).toBe("'=1+2");
  });

  it('writes v1 packs exactly as v1 wrote them, so the verifier still recomputes their bytes', () => {
    expect(table('compliance-graph/proofpack/v1', 'Access policy\nv3')).toBe(
      'control_ref,evidence_id,evidence_title,status\r\n' +
        `ISO27001:A.5.1,${ITEM_A},Access policy\nv3,APPROVED\r\n` +
        `ISO27001:A.5.1,${ITEM_B},Backup policy,APPROVED\r\n` +
        `SOC2:CC6.1,${ITEM_B},Backup policy,APPROVED\r\n`,
    );
  });

  it('seals v2 and reads v1 and v2 manifests, no other format', () => {
    expect(PROOFPACK_FORMAT).toBe('compliance-graph/proofpack/v2');
    const formatIssue = (format: string) => proofpackManifestSchema.safeParse({ format }).error?.issues.find((issue) => issue.path[0] === 'format');
    expect(formatIssue('compliance-graph/proofpack/v1')).toBeUndefined();
    expect(formatIssue('compliance-graph/proofpack/v2')).toBeUndefined();
    expect(formatIssue('compliance-graph/proofpack/v3')).toBeDefined();
  });
});
