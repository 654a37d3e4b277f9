import { EMPTY_ROOT, isHash, nodeHash } from './hashes';

// Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step and shares nothing
// with tree.ts but the two hash functions, so a bug in proof generation cannot hide itself.
// Sizes are halved arithmetically, not with >>, which would wrap above 2^31 leaves.

/**
 * The root an inclusion proof implies for leaf `index` with hash `leafHash` in a tree of
 * `size` leaves, or undefined when the proof cannot be one (wrong length, index outside the
 * tree, values that are not 32-byte hashes). RFC 9162 section 2.1.3.2, steps 1 to 4.
 */
export function rootFromInclusionProof(leafHash: Buffer, index: number, size: number, proof: readonly Buffer[]): Buffer | undefined {
  if (!isHash(leafHash) || !proof.every(isHash) || !isTreeSize(size)) return undefined;
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) return undefined; // step 1
  let fn = index; // step 2
  let sn = size - 1;
  let r = leafHash; // step 3
  for (const p of proof) { // step 4
    if (sn === 0) return undefined; // 4a
    if (isOdd(fn) || fn === sn) { // 4b
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn); // 4c
    sn = half(sn);
  }
  // Step 5's first half: a proof too short for the tree leaves sn above zero.
  return sn === 0 ? r : undefined;
}

/** RFC 9162 section 2.1.3.2: does `proof` show leaf `index` with hash `leafHash` is in the tree of `size` leaves with root `root`? */
export function verifyInclusion(leafHash: Buffer, index: number, size: number, proof: readonly Buffer[], root: Buffer): boolean {
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  return computed !== undefined && isHash(root) && computed.equals(root); // step 5
}

/**
 * RFC 9162 section 2.1.4.2: does `proof` show that the tree of `size1` leaves with root
 * `root1` is a prefix of the tree of `size2` leaves with root `root2`?
 *
 * The RFC's algorithm covers 0 < size1 < size2. The remaining cases have nothing to prove,
 * so they take the empty proof: equal sizes need equal roots, and the empty tree (whose
 * root can only be SHA-256 of the empty string) is a prefix of every tree.
 */
export function verifyConsistency(size1: number, size2: number, root1: Buffer, root2: Buffer, proof: readonly Buffer[]): boolean {
  if (!isTreeSize(size1) || !isTreeSize(size2) || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (!isRootOfSize(root1, size1) || !isRootOfSize(root2, size2)) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (size1 === 0) return proof.length === 0;
  return verifyNonTrivialConsistency(size1, size2, root1, root2, proof);
}

function verifyNonTrivialConsistency(first: number, second: number, firstHash: Buffer, secondHash: Buffer, proof: readonly Buffer[]): boolean {
  if (proof.length === 0) return false; // step 1
  const path = isPowerOfTwo(first) ? [firstHash, ...proof] : proof; // step 2
  let fn = first - 1; // step 3
  let sn = second - 1;
  while (isOdd(fn)) { // step 4
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]; // step 5
  let sr = path[0];
  for (const c of path.slice(1)) { // step 6
    if (sn === 0) return false; // 6a
    if (isOdd(fn) || fn === sn) { // 6b
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn); // 6c
    sn = half(sn);
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0; // step 7
}

function isRootOfSize(root: Buffer, size: number): boolean {
  return size > 0 || root.equals(EMPTY_ROOT);
}

function isTreeSize(size: number): boolean {
  return Number.isSafeInteger(size) && size >= 0;
}

function isPowerOfTwo(n: number): boolean {
  return 2 ** Math.round(Math.log2(n)) === n;
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}
