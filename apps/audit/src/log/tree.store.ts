import type { EntityManager } from 'typeorm';
import { nodeHash, type NodeSource } from '@compliance-graph/audit-log';

/**
 * One tenant's Merkle tree as stored in `tree_nodes`, inside that tenant's transaction:
 * node (level, index) is the hash of leaves [index·2^level, (index+1)·2^level), written once
 * the subtree is complete. Reads go through a small cache, so an append batch or a proof
 * never fetches a node twice.
 */
export class TreeStore implements NodeSource {
  private readonly cache = new Map<string, Buffer>();
  private readonly unwritten: Array<{ level: number; index: number; hash: Buffer }> = [];

  constructor(
    private readonly tx: EntityManager,
    private readonly tenantId: string,
  ) {}

  /**
   * Loads, in one query, every node that `work` will read. Which nodes a root or proof reads
   * depends only on sizes and indexes, never on hash values, so a dry run against placeholder
   * hashes names them all; the real run then finds each in the cache instead of making one
   * round trip per node.
   */
  async prefetch(work: (source: NodeSource) => Promise<unknown>): Promise<void> {
    const wanted: Array<[number, number]> = [];
    const placeholder = Buffer.alloc(32);
    await work({
      leaf: (index) => (wanted.push([0, index]), placeholder),
      subtree: (level, index) => (wanted.push([level, index]), placeholder),
    });
    const missing = wanted.filter(([level, index]) => !this.cache.has(`${level}:${index}`));
    if (missing.length === 0) return;
    const rows: Array<{ level: number; index: string; hash: Buffer }> = await this.tx.query(
      `SELECT n.level, n.index, n.hash FROM tree_nodes n
         JOIN unnest($2::smallint[], $3::bigint[]) AS w(level, index) ON w.level = n.level AND w.index = n.index
        WHERE n.tenant_id = $1`,
      [this.tenantId, missing.map(([level]) => level), missing.map(([, index]) => index)],
    );
    for (const row of rows) this.cache.set(`${row.level}:${Number(row.index)}`, row.hash);
  }

  leaf(index: number): Promise<Buffer> {
    return this.node(0, index);
  }

  async subtree(level: number, index: number): Promise<Buffer | undefined> {
    return this.find(level, index);
  }

  /** The stored leaf hashes from index `from`, `count` of them at most: what a full recomputation compares against. */
  async leaves(from: number, count: number): Promise<Map<number, Buffer>> {
    const rows: Array<{ index: string; hash: Buffer }> = await this.tx.query(
      `SELECT index, hash FROM tree_nodes WHERE tenant_id = $1 AND level = 0 AND index >= $2 AND index < $3`,
      [this.tenantId, from, from + count],
    );
    return new Map(rows.map((row) => [Number(row.index), row.hash]));
  }

  /** Appends leaf `size` and every subtree it completes (written by `flush`). */
  async append(size: number, leafHash: Buffer): Promise<void> {
    let index = size;
    let level = 0;
    let hash = leafHash;
    await this.write(level, index, hash);
    while (index % 2 === 1) {
      hash = nodeHash(await this.node(level, index - 1), hash);
      index = Math.floor(index / 2);
      level += 1;
      await this.write(level, index, hash);
    }
  }

  private async node(level: number, index: number): Promise<Buffer> {
    const hash = await this.find(level, index);
    if (!hash) throw new Error(`audit tree of ${this.tenantId} lacks node (${level}, ${index})`);
    return hash;
  }

  private async find(level: number, index: number): Promise<Buffer | undefined> {
    const key = `${level}:${index}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const rows: Array<{ hash: Buffer }> = await this.tx.query(
      `SELECT hash FROM tree_nodes WHERE tenant_id = $1 AND level = $2 AND index = $3`,
      [this.tenantId, level, index],
    );
    if (rows[0]) this.cache.set(key, rows[0].hash);
    return rows[0]?.hash;
  }

  /** Writes every node appended since the last flush, in one statement. */
  async flush(): Promise<void> {
    if (this.unwritten.length === 0) return;
    const nodes = this.unwritten.splice(0);
    await this.tx.query(
      `INSERT INTO tree_nodes (tenant_id, level, index, hash)
       SELECT $1, level, index, hash FROM unnest($2::smallint[], $3::bigint[], $4::bytea[]) AS n(level, index, hash)`,
      [this.tenantId, nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash)],
    );
  }

  /** Appended nodes are readable from the cache at once and written by the next flush. */
  private async write(level: number, index: number, hash: Buffer): Promise<void> {
    this.unwritten.push({ level, index, hash });
    this.cache.set(`${level}:${index}`, hash);
  }
}
