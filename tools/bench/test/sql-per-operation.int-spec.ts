import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { growing, type OperationCount } from '../src/sql-operations';

/** The built bench, run as `npm run bench -- sql` runs it: its embedded PostgreSQL is an ES module Jest's registry cannot load. */
const BENCH = resolve(__dirname, '../dist/main.js');
/** Large enough that a statement per row shows as twenty more, small enough to seed in seconds. */
const SIZES = [10, 30];

function runBench(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BENCH, ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

describe('SQL statements per canonical operation (npm run bench -- sql, smaller)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-sql-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stays the same from 10 to 30 rows in every list the operation reads', async () => {
    const json = join(dir, 'sql.json');
    const { code, stderr } = await runBench(['sql', '--sizes', SIZES.join(','), '--json', json]);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { operations: OperationCount[] };

    expect(report.operations.map((row) => row.operation)).toContain('EvidenceList');
    // Names each operation that grew, with both counts.
    expect(growing(report.operations, SIZES)).toEqual([]);
    // Every answer without errors and with its lists full: a count over an empty list proves nothing.
    expect(stderr.split('\n').filter((line) => line.startsWith('bench sql'))).toEqual([]);
    expect(code).toBe(0);
  }, 600_000);
});
