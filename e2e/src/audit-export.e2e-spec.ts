import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leafHashOf } from '@compliance-graph/audit-log';
import { addMember, admin, bearer, closeAdmin, signIn } from '@compliance-graph/testing';
import { signUp, type AuthPayload } from './accounts';
import { graphqlClient } from './graphql-client';
import { startStack, type Stack } from './stack';

const VERIFY_CLI = join(__dirname, '../../tools/verify/dist/main.js');
const TREE_SIZE = 'x-audit-tree-size';
const KEYS = ['id', 'tenantId', 'seq', 'occurredAt', 'recordedAt', 'action', 'actorKind', 'actorId', 'subjectType', 'subjectId', 'service', 'ip', 'userAgent', 'reason', 'data', 'leafHash'];

/** The export a tenant admin downloads, and the offline verifier anyone can run on it. */
describe('audit export and offline verification', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  const dir = mkdtempSync(join(tmpdir(), 'cg-export-'));

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql);
    for (const name of ['One, "quoted"', 'Two\nlines', 'Three']) {
      await gql('mutation ($n: String!) { updateTenantSettings(input: { name: $n }) { id } }', { n: name }, owner.accessToken);
    }
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      const { rows } = await admin().query(`SELECT count(*)::int AS n FROM audit.events WHERE tenant_id = $1`, [owner.tenant.id]);
      if (rows[0].n >= 5) break;
    }
  });
  afterAll(async () => {
    await stack.stop();
    await closeAdmin();
  });

  const download = (query: string, token = owner.accessToken) =>
    fetch(`${stack.gatewayUrl}/audit/export${query}`, { headers: { ...bearer(token), 'user-agent': 'export-spec' } });
  const exportsRecorded = async () =>
    (await admin().query(`SELECT count(*)::int AS n FROM audit.events WHERE tenant_id = $1 AND action = 'audit.exported'`, [owner.tenant.id])).rows[0].n;
  /** Polls until `sql` counts `n` rows: producers' records reach the log through the relay, within seconds. */
  const eventually = async (sql: string, params: unknown[], n: number) => {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      if ((await admin().query(sql, params)).rows[0].n >= n) return;
    }
    throw new Error(`timed out waiting for ${n} rows of ${sql}`);
  };
  const verifyCli = (exportFile: string, checkpointFile: string, keyFile: string) => {
    try {
      return { code: 0, out: execFileSync(process.execPath, [VERIFY_CLI, 'audit', exportFile, '--checkpoint', checkpointFile, '--key', keyFile], { encoding: 'utf8' }) };
    } catch (error) {
      const failed = error as { status: number; stdout: string };
      return { code: failed.status, out: failed.stdout };
    }
  };

  it('streams NDJSON in seq order at one tree size, then records the export beyond it', async () => {
    const answer = await download('?format=ndjson');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/x-ndjson');
    const size = Number(answer.headers.get('x-audit-tree-size'));
    const lines = (await answer.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(size);
    expect(lines.map((r) => r.seq)).toEqual([...Array(size).keys()]);
    expect(Object.keys(lines[0])).toEqual(KEYS);
    expect(lines[0]).toMatchObject({ action: 'tenant.created', tenantId: owner.tenant.id, data: expect.any(Object) });
    let exported: Array<{ action: string; seq: string; actor_kind: string; actor_id: string; ip: string | null; user_agent: string }> = [];
    for (const deadline = Date.now() + 5000; exported.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      exported = (
        await admin().query(
          `SELECT action, seq, actor_kind, actor_id, ip, user_agent FROM audit.events WHERE tenant_id = $1 AND action = 'audit.exported' ORDER BY seq`,
          [owner.tenant.id],
        )
      ).rows;
    }
    expect(exported.length).toBeGreaterThanOrEqual(1);
    expect(Number(exported[0].seq)).toBeGreaterThanOrEqual(size);
    // Who exported, from where, as the gateway forwarded it.
    expect(exported[0]).toMatchObject({ actor_kind: 'USER', actor_id: owner.user.id, ip: '127.0.0.1', user_agent: 'export-spec' });
  });

  it('serves CSV with a header row and data as JSON, quoting what needs it', async () => {
    const answer = await download('?format=csv');
    const text = await answer.text();
    expect(text.split('\r\n')[0]).toBe(KEYS.join(','));
    expect(text).toContain('"{""changes"":{""name"":""One, \\""quoted\\""""}}"');
  });

  it('refuses the wrong caller, role or format with a coded JSON error', async () => {
    expect((await fetch(`${stack.gatewayUrl}/audit/export`)).status).toBe(401);
    const member = await addMember(owner.tenant.id, 'MEMBER');
    const { token } = await signIn(owner.tenant.id, member);
    const forbidden = await download('', token);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    expect((await download('?format=xml')).status).toBe(400);
    expect((await download('?from=yesterday')).status).toBe(400);
  });

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'xml', 'csv&format=ndjson'])(
    'refuses format=%s with BAD_USER_INPUT and serves nothing',
    async (format) => {
      const answer = await download(`?format=${format}`);
      expect(answer.status).toBe(400);
      expect(answer.headers.get(TREE_SIZE)).toBeNull();
      expect(await answer.json()).toEqual({ error: { code: 'BAD_USER_INPUT', message: 'format must be ndjson or csv' } });
    },
  );

  it('neutralises CSV cells a spreadsheet would run as a formula, and keeps them verbatim in NDJSON', async () => {
    const reasons = ['=HYPERLINK("http://evil.test","x")', '+1+2', '-1+2', '@SUM(A1)'];
    for (const reason of reasons) {
      const member = await addMember(owner.tenant.id, 'MEMBER');
      const answer = await gql('mutation ($m: ID!, $r: String!) { revokeMembership(membershipId: $m, reason: $r) { id } }', { m: member.membershipId, r: reason }, owner.accessToken);
      expect(answer.errors).toBeUndefined();
    }
    await eventually(`SELECT count(*)::int AS n FROM audit.events WHERE tenant_id = $1 AND reason = ANY($2)`, [owner.tenant.id, reasons], reasons.length);
    const csv = await (await download('?format=csv')).text();
    for (const cell of ['"\'=HYPERLINK(""http://evil.test"",""x"")"', "'+1+2", "'-1+2", "'@SUM(A1)"]) {
      expect(csv).toContain(`,${cell},`);
    }
    const ndjson = (await (await download('?format=ndjson')).text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(ndjson.filter((r) => reasons.includes(r.reason)).map((r) => r.reason)).toEqual(reasons);
  });

  it('records the export before its first byte: while the record cannot be written, nothing is served', async () => {
    const holder = await admin().connect();
    let answer: Response | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT size FROM audit.log_heads WHERE tenant_id = $1 FOR UPDATE`, [owner.tenant.id]);
      const pending = download('?format=ndjson').then((a) => (answer = a));
      await new Promise((r) => setTimeout(r, 1500));
      expect(answer).toBeUndefined();
      await holder.query('COMMIT');
      await pending;
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const size = Number(answer!.headers.get(TREE_SIZE));
    const { rows } = await admin().query(`SELECT seq FROM audit.events WHERE tenant_id = $1 AND action = 'audit.exported' AND seq = $2`, [owner.tenant.id, size]);
    expect(rows).toHaveLength(1);
    expect((await answer!.text()).trim().split('\n')).toHaveLength(size);
  });

  it('serves no export it could not record', async () => {
    const refuse = `refuse_export_${owner.tenant.id.replace(/-/g, '')}`;
    await admin().query(
      `CREATE FUNCTION public.${refuse}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'recording refused'; END $$`,
    );
    await admin().query(
      `CREATE TRIGGER ${refuse} BEFORE INSERT ON audit.events FOR EACH ROW
       WHEN (NEW.tenant_id = '${owner.tenant.id}' AND NEW.action = 'audit.exported') EXECUTE FUNCTION public.${refuse}()`,
    );
    try {
      const before = await exportsRecorded();
      const answer = await download('?format=ndjson');
      expect(answer.status).toBe(500);
      expect(answer.headers.get(TREE_SIZE)).toBeNull();
      expect(await answer.json()).toEqual({ error: { code: 'INTERNAL_SERVER_ERROR', message: expect.any(String) } });
      expect(await exportsRecorded()).toBe(before);
    } finally {
      await admin().query(`DROP TRIGGER ${refuse} ON audit.events`);
      await admin().query(`DROP FUNCTION public.${refuse}()`);
    }
  });

  describe('the verifier CLI', () => {
    let lines: string[];
    let checkpointFile: string;
    let keyFile: string;

    beforeAll(async () => {
      const answer = await download('?format=ndjson');
      const size = Number(answer.headers.get('x-audit-tree-size'));
      lines = (await answer.text()).trim().split('\n');
      const { data } = await gql(
        'query ($s: Int!) { auditCheckpoint(treeSize: $s) { origin treeSize rootHash body signature keyId issuedAt } auditPublicKeys { keyId publicKeyJwk } }',
        { s: size },
        owner.accessToken,
      );
      checkpointFile = join(dir, 'checkpoint.json');
      keyFile = join(dir, 'key.json');
      writeFileSync(checkpointFile, JSON.stringify(data.auditCheckpoint));
      writeFileSync(keyFile, JSON.stringify(data.auditPublicKeys.find((k: { keyId: string }) => k.keyId === data.auditCheckpoint.keyId).publicKeyJwk));
    });

    const run = (name: string, content: string[]) => {
      const file = join(dir, `${name}.ndjson`);
      writeFileSync(file, `${content.join('\n')}\n`);
      return verifyCli(file, checkpointFile, keyFile);
    };
    const edit = (seq: number, change: (record: Record<string, unknown>) => void) =>
      lines.map((line, i) => {
        if (i !== seq) return line;
        const record = JSON.parse(line);
        change(record);
        return JSON.stringify(record);
      });

    it('accepts the untouched export', () => {
      expect(run('intact', lines)).toEqual({ code: 0, out: `ok, ${lines.length} events\n` });
    });

    it.each([
      ['an edited record', () => edit(2, (r) => (r.reason = 'nothing to see')), 2],
      ['a deleted record', () => lines.filter((_, i) => i !== 1), 1],
      ['two records swapped', () => [lines[0], lines[2], lines[1], ...lines.slice(3)], 1],
      ['an inserted record', () => [...lines.slice(0, 3), lines[2], ...lines.slice(3)], 3],
      ['a truncated tail', () => lines.slice(0, 3), 3],
    ])('reports %s at the right seq', (name, tamper, seq) => {
      const verdict = run(name.replace(/\s/g, '-'), tamper());
      expect(verdict.code).toBe(1);
      expect(verdict.out).toMatch(new RegExp(`^FAILED at seq ${seq}:`));
    });

    it('reports a record rewritten together with its leaf hash by the signed root', () => {
      const forged = edit(1, (r) => (r.reason = 'forged'));
      const verdict = run('forged-hash', forged.map((line, i) => (i === 1 ? rehash(line) : line)));
      expect(verdict.code).toBe(1);
      expect(verdict.out).toMatch(/differs from the signed one/);
    });

    it('refuses a checkpoint signed by another key', () => {
      const other = join(dir, 'other-key.json');
      writeFileSync(other, JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }));
      const file = join(dir, 'intact-again.ndjson');
      writeFileSync(file, `${lines.join('\n')}\n`);
      expect(verifyCli(file, checkpointFile, other)).toEqual({ code: 1, out: 'FAILED: the checkpoint signature does not verify with this key\n' });
    });
  });
});

/** What a forger with the database would do: recompute the record's own leaf hash. */
function rehash(line: string): string {
  const record = JSON.parse(line);
  return JSON.stringify({ ...record, leafHash: leafHashOf(record).toString('hex') });
}
