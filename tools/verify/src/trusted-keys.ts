import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** The graph's published verification keys, as one query asks for them. */
export const TRUSTED_KEYS_QUERY = '{ proofpackSigningKeys { keyId publicKeyJwk } auditPublicKeys { keyId publicKeyJwk } }';

const publishedKey = z.object({ keyId: z.string().min(1), publicKeyJwk: z.record(z.string(), z.unknown()) });

/** The gateway's answer to TRUSTED_KEYS_QUERY: what --graph fetches and what --keys reads, saved. */
const trustedKeysAnswer = z.object({
  data: z.object({ proofpackSigningKeys: z.array(publishedKey), auditPublicKeys: z.array(publishedKey) }),
});

export type PublishedKey = z.infer<typeof publishedKey>;

/**
 * Keys by role: a proofpack is signed only with a proofpack signing key and its checkpoint only
 * with an audit key, so whoever holds one cannot stand in for the other.
 */
export interface TrustedKeys {
  signing: PublishedKey[];
  checkpoint: PublishedKey[];
  /** Where they came from, for the ok line. */
  source: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

function fromAnswer(answer: unknown, source: string): TrustedKeys {
  const parsed = trustedKeysAnswer.safeParse(answer);
  if (!parsed.success) throw new Error(`${source} is not an answer to ${TRUSTED_KEYS_QUERY}`);
  return { signing: parsed.data.data.proofpackSigningKeys, checkpoint: parsed.data.data.auditPublicKeys, source };
}

/** A saved answer of the gateway, e.g. `curl ... > trusted-keys.json` once, then used offline. */
export async function trustedKeysFromFile(path: string): Promise<TrustedKeys> {
  let answer: unknown;
  try {
    answer = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the key file ${path}: ${(error as Error).message}`);
  }
  return fromAnswer(answer, `the key file ${path}`);
}

/** The keys the graph publishes now, asked of the gateway with the caller's access token. */
export async function trustedKeysFromGraph(gatewayUrl: string, token: string): Promise<TrustedKeys> {
  const url = `${gatewayUrl.replace(/\/+$/, '')}/graphql`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: TRUSTED_KEYS_QUERY }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok || (answer as { errors?: unknown } | undefined)?.errors) {
    throw new Error(`${url} did not publish its keys (HTTP ${response.status}): ${JSON.stringify(answer ?? null).slice(0, 300)}`);
  }
  return fromAnswer(answer, url);
}
