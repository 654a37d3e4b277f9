import { principal } from '@compliance-graph/testing';
import type { RequestContext } from '@compliance-graph/federation';
import type { AuthPayload } from './auth-payload.type';
import { becomeCaller } from './session.resolver';

describe('becomeCaller', () => {
  it("makes the new principal the caller and drops shield's decisions made for the previous one", () => {
    const member = principal('00000000-0000-4000-8000-000000000001', 'MEMBER');
    const admin = principal('00000000-0000-4000-8000-000000000001', 'ADMIN');
    const ctx = { principal: member, _shield: { cache: { 'hasRole(ADMIN,OWNER)': Promise.resolve(false) } } } as unknown as RequestContext<unknown> & {
      _shield: { cache: Record<string, unknown> };
    };
    const payload = { principal: admin } as AuthPayload;
    expect(becomeCaller(ctx, payload)).toBe(payload);
    expect(ctx.principal).toBe(admin);
    expect(ctx._shield.cache).toEqual({});
  });
});
