import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { bearer } from '@compliance-graph/testing';
import type { AuthPayload } from './accounts';
import type { graphqlClient } from './graphql-client';
import { uploadFile } from './uploads';

export const PACK = 'id title status evidence { id } createdBy { id } sealedAt sealedBy { id displayName } manifestSha256 signature keyId downloadPath';

/** Every file of a ZIP, by name, in the ZIP's order. */
export async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const archive = await new Promise<ZipFile>((resolve, reject) => fromBuffer(zip, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file!))));
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    archive.on('entry', (entry: Entry) =>
      archive.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream!.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream!.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks));
          archive.readEntry();
        });
      }),
    );
    archive.on('end', resolve);
    archive.on('error', reject);
    archive.readEntry();
  });
  return files;
}

export const ok = <T>(body: { data?: T; errors?: unknown }) => {
  expect(body.errors).toBeUndefined();
  return body.data as any;
};

export interface PackSession {
  gatewayUrl: string;
  gql: ReturnType<typeof graphqlClient>;
  /** Decides the evidence. */
  owner: AuthPayload;
  /** Records the evidence. */
  member: AuthPayload;
}

/** The steps of a pack through the gateway, in a session its spec sets up before the first test. */
export function proofpackSteps(session: () => PackSession) {
  const submitAndDecide = async (id: string, decision: 'APPROVE' | 'REJECT') => {
    const { gql, owner, member } = session();
    ok(await gql('mutation ($id: ID!) { submitEvidence(id: $id) { id } }', { id }, member.accessToken));
    ok(await gql('mutation ($id: ID!, $d: EvidenceDecisionKind!) { decideEvidence(id: $id, decision: $d, rationale: "Matches the control") { id } }', { id, d: decision }, owner.accessToken));
  };
  /** An item recorded by the member with a file, approved by the owner. */
  const approvedItem = async (title: string, content: Buffer, controlRefs: string[]) => {
    const { gatewayUrl, gql, member } = session();
    const { uploadId } = await uploadFile(gatewayUrl, member.accessToken, content, `${title}.pdf`);
    const item = ok(
      await gql(
        `mutation ($input: CreateEvidenceInput!) { createEvidence(input: $input) { id } }`,
        { input: { title, controlRefs, sourceKind: 'UPLOAD', sourceRef: `${title}.pdf`, collectedAt: '2026-10-01T00:00:00.000Z', uploadId } },
        member.accessToken,
      ),
    ).createEvidence;
    await submitAndDecide(item.id, 'APPROVE');
    return item.id as string;
  };
  const createPack = (token: string, ids: string[], title = 'SOC 2 Type II, 2026') =>
    session().gql(`mutation ($t: String!, $ids: [ID!]!) { createProofpack(title: $t, description: "For the auditor", evidenceIds: $ids) { ${PACK} } }`, { t: title, ids }, token);
  const seal = (token: string, id: string) => session().gql(`mutation ($id: ID!) { sealProofpack(id: $id) { ${PACK} } }`, { id }, token);
  const download = (token: string, path: string) => fetch(`${session().gatewayUrl}${path}`, { headers: bearer(token) });
  return { submitAndDecide, approvedItem, createPack, seal, download };
}
