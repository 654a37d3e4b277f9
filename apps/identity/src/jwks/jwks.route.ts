import type { Express } from 'express';
import { publicJwks, type SigningKey } from '@compliance-graph/auth';

export const JWKS_PATH = '/.well-known/jwks.json';

/** Publishes the public halves of every configured signing key (old and new during rotation). */
export function mountJwks(app: Express, keys: SigningKey[]): void {
  const body = publicJwks(keys);
  app.get(JWKS_PATH, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(body);
  });
}
