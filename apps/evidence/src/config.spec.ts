import { loadEvidenceConfig } from './config';

const REQUIRED = {
  DATABASE_URL: 'postgres://evidence_app@127.0.0.1/cg',
  DATABASE_WORKER_URL: 'postgres://evidence_worker@127.0.0.1/cg',
  ROUTER_SECRET: 'config-spec-router-secret-0123456789',
  INTERNAL_SERVICE_TOKEN: 'config-spec-ingest-token-0123456789abc',
  PROOFPACK_SIGNING_KEYS: '[]',
  IDENTITY_REPORT_TOKEN: 'config-spec-report-token-0123456789abc',
};

describe('evidence configuration', () => {
  it('keeps files under .data/blobs, 50 MiB at most, unclaimed for a day', () => {
    expect(loadEvidenceConfig(REQUIRED)).toMatchObject({
      EVIDENCE_BLOB_DIR: '.data/blobs',
      MAX_UPLOAD_BYTES: 50 * 1_048_576,
      UPLOAD_RETENTION_HOURS: 24,
      UPLOAD_COLLECTOR_INTERVAL_SECONDS: 900,
    });
  });

  it('takes a bucket with its region, and an endpoint for S3-compatible servers', () => {
    const s3 = { EVIDENCE_S3_BUCKET: 'evidence', EVIDENCE_S3_REGION: 'eu-central-1', EVIDENCE_S3_ENDPOINT: 'http://127.0.0.1:9000' };
    expect(loadEvidenceConfig({ ...REQUIRED, ...s3 })).toMatchObject(s3);
  });

  it.each([
    [{ EVIDENCE_S3_ENDPOINT: 'http://127.0.0.1:9000' }, ['EVIDENCE_S3_BUCKET', 'EVIDENCE_S3_REGION']],
    [{ EVIDENCE_S3_BUCKET: 'evidence' }, ['EVIDENCE_S3_REGION']],
    [{ EVIDENCE_S3_REGION: 'eu-central-1' }, ['EVIDENCE_S3_BUCKET']],
  ])('refuses half an S3 configuration (%j)', (s3, missing) => {
    const failure = (() => {
      try {
        loadEvidenceConfig({ ...REQUIRED, ...s3 });
      } catch (error) {
        return error as { problems: string[] };
      }
    })();
    expect(failure?.problems.map((problem) => problem.split(':')[0])).toEqual(missing);
  });
});
