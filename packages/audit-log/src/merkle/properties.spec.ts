import { createHash } from 'node:crypto';
import { leafHash } from './hashes';
import { MemoryTree, consistencyProof, inclusionProof } from './tree';
import { verifyConsistency, verifyInclusion } from './verify';

/*
 * Every proof the tree produces must verify twice: with verify.ts, and with a naive verifier
 * written here from the recursive definitions of RFC 9162 section 2.1 (top down, where
 * verify.ts walks bottom up with bit arithmetic) against roots computed by brute force from
 * all leaves. And it must stop verifying, under both, once anything in it is changed.
 * The generator is seeded: a failure names its case and reproduces on every run.
 */

const SEED = 0x5eedc0de;
const ALL_PAIRS_UP_TO = 64;
const LARGEST_TREE = 1000;
const RANDOM_PAIRS = 300;

/** mulberry32: small, fast and good enough to choose test cases. */
function seededRandom(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * below);
  };
}

// The naive side hashes for itself rather than through hashes.ts.
const sha256 = (...parts: Buffer[]) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest();
const naiveLeafHash = (data: Buffer) => sha256(Buffer.from([0x00]), data);
const naiveNodeHash = (left: Buffer, right: Buffer) => sha256(Buffer.from([0x01]), left, right);
const splitPoint = (n: number) => 2 ** Math.ceil(Math.log2(n)) / 2;

function naiveRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  const k = splitPoint(leaves.length);
  return naiveNodeHash(naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

/** PATH read backwards: the last proof element is the sibling of the root's child on the leaf's side. */
function naiveRootFromPath(leaf: Buffer, index: number, size: number, proof: Buffer[]): Buffer | undefined {
  if (size === 1) return proof.length === 0 && index === 0 ? leaf : undefined;
  if (proof.length === 0 || index >= size) return undefined;
  const k = splitPoint(size);
  const sibling = proof[proof.length - 1];
  const below = proof.slice(0, -1);
  if (index < k) {
    const left = naiveRootFromPath(leaf, index, k, below);
    return left && naiveNodeHash(left, sibling);
  }
  const right = naiveRootFromPath(leaf, index - k, size - k, below);
  return right && naiveNodeHash(sibling, right);
}

/**
 * SUBPROOF read backwards: the roots of the old and the new tree that the proof implies.
 * `firstRoot` is known while the subtree still ends where the old tree ends (b = true).
 */
function naiveRootsFromSubproof(m: number, n: number, proof: Buffer[], firstRoot: Buffer | undefined): [Buffer, Buffer] | undefined {
  if (m === n) {
    if (firstRoot) return proof.length === 0 ? [firstRoot, firstRoot] : undefined;
    return proof.length === 1 ? [proof[0], proof[0]] : undefined;
  }
  if (proof.length === 0) return undefined;
  const k = splitPoint(n);
  const sibling = proof[proof.length - 1];
  const below = proof.slice(0, -1);
  if (m <= k) {
    const left = naiveRootsFromSubproof(m, k, below, firstRoot);
    return left && [left[0], naiveNodeHash(left[1], sibling)];
  }
  const right = naiveRootsFromSubproof(m - k, n - k, below, undefined);
  return right && [naiveNodeHash(sibling, right[0]), naiveNodeHash(sibling, right[1])];
}

function naiveVerifyInclusion(leaf: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  return naiveRootFromPath(leaf, index, size, proof)?.equals(root) ?? false;
}

function naiveVerifyConsistency(size1: number, size2: number, root1: Buffer, root2: Buffer, proof: Buffer[]): boolean {
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  const roots = naiveRootsFromSubproof(size1, size2, proof, root1);
  return roots !== undefined && roots[0].equals(root1) && roots[1].equals(root2);
}

const random = seededRandom(SEED);
const leafData = Array.from({ length: LARGEST_TREE }, () => Buffer.from(Array.from({ length: random(65) }, () => random(256))));
const naiveLeaves = leafData.map(naiveLeafHash);
const tree = new MemoryTree();
leafData.forEach((data) => tree.appendLeaf(leafHash(data)));

const naiveRoots = new Map<number, Buffer>();
function bruteForceRoot(size: number): Buffer {
  if (!naiveRoots.has(size)) naiveRoots.set(size, naiveRoot(naiveLeaves.slice(0, size)));
  return naiveRoots.get(size)!;
}

function flipRandomByte(hash: Buffer): Buffer {
  const flipped = Buffer.from(hash);
  flipped[random(flipped.length)] ^= 1 + random(255);
  return flipped;
}

function flipRandomElement(proof: Buffer[]): Buffer[] {
  const at = random(proof.length);
  return proof.map((hash, i) => (i === at ? flipRandomByte(hash) : hash));
}

function removeRandomElement(proof: Buffer[]): Buffer[] {
  const at = random(proof.length);
  return proof.filter((_, i) => i !== at);
}

function addRandomElement(proof: Buffer[]): Buffer[] {
  const at = random(proof.length + 1);
  return [...proof.slice(0, at), sha256(Buffer.from([random(256)])), ...proof.slice(at)];
}

/** Verdicts are [verify.ts, naive]: both must accept the honest proof and reject every forgery. */
function judge(name: string, honest: boolean[], forged: [string, boolean[]][]): string[] {
  const failures = honest.every(Boolean) ? [] : [`${name}: rejected, verify.ts/naive = ${honest}`];
  for (const [tamper, verdicts] of forged) {
    if (verdicts.some(Boolean)) failures.push(`${name}, ${tamper}: accepted, verify.ts/naive = ${verdicts}`);
  }
  return failures;
}

interface InclusionCase {
  leaf: Buffer;
  index: number;
  size: number;
  proof: Buffer[];
  root: Buffer;
}

function inclusionTampers(c: InclusionCase): [string, InclusionCase][] {
  const tampers: [string, InclusionCase][] = [
    ['leaf byte flipped', { ...c, leaf: flipRandomByte(c.leaf) }],
    ['root byte flipped', { ...c, root: flipRandomByte(c.root) }],
    ['element added', { ...c, proof: addRandomElement(c.proof) }],
  ];
  if (c.proof.length > 0) {
    tampers.push(['path byte flipped', { ...c, proof: flipRandomElement(c.proof) }]);
    tampers.push(['element removed', { ...c, proof: removeRandomElement(c.proof) }]);
  }
  return tampers;
}

async function inclusionFailures(index: number, size: number): Promise<string[]> {
  const name = `inclusion of leaf ${index} in size ${size} (seed ${SEED})`;
  const honest: InclusionCase = { leaf: naiveLeaves[index], index, size, proof: await inclusionProof(tree, index, size), root: bruteForceRoot(size) };
  const verdicts = ({ leaf, proof, root }: InclusionCase) => [verifyInclusion(leaf, index, size, proof, root), naiveVerifyInclusion(leaf, index, size, proof, root)];
  return judge(name, verdicts(honest), inclusionTampers(honest).map(([tamper, forged]) => [tamper, verdicts(forged)]));
}

interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: Buffer;
  root2: Buffer;
  proof: Buffer[];
}

