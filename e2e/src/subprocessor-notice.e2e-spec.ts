import { createPublicKey } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { leafHashOf, verifyCheckpoint, verifyInclusion, type ExportRecord } from '@compliance-graph/audit-log';
import { closeAdmin, postGraphql, startWebhookReceiver, type Answer, type WebhookReceiver } from '@compliance-graph/testing';
import { joinTenant, signUp, type AuthPayload } from './accounts';
import { codeOf, graphqlClient } from './graphql-client';
import { ROUTER_SECRET, startStack, type Stack } from './stack';
import { ANNOUNCE, entry } from './subprocessors';

const DAY = 86_400_000;
const EVENT_FIELDS = 'id seq occurredAt recordedAt action actorKind actorId subjectType subjectId service ip userAgent reason data leafHash';
const NOTICE = `query { subprocessorChanges { id kind notice {
  changeId announcedAt subscriptionsNotified
  deliveries { subscriptionId url ownerName attempt attemptedAt outcome httpStatus }
  announcement { ${EVENT_FIELDS} }
  announcementProof { eventId leafIndex treeSize leafHash auditPath checkpoint { origin treeSize rootHash body signature keyId } }
} } }`;

interface NoticeDelivery {
  subscriptionId: string;
  url: string;
  ownerName: string | null;
  attempt: number;
  outcome: string;
  httpStatus: number | null;
}

