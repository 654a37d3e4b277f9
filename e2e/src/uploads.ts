import { bearer } from '@compliance-graph/testing';

/** A file uploaded as a client sends one: the raw body through the gateway, its name percent-encoded. */
export async function uploadFile(gatewayUrl: string, token: string, content: Buffer, fileName = 'minutes.pdf'): Promise<{ uploadId: string; sha256: string; sizeBytes: number }> {
  const answer = await fetch(`${gatewayUrl}/evidence/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/pdf', 'x-file-name': encodeURIComponent(fileName), ...bearer(token) },
    body: new Uint8Array(content),
  });
  if (answer.status !== 201) throw new Error(`upload refused: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as { uploadId: string; sha256: string; sizeBytes: number };
}
