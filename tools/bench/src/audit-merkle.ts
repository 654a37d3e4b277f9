import { createHash } from 'node:crypto';

// An independent RFC 9162 verifier (sections 2.1.3.2 and 2.1.4.2), so the benchmark checks
// that the proofs it timed are right without trusting the audit service's own code.

const node = (left: Buffer, right: Buffer) => createHash('sha256').update(Buffer.from([0x01])).update(left).update(right).digest();
const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** Does `path` prove leaf `index` (hash `leaf`) in the tree of `size` leaves with root `root`? */
export function verifyInclusion(leaf: Buffer, index: number, size: number, path: Buffer[], root: Buffer): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = node(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = node(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** Does `path` prove the tree of `size1` leaves (root `root1`) a prefix of the tree of `size2` leaves (root `root2`)? */
export function verifyConsistency(size1: number, size2: number, root1: Buffer, root2: Buffer, path: Buffer[]): boolean {
  if (size1 > size2) return false;
  if (size1 === size2) return path.length === 0 && root1.equals(root2);
  if (size1 === 0) return path.length === 0;
  if (path.length === 0) return false;
  const proof = (size1 & (size1 - 1)) === 0 ? [root1, ...path] : path;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = proof[0];
  let sr = proof[0];
  for (const c of proof.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = node(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}
