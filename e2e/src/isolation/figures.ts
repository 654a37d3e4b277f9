import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a security spec counted (cells checked, requests refused, ...), written where
 * `npm run security:report` asked for it (SECURITY_REPORT_DIR) and nowhere otherwise.
 */
export function recordFigures(spec: string, figures: Record<string, number>): void {
  const dir = process.env.SECURITY_REPORT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${spec}.json`), JSON.stringify(figures));
}
