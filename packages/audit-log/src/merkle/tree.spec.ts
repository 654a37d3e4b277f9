import { createHash } from 'node:crypto';
import { EMPTY_ROOT } from './hashes';
import { MemoryTree, TreeFrontier, consistencyProof, inclusionProof, rootHash, type NodeSource } from './tree';

const hashOf = (n: number) => createHash('sha256').update(`leaf ${n}`).digest();

function memoryTreeOf(size: number): MemoryTree {
  const tree = new MemoryTree();
  for (let i = 0; i < size; i++) tree.appendLeaf(hashOf(i));
  return tree;
}

/** The same leaves without any stored subtree: every hash is recomputed from the leaves. */
function leavesOnly(tree: MemoryTree): NodeSource {
  return { leaf: (index) => tree.leaf(index) };
}

/** What a database would look like: every answer arrives asynchronously. */
function asynchronous(tree: MemoryTree): NodeSource {
  return { leaf: async (index) => tree.leaf(index), subtree: async (level, index) => tree.subtree(level, index) };
}

/** Counts the lookups a query makes, the figure that becomes round trips in a database. */
function counted(tree: MemoryTree): { source: NodeSource; lookups: () => number } {
  let lookups = 0;
  const source: NodeSource = {
    leaf: (index) => {
      lookups += 1;
      return tree.leaf(index);
    },
    subtree: (level, index) => {
      lookups += 1;
      return tree.subtree(level, index);
    },
  };
  return { source, lookups: () => lookups };
}

const hex = (buffers: Buffer[]) => buffers.map((b) => b.toString('hex'));

describe('MemoryTree', () => {
  it('numbers leaves from 0 and grows by one per append', () => {
    const tree = new MemoryTree();
    expect(tree.size).toBe(0);
    expect(tree.appendLeaf(hashOf(0))).toBe(0);
    expect(tree.appendLeaf(hashOf(1))).toBe(1);
    expect(tree.size).toBe(2);
  });

  it('stores node (L, i) once leaves [i·2^L, (i+1)·2^L) are all in, and not before', async () => {
    const tree = memoryTreeOf(6);
    const leaves = leavesOnly(tree);
    expect(tree.subtree(1, 2)?.equals(await rootHash({ leaf: (i) => tree.leaf(4 + i) }, 2))).toBe(true);
    expect(tree.subtree(2, 0)?.equals(await rootHash(leaves, 4))).toBe(true);
    expect(tree.subtree(2, 1)).toBeUndefined();
    tree.appendLeaf(hashOf(6));
    expect(tree.subtree(2, 1)).toBeUndefined();
    tree.appendLeaf(hashOf(7));
    expect(tree.subtree(2, 1)).toBeDefined();
    expect(tree.subtree(3, 0)?.equals(await rootHash(leaves, 8))).toBe(true);
  });

  it('refuses anything but a 32-byte leaf hash, and leaves it cannot have', () => {
    const tree = memoryTreeOf(3);
    expect(() => tree.appendLeaf(Buffer.alloc(31))).toThrow(TypeError);
    expect(tree.size).toBe(3);
    expect(() => tree.leaf(3)).toThrow(RangeError);
  });

  it('cannot be corrupted through the hashes it hands out or was given', async () => {
    const given = hashOf(0);
    const tree = new MemoryTree();
    tree.appendLeaf(given);
    tree.appendLeaf(hashOf(1));
    const root = await rootHash(tree, 2);
    given.fill(0);
    tree.leaf(0).fill(0);
    tree.subtree(1, 0)?.fill(0);
    expect((await rootHash(tree, 2)).equals(root)).toBe(true);
  });
});

describe('TreeFrontier', () => {
  it('has the root of every size up to 300 that the stored tree has', async () => {
    const tree = new MemoryTree();
    const frontier = new TreeFrontier();
    expect(frontier.root().equals(EMPTY_ROOT)).toBe(true);
    for (let size = 1; size <= 300; size++) {
      tree.appendLeaf(hashOf(size - 1));
      frontier.appendLeaf(hashOf(size - 1));
      expect({ size: frontier.size, root: frontier.root().toString('hex') }).toEqual({ size, root: (await rootHash(tree, size)).toString('hex') });
    }
  });

  it('refuses anything but a 32-byte leaf hash, and cannot be corrupted through the hashes it was given or hands out', () => {
    const frontier = new TreeFrontier();
    expect(() => frontier.appendLeaf(Buffer.alloc(31))).toThrow(TypeError);
    const given = hashOf(0);
    frontier.appendLeaf(given);
    const root = frontier.root();
    given.fill(0);
    frontier.root().fill(0);
    expect(frontier.root().equals(root)).toBe(true);
    expect(frontier.size).toBe(1);
  });
});