/** Proof of notice of an announced change: who was told and when, and the announcement's place in the audit log. */
describe('subprocessors: proof of notice', () => {
  let stack: Stack;
  let gql: ReturnType<typeof graphqlClient>;
  let owner: AuthPayload;
  let partnerKey: string;
  let partnerMember: AuthPayload;
  let member: AuthPayload;
  let auditor: AuthPayload;
  let manager: AuthPayload;
  let foreignOwner: AuthPayload;
  let changeId: string;
  let steady: WebhookReceiver;
  let flaky: WebhookReceiver;
  const subscriptions: Record<string, string> = {};

  const ok = async (query: string, variables: Record<string, unknown>, token: string) => {
    const answer = await gql(query, variables, token);
    expect(answer.errors).toBeUndefined();
    return answer.data;
  };
  const until = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
      const found = await probe();
      if (found !== undefined) return found;
    }
    throw new Error('not within time');
  };
  const subscribe = async (credential: string, answer?: Answer) => {
    const receiver = await startWebhookReceiver(answer);
    const created = (
      await ok(
        'mutation ($url: String!) { createWebhookSubscription(url: $url, eventTypes: ["subprocessor.change_announced", "subprocessor.change_cancelled"]) { secret subscription { id } } }',
        { url: receiver.url },
        credential,
      )
    ).createWebhookSubscription;
    receiver.useSecret(created.secret);
    subscriptions[receiver.url] = created.subscription.id;
    return receiver;
  };
  const noticeOf = async (token: string) => {
    const answer = await gql(NOTICE, {}, token);
    return { answer, change: answer.data?.subprocessorChanges?.find((c: { id: string }) => c.id === changeId) };
  };
  const entities = async (subgraph: 'subprocessors' | 'audit', selection: string, token: string, id = changeId) =>
    (
      await postGraphql(
        `${stack.subgraphUrls[subgraph]}/graphql`,
        {
          query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on SubprocessorChangeNotice { ${selection} } } }`,
          variables: { r: [{ __typename: 'SubprocessorChangeNotice', changeId: id }] },
        },
        { authorization: `Bearer ${token}`, [ROUTER_SECRET_HEADER]: ROUTER_SECRET },
      )
    ).body as { data?: { _entities: unknown[] }; errors?: Array<{ extensions: Record<string, unknown> }> };

  beforeAll(async () => {
    stack = await startStack();
    gql = graphqlClient(stack.gatewayUrl);
    owner = await signUp(gql, 'Notice');
    partnerKey = (
      await ok(
        'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
        { i: { name: 'Partner Key Ltd', role: 'PARTNER', expiresAt: new Date(Date.now() + 30 * DAY).toISOString() } },
        owner.accessToken,
      )
    ).createApiKey.secret;
    partnerMember = await joinTenant(gql, owner.accessToken, 'PARTNER');
    member = await joinTenant(gql, owner.accessToken, 'MEMBER');
    auditor = await joinTenant(gql, owner.accessToken, 'AUDITOR');
    manager = await joinTenant(gql, owner.accessToken, 'COMPLIANCE_MANAGER');
    foreignOwner = await signUp(gql, 'Elsewhere');
    steady = await subscribe(partnerKey);
    flaky = await subscribe(partnerMember.accessToken, (response, n) => response.writeHead(n === 0 ? 500 : 204).end());
    changeId = (await ok(ANNOUNCE, { input: { kind: 'ADDED', entry: entry({ name: 'Noticed GmbH' }), effectiveAt: new Date(Date.now() + 40 * DAY).toISOString() } }, manager.accessToken))
      .announceSubprocessorChange.id;
  });
  afterAll(async () => {
    await Promise.all([steady, flaky].map((receiver) => receiver?.stop()));
    await stack.stop();
    await closeAdmin();
  });

  it('shows every delivery of the announcement with its outcome, and the audit event with a proof that verifies offline', async () => {
    const change = await until(async () => {
      const { change: found } = await noticeOf(owner.accessToken);
      return found.notice.deliveries.length === 3 && found.notice.announcementProof ? found : undefined;
    });
    const { notice } = change;
    expect(notice).toMatchObject({ changeId, announcedAt: expect.any(String), subscriptionsNotified: 2 });
    const deliveries = notice.deliveries as NoticeDelivery[];
    // Attempts are in time order; the two subscriptions' first attempts may come either way round.
    const of = (receiver: WebhookReceiver) => deliveries.filter((d) => d.subscriptionId === subscriptions[receiver.url]).map((d) => [d.url, d.ownerName, d.attempt, d.outcome, d.httpStatus]);
    expect(of(steady)).toEqual([[steady.url, 'Partner Key Ltd', 1, 'DELIVERED', 204]]);
    expect(of(flaky)).toEqual([
      [flaky.url, 'PARTNER person', 1, 'FAILED', 500],
      [flaky.url, 'PARTNER person', 2, 'DELIVERED', 204],
    ]);
    // The receivers were told about exactly this change, signed.
    for (const receiver of [steady, flaky]) {
      expect(receiver.received.every((r) => r.signatureValid && JSON.parse(r.body).change.id === changeId)).toBe(true);
    }

    const event = notice.announcement;
    expect(event).toMatchObject({ action: 'subprocessor.change_announced', subjectType: 'SubprocessorChange', subjectId: changeId, service: 'subprocessors' });
    expect(event.data.eventId).toBe(steady.received[0].headers['x-event-id']);

    // Offline: the record hashes to its leaf, the leaf is in the tree, the tree's root is signed by the audit key.
    const record = { ...event, tenantId: owner.tenant.id } as ExportRecord;
    const proof = notice.announcementProof;
    expect(leafHashOf(record).toString('hex')).toBe(proof.leafHash);
    expect(proof).toMatchObject({ eventId: event.id, leafIndex: event.seq, leafHash: event.leafHash });
    const path = (proof.auditPath as string[]).map((h) => Buffer.from(h, 'hex'));
    expect(verifyInclusion(Buffer.from(proof.leafHash, 'hex'), proof.leafIndex, proof.treeSize, path, Buffer.from(proof.checkpoint.rootHash, 'hex'))).toBe(true);
    const keys = (await ok('{ auditPublicKeys { keyId publicKeyJwk } }', {}, owner.accessToken)).auditPublicKeys as Array<{ keyId: string; publicKeyJwk: object }>;
    const key = createPublicKey({ key: keys.find((k) => k.keyId === proof.checkpoint.keyId)!.publicKeyJwk as never, format: 'jwk' });
    const signed = verifyCheckpoint(proof.checkpoint, key);
    expect(signed?.treeSize).toBe(proof.treeSize);
    expect(signed?.rootHash.toString('hex')).toBe(proof.checkpoint.rootHash);
    // A path that is one hash off does not verify against the signed root.
    const tampered = path.length ? [Buffer.alloc(32, 1), ...path.slice(1)] : [Buffer.alloc(32, 1)];
    expect(verifyInclusion(Buffer.from(proof.leafHash, 'hex'), proof.leafIndex, proof.treeSize, tampered, signed!.rootHash)).toBe(false);
  });

  it('keeps deliveries of the change’s later events out of the notice', async () => {
    await ok('mutation ($id: ID!) { cancelSubprocessorChange(id: $id, reason: "withdrawn") { status } }', { id: changeId }, manager.accessToken);
    await until(async () => (steady.received.length === 2 ? true : undefined));
    await sleep(300);
    const { change } = await noticeOf(owner.accessToken);
    expect(change.notice.deliveries).toHaveLength(3);
    expect(change.notice.announcement.action).toBe('subprocessor.change_announced');
  });

  it('lets AUDITOR and COMPLIANCE_MANAGER read it as the OWNER does; refuses partners (member and key) and members while they still read the change', async () => {
    for (const token of [auditor.accessToken, manager.accessToken]) {
      const { answer, change } = await noticeOf(token);
      expect(answer.errors).toBeUndefined();
      expect(change.notice.deliveries).toHaveLength(3);
      expect(change.notice.announcementProof.eventId).toBe(change.notice.announcement.id);
    }
    for (const token of [partnerKey, partnerMember.accessToken, member.accessToken]) {
      const { answer, change } = await noticeOf(token);
      expect(codeOf(answer)).toBe('FORBIDDEN');
      expect(answer.errors!.every((e) => e.extensions.code === 'FORBIDDEN' && (e as unknown as { path: unknown[] }).path.at(-1) === 'notice')).toBe(true);
      // The change itself is still theirs to read; only the notice is withheld, and nothing of it leaks.
      expect(change).toEqual({ id: changeId, kind: 'ADDED', notice: null });
      expect(JSON.stringify(answer)).not.toContain(steady.url);
      const plain = await gql('query { subprocessorChanges { id kind } }', {}, token);
      expect(plain.errors).toBeUndefined();
      expect(plain.data.subprocessorChanges.map((c: { id: string }) => c.id)).toContain(changeId);
    }
  });

  it('gives partners and members nothing at each subgraph’s _entities either', async () => {
    for (const token of [partnerMember.accessToken, member.accessToken]) {
      // The owner of the notice finds none for them, as for a change that does not exist.
      expect(await entities('subprocessors', 'changeId deliveries { url }', token)).toEqual({ data: { _entities: [null] } });
      expect(await entities('audit', 'announcement { id } announcementProof { leafHash }', token)).toEqual({ data: { _entities: [null] } });
    }
  });

  it("gives another tenant's OWNER nothing of the notice at either subgraph", async () => {
    const subprocessors = await entities('subprocessors', 'changeId announcedAt deliveries { url ownerName }', foreignOwner.accessToken);
    expect(subprocessors).toEqual({ data: { _entities: [null] } });
    const audit = await entities('audit', `announcement { id data } announcementProof { leafHash auditPath }`, foreignOwner.accessToken);
    expect(audit).toEqual({ data: { _entities: [null] } });
    // The owner of the change reads the same representations.
    const own = await entities('audit', 'announcement { subjectId }', owner.accessToken);
    expect(own.data?._entities).toEqual([{ announcement: { subjectId: changeId } }]);
    // A malformed key names nothing, at both.
    expect((await entities('subprocessors', 'changeId', owner.accessToken, 'not-a-uuid\u0000')).data?._entities).toEqual([null]);
    expect((await entities('audit', 'announcement { id }', owner.accessToken, 'x'.repeat(5000))).data?._entities).toEqual([null]);
  });

  it('answers the notices of several changes announced in parallel in one request', async () => {
    const more = await Promise.all(
      [1, 2, 3].map(async (n) =>
        (await ok(ANNOUNCE, { input: { kind: 'ADDED', entry: entry({ name: `Parallel ${n}` }), effectiveAt: new Date(Date.now() + 40 * DAY).toISOString() } }, manager.accessToken))
          .announceSubprocessorChange.id as string,
      ),
    );
    const answered = await until(async () => {
      const answer = await gql(NOTICE, {}, auditor.accessToken);
      const mine = answer.data.subprocessorChanges.filter((c: { id: string }) => more.includes(c.id));
      return mine.every((c: { notice: { announcement: unknown; deliveries: unknown[] } }) => c.notice.announcement && c.notice.deliveries.length >= 2) ? answer : undefined;
    });
    expect(answered.errors).toBeUndefined();
    const proofs = answered.data.subprocessorChanges.map((c: { notice: { announcementProof: { eventId: string } | null; announcement: { id: string } | null } }) => c.notice);
    for (const notice of proofs) expect(notice.announcementProof?.eventId).toBe(notice.announcement?.id);
  });
});
