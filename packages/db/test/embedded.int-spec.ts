import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const FIXTURE = join(__dirname, 'embedded-server.fixture.cjs');

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Started {
  process: ChildProcess;
  postgresPid: number;
  url: string;
}

function startInChild(dataDir: string, port: number): Promise<Started> {
  const child = spawn(process.execPath, [FIXTURE, dataDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const up = /^up (\d+) (\S+)$/m.exec(output);
      if (up) resolve({ process: child, postgresPid: Number(up[1]), url: up[2] });
      else if (output.includes('failed')) reject(new Error(output));
    });
    child.on('exit', () => reject(new Error(`starter exited: ${output}`)));
  });
}

const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });

async function ping(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

/** A crashed `npm start` must not block the next one. Needs the built db package (npm test builds). */
describe('embedded PostgreSQL after a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cg-embedded-'));
  const dataDir = join(dir, 'postgres');
  const port = () => 21000 + Math.floor(Math.random() * 9000);
  const orphans: number[] = [];

  // As root, PostgreSQL runs as the `postgres` user, which must reach the data directory.
  beforeAll(() => chmodSync(dir, 0o755));
  afterAll(() => {
    for (const pid of orphans) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes over from a postgres that a killed start left running', async () => {
    const crashed = await startInChild(dataDir, port());
    orphans.push(crashed.postgresPid);
    crashed.process.kill('SIGKILL');
    await new Promise((r) => crashed.process.on('exit', r));
    expect(isAlive(crashed.postgresPid)).toBe(true);

    const next = await startInChild(dataDir, port());
    expect(isAlive(crashed.postgresPid)).toBe(false);
    expect(await ping(next.url)).toBe(1);
    await stopped(next.process);
    expect(isAlive(next.postgresPid)).toBe(false);
  });

  it('starts despite a pid file whose process is gone', async () => {
    writeFileSync(join(dataDir, 'postmaster.pid'), '999999\n');
    const next = await startInChild(dataDir, port());
    expect(await ping(next.url)).toBe(1);
    await stopped(next.process);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });
});
