import { randomUUID } from 'node:crypto';

export interface LoadTenant {
  tenantId: string;
  slug: string;
  accessToken: string;
  refreshToken: string;
  /** Ids of API keys whose creation the platform acknowledged (answered with the key). */
  acknowledged: string[];
  /**
   * Names of creations whose outcome the client cannot know: no answer (the connection broke)
   * or INTERNAL_SERVER_ERROR (the service or database died around the commit). They may or
   * may not have been stored.
   */
  unanswered: string[];
  /** Creations refused with a coded error that says so (UNAUTHENTICATED, RATE_LIMITED, ...): never stored. */
  refused: string[];
}

const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken tenant { id slug } } }';
const REFRESH = 'mutation ($token: String!) { refreshSession(refreshToken: $token) { accessToken refreshToken } }';
const CREATE_KEY = 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }';

async function post(gatewayUrl: string, query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  return (await response.json()) as { data?: Record<string, any>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/**
 * Mutations from several tenants, one writer per tenant, for as long as it runs: each creates
 * API keys (one state change and one audit event each) and records what the platform answered.
 * A writer whose token stops working (its session check failed while identity was down) signs
 * in again with its refresh token and goes on.
 */
export class WriteLoad {
  private running = false;
  private writers: Promise<void>[] = [];

  private constructor(
    private readonly gatewayUrl: string,
    readonly tenants: LoadTenant[],
  ) {}

  static async signUp(gatewayUrl: string, count: number): Promise<WriteLoad> {
    const tenants: LoadTenant[] = [];
    for (let i = 0; i < count; i++) {
      const tag = randomUUID().slice(0, 8);
      const answer = await post(gatewayUrl, SIGN_UP, {
        input: { tenantName: `Fault load ${i}`, tenantSlug: `faults-${tag}`, email: `faults-${tag}@example.test`, password: 'a long enough password', displayName: `Writer ${i}` },
      });
      if (!answer.data) throw new Error(`sign-up failed: ${JSON.stringify(answer.errors)}`);
      const { accessToken, refreshToken, tenant } = answer.data.signUp;
      tenants.push({ tenantId: tenant.id, slug: tenant.slug, accessToken, refreshToken, acknowledged: [], unanswered: [], refused: [] });
    }
    return new WriteLoad(gatewayUrl, tenants);
  }

  start(): void {
    this.running = true;
    this.writers = this.tenants.map((tenant) => this.write(tenant));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.writers);
  }

  get acknowledgedCount(): number {
    return this.tenants.reduce((sum, tenant) => sum + tenant.acknowledged.length, 0);
  }

  private async write(tenant: LoadTenant): Promise<void> {
    const expiresAt = new Date(Date.now() + 30 * 86400_000).toISOString();
    let sequence = 0;
    while (this.running) {
      const name = `load key ${++sequence}`;
      try {
        const answer = await post(this.gatewayUrl, CREATE_KEY, { input: { name, role: 'AUDITOR', expiresAt } }, tenant.accessToken);
        const code = answer.errors?.[0]?.extensions?.code;
        if (answer.data?.createApiKey) tenant.acknowledged.push(answer.data.createApiKey.apiKey.id);
        else if (!code || code === 'INTERNAL_SERVER_ERROR') {
          tenant.unanswered.push(name);
          await pause(100);
        } else {
          tenant.refused.push(name);
          if (code === 'UNAUTHENTICATED') await this.refresh(tenant);
          else await pause(100);
        }
      } catch {
        tenant.unanswered.push(name);
        await pause(100);
      }
    }
  }

  private async refresh(tenant: LoadTenant): Promise<void> {
    try {
      const answer = await post(this.gatewayUrl, REFRESH, { token: tenant.refreshToken });
      if (answer.data?.refreshSession) Object.assign(tenant, answer.data.refreshSession);
    } catch {
      // identity is down; the next write tries again
    }
    await pause(100);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
