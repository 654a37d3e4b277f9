import { execFileSync } from 'node:child_process';
import { testDatabaseUrl } from '@compliance-graph/testing';
import { candidateDirectories, majorOf, pgToolsFor, serverMajor } from './pg-tools';

describe('choosing pg_dump and pg_restore', () => {
  it('reads the major version from what the tools print, Debian suffixes and all', () => {
    expect(majorOf('pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)\n')).toBe(15);
    expect(majorOf('pg_restore (PostgreSQL) 18.0\n')).toBe(18);
    expect(majorOf('pg_dump: command not found')).toBeUndefined();
  });

  it('refuses a server version no installed tool matches, saying which versions it found', async () => {
    const found = candidateDirectories();
    await expect(pgToolsFor(99, found)).rejects.toThrow(/^no pg_dump and pg_restore of PostgreSQL 99, the server's version \(found (only \d+ \(\/.+\)|none)\); install the PostgreSQL 99 client tools/);
    await expect(pgToolsFor(15, ['/nonexistent/bin'])).rejects.toThrow("no pg_dump and pg_restore of PostgreSQL 15, the server's version (found none)");
  });

  it("picks tools of exactly the test server's major version, or says there are none", async () => {
    const major = await serverMajor(testDatabaseUrl());
    const chosen = await pgToolsFor(major).catch((error: Error) => error);
    if (chosen instanceof Error) {
      expect(chosen.message).toContain(`no pg_dump and pg_restore of PostgreSQL ${major}`);
      return;
    }
    for (const tool of [chosen.pgDump, chosen.pgRestore]) expect(majorOf(execFileSync(tool, ['--version'], { encoding: 'utf8' }))).toBe(major);
  });
});
