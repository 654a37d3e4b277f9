import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { defineBench, step } from './bench';
import { gatewayGraphql } from './gateway-graphql';
import { number, numbers } from './options';
import { startPlatform } from './platform';
import { startBenchPostgres } from './postgres';
import { elapsedMs, peakRss, summarise } from './stats';
import { figure, ms, table } from './table';

const MiB = 1_048_576;

/** `bytes` of random-looking content, generated chunk by chunk: the client holds one MiB, whatever the file's size. */
function content(bytes: number): Readable {
  const block = randomBytes(MiB);
  let left = bytes;
  return new Readable({
    read() {
      const size = Math.min(left, block.length);
      left -= size;
      this.push(size > 0 ? block.subarray(0, size) : null);
    },
  });
}

/**
 * POSTs a stream with node:http and pipeline, so the body is read only as fast as the socket
 * takes it (chunked); fetch buffers a streamed body ahead of the socket, which would show as the
 * client's memory growing with the file.
 */
function streamedPost(url: string, body: Readable, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: 'POST', headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      answer.on('error', reject);
    });
    sent.on('error', reject);
    pipeline(body, sent).catch(reject);
  });
}

export const evidenceBench = defineBench({
  summary: 'evidence: upload throughput and peak memory through the gateway by file size, and sealing and downloading a proofpack',
  options: {
    sizes: numbers([1, 50, 200], 'upload sizes in MiB, one row each', { min: 1, max: 4096, integer: true }),
    rounds: number(3, 'uploads per size (the median is reported)', { min: 1, integer: true }),
    packItems: number(100, 'approved items in the sealed proofpack', { min: 1, max: 500, integer: true }),
    itemKb: number(64, 'size of each packed item in KiB', { min: 1, integer: true }),
  },
  async run(options, { onStop, print, progress }) {
    const largest = Math.max(...options.sizes) * MiB;
    const blobDir = mkdtempSync(join(tmpdir(), 'cg-bench-blobs-'));
    onStop(async () => rmSync(blobDir, { recursive: true, force: true }));
    const postgres = await step('starting PostgreSQL', startBenchPostgres);
    onStop(postgres.stop);
    // The gateway and evidence take one limit, as a deployment sets it; the request window must fit the largest upload.
    const stack = await step('starting the platform', () =>
      startPlatform(postgres, { MAX_UPLOAD_BYTES: String(largest + MiB), EVIDENCE_BLOB_DIR: blobDir, REQUEST_TIMEOUT_MS: '600000', OUTBOX_POLL_INTERVAL_MS: '100' }),
    );
    onStop(stack.stop);
    print(`postgres: PostgreSQL ${postgres.version}, ${postgres.description}; blobs on local disk (${blobDir})`);

    const graphql = gatewayGraphql(stack.gatewayUrl);
    const upload = async (token: string, bytes: number, name: string) => {
      const answer = await streamedPost(`${stack.gatewayUrl}/evidence/uploads`, content(bytes), {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'x-file-name': name,
      });
      if (answer.status !== 201) throw new Error(`upload of ${bytes} bytes: HTTP ${answer.status} ${answer.text}`);
      return JSON.parse(answer.text) as { uploadId: string };
    };

    const { owner, member } = await step('signing up a tenant and a member', async () => {
      const run = randomBytes(4).toString('hex');
      const password = `bench password ${run}`;
      const signedUp = await graphql('mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
        i: { tenantSlug: `bench-${run}`, tenantName: 'Bench', email: `owner@bench-${run}.example`, password, displayName: 'Bench owner' },
      });
      const invited = await graphql('mutation ($e: String!) { inviteMember(email: $e, role: MEMBER) { token } }', { e: `member@bench-${run}.example` }, signedUp.signUp.accessToken);
      const accepted = await graphql('mutation ($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { accessToken } }', {
        i: { token: invited.inviteMember.token, displayName: 'Bench member', password },
      });
      return { owner: signedUp.signUp.accessToken as string, member: accepted.acceptInvitation.accessToken as string };
    });

    const uploads = [];
    for (const sizeMiB of options.sizes) {
      const seconds: number[] = [];
      let peakMiB = 0;
      for (let round = 0; round < options.rounds; round++) {
        progress(`uploading ${sizeMiB} MiB, round ${round + 1} of ${options.rounds}`);
        const started = process.hrtime.bigint();
        const measured = await peakRss(() => upload(member, sizeMiB * MiB, `bench-${sizeMiB}.bin`));
        seconds.push(elapsedMs(started) / 1000);
        peakMiB = Math.max(peakMiB, measured.peakMiB);
      }
      const median = summarise(seconds).p50;
      uploads.push({ sizeMiB, medianSeconds: median, mibPerSecond: sizeMiB / median, peakRssMiB: peakMiB });
    }

    progress(`recording ${options.packItems} items of ${options.itemKb} KiB, submitting and approving them`);
    const ids: string[] = [];
    for (let n = 0; n < options.packItems; n++) {
      const { uploadId } = await upload(member, options.itemKb * 1024, `item-${n}.pdf`);
      const created = await graphql(
        'mutation ($i: CreateEvidenceInput!) { createEvidence(input: $i) { id } }',
        { i: { title: `Bench item ${n}`, controlRefs: [`SOC2:CC${(n % 9) + 1}.1`], sourceKind: 'UPLOAD', sourceRef: `item-${n}.pdf`, collectedAt: '2026-01-01T00:00:00Z', uploadId } },
        member,
      );
      ids.push(created.createEvidence.id);
      await graphql('mutation ($id: ID!) { submitEvidence(id: $id) { id } }', { id: created.createEvidence.id }, member);
      await graphql('mutation ($id: ID!) { decideEvidence(id: $id, decision: APPROVE, rationale: "bench") { id } }', { id: created.createEvidence.id }, owner);
    }
    const pack = await graphql('mutation ($ids: [ID!]!) { createProofpack(title: "Bench pack", evidenceIds: $ids) { id } }', { ids }, owner);
    progress('sealing the proofpack');
    const sealStarted = process.hrtime.bigint();
    const sealed = await graphql('mutation ($id: ID!) { sealProofpack(id: $id) { downloadPath } }', { id: pack.createProofpack.id }, owner);
    const sealMs = elapsedMs(sealStarted);
    progress('downloading it');
    const downloadStarted = process.hrtime.bigint();
    const answer = await fetch(`${stack.gatewayUrl}${sealed.sealProofpack.downloadPath}`, { headers: { authorization: `Bearer ${owner}` } });
    const hash = createHash('sha256');
    let packageBytes = 0;
    for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      packageBytes += chunk.length;
    }
    const downloadMs = elapsedMs(downloadStarted);
    const intact = answer.headers.get('etag') === `"${hash.digest('hex')}"`;

    print();
    print('`POST /evidence/uploads` through the gateway, one at a time, content streamed by the client (this process holds gateway, subgraphs and client)');
    print(
      table(uploads, {
        file: (u) => `${u.sizeMiB} MiB`,
        'median time': (u) => ms(u.medianSeconds * 1000),
        'MiB/s': (u) => figure(u.mibPerSecond),
        'peak RSS': (u) => `${figure(u.peakRssMiB, 0)} MiB`,
      }),
    );
    print();
    print(`proofpack of ${options.packItems} approved items of ${options.itemKb} KiB: seal ${ms(sealMs)}, download ${ms(downloadMs)} (${figure(packageBytes / MiB)} MiB, ETag ${intact ? 'matches' : 'DOES NOT match'} the bytes)`);
    return {
      figures: { uploads, proofpack: { items: options.packItems, itemKiB: options.itemKb, sealMs, downloadMs, packageBytes, intact } },
      failures: intact ? [] : ['the downloaded proofpack does not match its ETag'],
    };
  },
});