describe('roots and proofs', () => {
  it('give the empty root for the empty tree, as a copy', async () => {
    const root = await rootHash(new MemoryTree(), 0);
    expect(root.equals(EMPTY_ROOT)).toBe(true);
    root.fill(0);
    expect(EMPTY_ROOT.equals(root)).toBe(false);
  });

  it('are the same from stored subtrees, from leaves only, and from an asynchronous source, for every size and pair up to 40', async () => {
    const tree = memoryTreeOf(40);
    const sources = [tree, leavesOnly(tree), asynchronous(tree)];
    const answers = async (source: NodeSource) => {
      const all: string[][] = [];
      for (let size2 = 0; size2 <= 40; size2++) {
        all.push([(await rootHash(source, size2)).toString('hex')]);
        for (let i = 0; i < size2; i++) all.push(hex(await inclusionProof(source, i, size2)));
        for (let size1 = 0; size1 <= size2; size1++) all.push(hex(await consistencyProof(source, size1, size2)));
      }
      return all;
    };
    const [stored, recomputed, remote] = await Promise.all(sources.map(answers));
    expect(recomputed).toEqual(stored);
    expect(remote).toEqual(stored);
  });

  it('fall back to the leaves where a source lacks some stored subtrees', async () => {
    const tree = memoryTreeOf(100);
    const evenLevelsOnly: NodeSource = { leaf: (i) => tree.leaf(i), subtree: (level, i) => (level % 2 === 0 ? tree.subtree(level, i) : undefined) };
    expect((await rootHash(evenLevelsOnly, 99)).equals(await rootHash(tree, 99))).toBe(true);
    expect(hex(await inclusionProof(evenLevelsOnly, 37, 99))).toEqual(hex(await inclusionProof(tree, 37, 99)));
    expect(hex(await consistencyProof(evenLevelsOnly, 37, 99))).toEqual(hex(await consistencyProof(tree, 37, 99)));
  });

  it('refuse a source that hands back something other than a 32-byte hash', async () => {
    await expect(rootHash({ leaf: () => Buffer.alloc(16) }, 1)).rejects.toThrow(TypeError);
    const tree = memoryTreeOf(4);
    await expect(rootHash({ leaf: (i) => tree.leaf(i), subtree: () => Buffer.alloc(0) }, 4)).rejects.toThrow(TypeError);
  });

  it.each([
    ['a negative size', () => rootHash(memoryTreeOf(1), -1)],
    ['a fractional size', () => rootHash(memoryTreeOf(2), 1.5)],
    ['an index at the size', () => inclusionProof(memoryTreeOf(2), 2, 2)],
    ['a negative index', () => inclusionProof(memoryTreeOf(2), -1, 2)],
    ['a proof in the empty tree', () => inclusionProof(memoryTreeOf(2), 0, 0)],
    ['a first size above the second', () => consistencyProof(memoryTreeOf(3), 3, 2)],
  ])('reject %s', async (_case, query) => {
    await expect(query()).rejects.toThrow(RangeError);
  });
});

describe('lookups with stored subtrees, in a 65,536-leaf tree', () => {
  const LEAVES = 65_536;
  const tree = memoryTreeOf(LEAVES);
  const bound = (size: number) => 2 * Math.log2(size) + 2;
  // MINSTD with a fixed seed, so the sizes and indexes are the same on every run.
  let state = 12345;
  const below = (n: number) => {
    state = (state * 48271) % 2147483647;
    return state % n;
  };
  const sizes = [1, 2, 3, 5, 1000, 32_767, 32_769, 43_691, 65_535, 65_536, ...Array.from({ length: 100 }, () => 1 + below(LEAVES))];

  async function lookupsFor(query: (source: NodeSource) => Promise<unknown>): Promise<number> {
    const { source, lookups } = counted(tree);
    await query(source);
    return lookups();
  }

  it('stay within 2·log2(n)+2 for a root', async () => {
    const over: string[] = [];
    for (const size of sizes) {
      const lookups = await lookupsFor((source) => rootHash(source, size));
      if (lookups > bound(size)) over.push(`root of ${size}: ${lookups}`);
    }
    expect(over).toEqual([]);
  });

  it('stay within 2·log2(n)+2 for an inclusion proof', async () => {
    const over: string[] = [];
    for (const size of sizes) {
      for (const index of [0, size - 1, size >> 1, below(size)]) {
        const lookups = await lookupsFor((source) => inclusionProof(source, index, size));
        if (lookups > bound(size)) over.push(`leaf ${index} in ${size}: ${lookups}`);
      }
    }
    expect(over).toEqual([]);
  });

  it('stay within 2·log2(n)+2 for a consistency proof', async () => {
    const over: string[] = [];
    for (const size2 of sizes) {
      for (const size1 of [1, size2 - 1, size2 >> 1, 1 + below(size2)]) {
        if (size1 < 1) continue;
        const lookups = await lookupsFor((source) => consistencyProof(source, size1, size2));
        if (lookups > bound(size2)) over.push(`${size1} -> ${size2}: ${lookups}`);
      }
    }
    expect(over).toEqual([]);
  });

  it('are what makes the difference: from the leaves alone a proof reads every leaf', async () => {
    let leafReads = 0;
    const bareLeaves: NodeSource = {
      leaf: (index) => {
        leafReads += 1;
        return tree.leaf(index);
      },
    };
    await inclusionProof(bareLeaves, 0, LEAVES);
    expect(leafReads).toBe(LEAVES - 1);
  });
});