function consistencyTampers(c: ConsistencyCase): [string, ConsistencyCase][] {
  const tampers: [string, ConsistencyCase][] = [
    ['first root byte flipped', { ...c, root1: flipRandomByte(c.root1) }],
    ['second root byte flipped', { ...c, root2: flipRandomByte(c.root2) }],
    ['element added', { ...c, proof: addRandomElement(c.proof) }],
  ];
  if (c.proof.length > 0) {
    tampers.push(['proof byte flipped', { ...c, proof: flipRandomElement(c.proof) }]);
    tampers.push(['element removed', { ...c, proof: removeRandomElement(c.proof) }]);
  }
  return tampers;
}

async function consistencyFailures(size1: number, size2: number): Promise<string[]> {
  const name = `consistency ${size1} -> ${size2} (seed ${SEED})`;
  const honest: ConsistencyCase = { size1, size2, root1: bruteForceRoot(size1), root2: bruteForceRoot(size2), proof: await consistencyProof(tree, size1, size2) };
  const verdicts = ({ root1, root2, proof }: ConsistencyCase) => [verifyConsistency(size1, size2, root1, root2, proof), naiveVerifyConsistency(size1, size2, root1, root2, proof)];
  return judge(name, verdicts(honest), consistencyTampers(honest).map(([tamper, forged]) => [tamper, verdicts(forged)]));
}

function randomPairs(count: number): [number, number][] {
  return Array.from({ length: count }, () => {
    const larger = 1 + random(LARGEST_TREE);
    return [random(larger), larger];
  });
}

describe(`Merkle proofs against a naive verifier (seed ${SEED})`, () => {
  it(`leaf hashes agree with the naive hashing`, () => {
    expect(leafData.every((data, i) => leafHash(data).equals(naiveLeaves[i]))).toBe(true);
  });

  it(`every inclusion proof in every tree of 1..${ALL_PAIRS_UP_TO} leaves verifies, and fails once tampered`, async () => {
    const failures: string[] = [];
    for (let size = 1; size <= ALL_PAIRS_UP_TO; size++) {
      for (let index = 0; index < size; index++) failures.push(...(await inclusionFailures(index, size)));
    }
    expect(failures).toEqual([]);
  });

  it(`every consistency proof between trees of 1..${ALL_PAIRS_UP_TO} leaves verifies, and fails once tampered`, async () => {
    const failures: string[] = [];
    for (let size2 = 1; size2 <= ALL_PAIRS_UP_TO; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) failures.push(...(await consistencyFailures(size1, size2)));
    }
    expect(failures).toEqual([]);
  });

  it(`${RANDOM_PAIRS} random inclusion proofs in trees of up to ${LARGEST_TREE} leaves verify, and fail once tampered`, async () => {
    const failures: string[] = [];
    for (const [index, size] of randomPairs(RANDOM_PAIRS)) failures.push(...(await inclusionFailures(index, size)));
    expect(failures).toEqual([]);
  });

  it(`${RANDOM_PAIRS} random consistency proofs between trees of up to ${LARGEST_TREE} leaves verify, and fail once tampered`, async () => {
    const failures: string[] = [];
    // randomPairs gives 0 <= smaller < larger; the log's sizes of interest start at 1.
    for (const [smaller, larger] of randomPairs(RANDOM_PAIRS)) failures.push(...(await consistencyFailures(smaller + 1, larger)));
    expect(failures).toEqual([]);
  });
});
