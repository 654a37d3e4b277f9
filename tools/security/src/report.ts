// The app packages the launcher imports for their migrations declare decorated classes, which need this first.
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runFaults } from './faults';

/**
 * npm run security:report: the whole security proof in one run, with its figures. The isolation
 * matrix, the catalog and login checks, row-level security without shield, the escalation
 * operations and the hostile requests run as the Jest specs they are (on the database `npm test`
 * uses); then the fault run. Prints a block for the README's security section and exits
 * non-zero when anything failed.
 */

const ROOT = resolve(__dirname, '../../..');
const SPECS = [
  'e2e/src/isolation-coverage.spec.ts',
  'e2e/src/isolation-matrix.e2e-spec.ts',
  'e2e/src/database-catalog.int-spec.ts',
  'e2e/src/database-logins.int-spec.ts',
  'e2e/src/tenant-isolation.int-spec.ts',
  'e2e/src/principal-change.e2e-spec.ts',
  'e2e/src/hostile-input.e2e-spec.ts',
];

interface JestFile {
  name: string;
  assertionResults: Array<{ status: string }>;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const count = (n: number) => n.toLocaleString('en-US');

function runSpecs(figuresDir: string): { files: JestFile[]; ok: boolean } {
  const output = join(figuresDir, 'jest.json');
  const jest = require.resolve('jest/bin/jest', { paths: [ROOT] });
  const run = spawnSync(process.execPath, [jest, '--json', `--outputFile=${output}`, ...SPECS], {
    cwd: ROOT,
    env: { ...process.env, SECURITY_REPORT_DIR: figuresDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!existsSync(output)) throw new Error(`jest wrote no results (exit ${run.status})`);
  const results = JSON.parse(readFileSync(output, 'utf8')) as { success: boolean; testResults: JestFile[] };
  return { files: results.testResults, ok: results.success && run.status === 0 };
}

const figures = (dir: string, spec: string): Record<string, number> => {
  const file = join(dir, `${spec}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
};

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-security-'));
  try {
    say('running the security specs ...');
    const specs = runSpecs(dir);
    const tests = (suffix: string) => {
      const file = specs.files.find((f) => f.name.endsWith(suffix));
      const results = file?.assertionResults ?? [];
      return { passed: results.filter((r) => r.status === 'passed').length, total: results.length };
    };
    const matrix = figures(dir, 'isolation-matrix');
    const hostile = figures(dir, 'hostile-input');
    say('running the fault run ...');
    const faults = await runFaults((line) => say(`  ${line}`));
    const catalog = tests('database-catalog.int-spec.ts');
    const logins = tests('database-logins.int-spec.ts');
    const rls = tests('tenant-isolation.int-spec.ts');
    const escalation = tests('principal-change.e2e-spec.ts');
    const coverage = tests('isolation-coverage.spec.ts');

    say('');
    say('```');
    say(`isolation matrix    ${count(matrix.cellsChecked ?? 0)} cells checked, ${count((matrix.cellsChecked ?? 0) - (matrix.cellsWrong ?? 0))} correct (${count(matrix.foreignCellsChecked ?? 0)} of them another tenant's OWNER, no byte leaked)`);
    say(`                    coverage: ${coverage.passed}/${coverage.total} checks (a coordinate without a policy row fails)`);
    say(`operations          ${count(matrix.operationsTried ?? 0)} multi-field operations tried, ${count((matrix.operationsTried ?? 0) - (matrix.operationsWrong ?? 0))} answered as the policy says`);
    say(`                    escalation e2e: ${escalation.passed}/${escalation.total} tests`);
    say(`database            catalog ${catalog.passed}/${catalog.total}, logins ${logins.passed}/${logins.total}, RLS without shield ${rls.passed}/${rls.total}`);
    say(`hostile input       ${count(hostile.hostileSent ?? 0)} hostile requests sent, ${count(hostile.hostileRefused ?? 0)} refused with a coded answer and no leak`);
    say(`faults              ${faults.faultsInjected} injected (SIGKILL: audit, identity mid-batch with ${faults.inFlightAtKill} events in flight, evidence, PostgreSQL), ${faults.faultsSurvived} survived`);
    say(`                    writes: ${count(faults.writesAcknowledged)} acknowledged, ${count(faults.writesStored)} stored, ${faults.acknowledgedButLost} acknowledged but lost`);
    say(`                    audit events: ${count(faults.eventsExpected)} expected, ${count(faults.eventsStored)} stored, ${faults.eventsLost} lost, ${faults.eventsDuplicated} duplicated, ${faults.eventsDead} dead; ${faults.logsVerified} tenant logs verify`);
    say(`                    during the evidence outage: ${faults.outageAnswer}`);
    say('```');
    const ok = specs.ok && faults.ok;
    say(ok ? 'security report: everything holds' : 'security report: FAILED (see above)');
    return ok ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`security report failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
