import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './hashes';

/**
 * Where the tree functions read hashes from. A database table, an in-memory tree or a plain
 * array of leaf hashes can all be one.
 *
 * Node (level, index) is the complete subtree of 2^level leaves starting at leaf
 * index·2^level. A source that stores those hashes lets every root and proof below be
 * answered in O(log n) lookups; without `subtree`, or when it returns undefined, the
 * subtree is rehashed from its leaves.
 */
export interface NodeSource {
  /** The leaf hash (already SHA-256(0x00 || data)) of leaf `index`. */
  leaf(index: number): Promise<Buffer> | Buffer;
  /** The stored hash of complete subtree (level, index), level ≥ 1, if the source keeps it. */
  subtree?(level: number, index: number): Promise<Buffer | undefined> | Buffer | undefined;
}

/** MTH(D[0:size]) of RFC 9162 section 2.1.1. */
export async function rootHash(source: NodeSource, size: number): Promise<Buffer> {
  assertTreeSize(size);
  // A copy: EMPTY_ROOT is shared and callers may edit what they get back.
  return size === 0 ? Buffer.from(EMPTY_ROOT) : rangeHash(source, 0, size);
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves: PATH(index, D[0:size]), bottom up (RFC 9162 section 2.1.3.1). */
export async function inclusionProof(source: NodeSource, index: number, size: number): Promise<Buffer[]> {
  assertTreeSize(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  }
  return path(source, index, 0, size);
}

/**
 * The consistency proof from the tree of `size1` leaves to the tree of `size2` leaves:
 * PROOF(size1, D[0:size2]) of RFC 9162 section 2.1.4.1. The RFC defines it for
 * 0 < size1 < size2; for size1 = 0 or size1 = size2 there is nothing to prove and the proof
 * is empty, which is what `verifyConsistency` expects.
 */
export async function consistencyProof(source: NodeSource, size1: number, size2: number): Promise<Buffer[]> {
  assertTreeSize(size1);
  assertTreeSize(size2);
  if (size1 > size2) throw new RangeError(`tree size ${size1} is larger than tree size ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  return subproof(source, size1, 0, size2, true);
}

/** MTH(D[start:start+count]), count ≥ 1. */
async function rangeHash(source: NodeSource, start: number, count: number): Promise<Buffer> {
  if (isPowerOfTwo(count)) return completeSubtreeHash(source, levelOf(count), start / count);
  const split = largestPowerOfTwoBelow(count);
  const left = await rangeHash(source, start, split);
  return nodeHash(left, await rangeHash(source, start + split, count - split));
}

// The recursion only ever asks for power-of-two ranges at aligned starts (each split is at the
// largest power of two below the count), so every such range is a node (level, index).
async function completeSubtreeHash(source: NodeSource, level: number, index: number): Promise<Buffer> {
  if (level === 0) return checkedHash(await source.leaf(index), `leaf ${index}`);
  const stored = await source.subtree?.(level, index);
  if (stored !== undefined) return checkedHash(stored, `node (${level}, ${index})`);
  const left = await completeSubtreeHash(source, level - 1, 2 * index);
  return nodeHash(left, await completeSubtreeHash(source, level - 1, 2 * index + 1));
}

/** PATH(m, D[start:start+count]) of RFC 9162 section 2.1.3.1. */
async function path(source: NodeSource, m: number, start: number, count: number): Promise<Buffer[]> {
  if (count === 1) return [];
  const split = largestPowerOfTwoBelow(count);
  if (m < split) {
    const below = await path(source, m, start, split);
    return [...below, await rangeHash(source, start + split, count - split)];
  }
  const below = await path(source, m - split, start + split, count - split);
  return [...below, await rangeHash(source, start, split)];
}

/** SUBPROOF(m, D[start:start+count], b) of RFC 9162 section 2.1.4.1. */
async function subproof(source: NodeSource, m: number, start: number, count: number, isFirstRoot: boolean): Promise<Buffer[]> {
  // The verifier already holds the first root, so it is left out of the proof.
  if (m === count) return isFirstRoot ? [] : [await rangeHash(source, start, count)];
  const split = largestPowerOfTwoBelow(count);
  if (m <= split) {
    const below = await subproof(source, m, start, split, isFirstRoot);
    return [...below, await rangeHash(source, start + split, count - split)];
  }
  const below = await subproof(source, m - split, start + split, count - split, false);
  return [...below, await rangeHash(source, start, split)];
}

/**
 * An in-memory Merkle tree that keeps every complete subtree hash, in the layout a table
 * `(level, index, hash)` would use:
 *
 * - for each level L ≥ 0, node (L, i) is the hash of leaves [i·2^L, (i+1)·2^L), stored once
 *   complete (level 0 holds the leaf hashes themselves);
 * - appending leaf n creates node (0, n), then node (L, n >> L) for L = 1, 2, … for as long as
 *   that subtree is completed by leaf n, i.e. while n >> (L-1) is odd;
 * - nodes are never changed afterwards, so the same rows answer roots and proofs for every
 *   earlier tree size too (a complete subtree of an older tree is complete in the newer one).
 */
export class MemoryTree implements NodeSource {
  private readonly levels: Buffer[][] = [[]];

  get size(): number {
    return this.levels[0].length;
  }

  /** Appends a leaf hash and returns its index (the event's seq). */
  appendLeaf(hash: Buffer): number {
    const index = this.size;
    let node: Buffer = Buffer.from(checkedHash(hash, 'appended leaf hash'));
    this.levels[0].push(node);
    // A node with an odd index is a right child: its arrival completes its parent.
    let level = 0;
    let nodeIndex = index;
    while (nodeIndex % 2 === 1) {
      node = nodeHash(this.levels[level][nodeIndex - 1], node);
      level += 1;
      nodeIndex = (nodeIndex - 1) / 2;
      (this.levels[level] ??= []).push(node);
    }
    return index;
  }

  leaf(index: number): Buffer {
    const hash = this.levels[0][index];
    if (hash === undefined) throw new RangeError(`leaf ${index} is not in a tree of size ${this.size}`);
    return Buffer.from(hash);
  }

  subtree(level: number, index: number): Buffer | undefined {
    const hash = this.levels[level]?.[index];
    // A copy, so that a caller editing a proof cannot corrupt the tree.
    return hash === undefined ? undefined : Buffer.from(hash);
  }
}

/**
 * The right edge of a Merkle tree: the hash of each complete subtree of the leaves so far,
 * largest (leftmost) first, at most log2(n) + 1 of them. That is all appending and the root
 * need, so a log of any length is recomputed in constant memory (MemoryTree keeps every node,
 * for proofs).
 */
export class TreeFrontier {
  private readonly subtrees: Array<{ level: number; hash: Buffer }> = [];
  private leaves = 0;

  get size(): number {
    return this.leaves;
  }

  appendLeaf(hash: Buffer): void {
    let node: { level: number; hash: Buffer } = { level: 0, hash: Buffer.from(checkedHash(hash, 'appended leaf hash')) };
    // Equal neighbours merge, as the carries of a binary increment do.
    while (this.subtrees.at(-1)?.level === node.level) {
      const left = this.subtrees.pop()!;
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
    }
    this.subtrees.push(node);
    this.leaves += 1;
  }

  /** MTH of the leaves so far: RFC 9162 splits at the largest power of two, which is the leftmost subtree. */
  root(): Buffer {
    if (this.subtrees.length === 0) return Buffer.from(EMPTY_ROOT);
    // A copy (nodeHash makes new buffers), so that a caller editing it cannot corrupt the frontier.
    let root: Buffer = Buffer.from(this.subtrees[this.subtrees.length - 1].hash);
    for (let i = this.subtrees.length - 2; i >= 0; i--) root = nodeHash(this.subtrees[i].hash, root);
    return root;
  }
}

function assertTreeSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tree size must be a non-negative integer, got ${size}`);
}

// A source that hands back something other than a 32-byte hash would otherwise yield a
// proof no verifier accepts, far from the cause.
function checkedHash(hash: Buffer, what: string): Buffer {
  if (!Buffer.isBuffer(hash) || hash.length !== HASH_SIZE) throw new TypeError(`${what} is not a ${HASH_SIZE}-byte hash`);
  return hash;
}

function isPowerOfTwo(n: number): boolean {
  return 2 ** Math.round(Math.log2(n)) === n;
}

function levelOf(powerOfTwo: number): number {
  return Math.log2(powerOfTwo);
}

/** The largest power of two strictly below n, n ≥ 2 (the split point k of RFC 9162). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
