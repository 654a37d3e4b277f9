import { createHash } from 'node:crypto';
import { EMPTY_ROOT, leafHash, nodeHash } from './hashes';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify';

// A two-leaf tree written out by hand, so these cases do not depend on tree.ts.
const a = leafHash(Buffer.from('a'));
const b = leafHash(Buffer.from('b'));
const rootOfA = a;
const rootOfAB = nodeHash(a, b);
const someHash = createHash('sha256').update('some other hash').digest();

describe('verifyInclusion', () => {
  it('accepts both leaves of a two-leaf tree and the single leaf of a one-leaf tree', () => {
    expect(verifyInclusion(a, 0, 2, [b], rootOfAB)).toBe(true);
    expect(verifyInclusion(b, 1, 2, [a], rootOfAB)).toBe(true);
    expect(verifyInclusion(a, 0, 1, [], rootOfA)).toBe(true);
  });

  it.each([
    ['the index at the size', () => verifyInclusion(a, 1, 1, [], rootOfA)],
    ['a negative index', () => verifyInclusion(a, -1, 2, [b], rootOfAB)],
    ['a fractional index', () => verifyInclusion(a, 0.5, 2, [b], rootOfAB)],
    ['the empty tree', () => verifyInclusion(a, 0, 0, [], EMPTY_ROOT)],
    ['swapped sides', () => verifyInclusion(a, 1, 2, [b], rootOfAB)],
    ['a proof too short for the size', () => verifyInclusion(a, 0, 2, [], rootOfAB)],
    ['a proof too long for the size', () => verifyInclusion(a, 0, 2, [b, someHash], rootOfAB)],
    ['a proof element that is not 32 bytes', () => verifyInclusion(a, 0, 2, [Buffer.concat([b, Buffer.alloc(1)])], rootOfAB)],
    ['an empty leaf hash', () => verifyInclusion(Buffer.alloc(0), 0, 1, [], Buffer.alloc(0))],
    ['a root that is not 32 bytes', () => verifyInclusion(a, 0, 1, [], a.subarray(0, 31))],
  ])('rejects %s', (_case, check) => {
    expect(check()).toBe(false);
  });

  it('rootFromInclusionProof gives the implied root, or undefined for a proof that cannot be one', () => {
    expect(rootFromInclusionProof(b, 1, 2, [a])?.equals(rootOfAB)).toBe(true);
    expect(rootFromInclusionProof(b, 1, 2, [])).toBeUndefined();
    expect(rootFromInclusionProof(b, 2, 2, [a])).toBeUndefined();
  });

  it('handles sizes above 2^32 without wrapping', () => {
    // Leaf 2^32 of a tree of 2^32 + 1 leaves sits alone on the right of the complete left half.
    expect(verifyInclusion(a, 2 ** 32, 2 ** 32 + 1, [someHash], nodeHash(someHash, a))).toBe(true);
  });
});

describe('verifyConsistency', () => {
  it('accepts a tree consistent with itself only with an empty proof and equal roots', () => {
    expect(verifyConsistency(2, 2, rootOfAB, rootOfAB, [])).toBe(true);
    expect(verifyConsistency(2, 2, rootOfAB, someHash, [])).toBe(false);
    expect(verifyConsistency(2, 2, rootOfAB, rootOfAB, [someHash])).toBe(false);
  });

  it('accepts the empty tree as a prefix of any tree, with an empty proof and the empty root', () => {
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
    expect(verifyConsistency(0, 2, EMPTY_ROOT, rootOfAB, [])).toBe(true);
    expect(verifyConsistency(0, 2, someHash, rootOfAB, [])).toBe(false);
    expect(verifyConsistency(0, 0, someHash, someHash, [])).toBe(false);
    expect(verifyConsistency(0, 2, EMPTY_ROOT, rootOfAB, [EMPTY_ROOT])).toBe(false);
  });

  it('accepts 1 -> 2 with the second leaf as proof, and nothing else', () => {
    expect(verifyConsistency(1, 2, rootOfA, rootOfAB, [b])).toBe(true);
    expect(verifyConsistency(1, 2, rootOfA, rootOfAB, [])).toBe(false);
    expect(verifyConsistency(1, 2, rootOfA, rootOfAB, [b, b])).toBe(false);
    expect(verifyConsistency(1, 2, b, rootOfAB, [b])).toBe(false);
  });

  it.each([
    ['the first size above the second', () => verifyConsistency(2, 1, rootOfAB, rootOfA, [b])],
    ['a negative size', () => verifyConsistency(-1, 2, rootOfA, rootOfAB, [b])],
    ['a fractional size', () => verifyConsistency(1, 2.5, rootOfA, rootOfAB, [b])],
    ['a root that is not 32 bytes', () => verifyConsistency(1, 2, rootOfA, rootOfAB.subarray(1), [b])],
    ['a proof element that is not 32 bytes', () => verifyConsistency(1, 2, rootOfA, rootOfAB, [Buffer.alloc(0)])],
  ])('rejects %s', (_case, check) => {
    expect(check()).toBe(false);
  });
});
