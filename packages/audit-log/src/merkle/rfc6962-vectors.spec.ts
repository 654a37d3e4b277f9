import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMPTY_ROOT, leafHash } from './hashes';
import { MemoryTree, TreeFrontier, consistencyProof, inclusionProof, rootHash, type NodeSource } from './tree';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify';

interface Vectors {
  leafInputsHex: string[];
  emptyRootHex: string;
  rootsHex: string[];
  nodeHashesHexByLevel: string[][];
  inclusionProofs: { leafIndex: number; treeSize: number; pathHex: string[] }[];
  consistencyProofs: { size1: number; size2: number; proofHex: string[] }[];
  inclusionProofNodes: { treeSize: number; leafIndex: number; nodes: [number, number][] }[];
  consistencyProofNodes: { size1: number; size2: number; nodes: [number, number][] }[];
}

const vectors: Vectors = JSON.parse(readFileSync(join(__dirname, '../../test/fixtures/rfc6962-vectors.json'), 'utf8'));
const hex = (buffers: Buffer[]) => buffers.map((b) => b.toString('hex'));
const rootOfSize = (size: number) => (size === 0 ? vectors.emptyRootHex : vectors.rootsHex[size - 1]);
const nodeHex = ([level, index]: [number, number]) => vectors.nodeHashesHexByLevel[level][index];
const leafHashes = vectors.leafInputsHex.map((input) => leafHash(Buffer.from(input, 'hex')));

const memoryTree = new MemoryTree();
leafHashes.forEach((hash) => memoryTree.appendLeaf(hash));
// The same tree with nothing but its leaves, so both code paths meet the vectors.
const leavesOnly: NodeSource = { leaf: (index) => leafHashes[index] };
const sources: [string, NodeSource][] = [
  ['leaves only', leavesOnly],
  ['MemoryTree', memoryTree],
];

describe('RFC 6962 test vectors (transparency-dev/merkle, google/certificate-transparency)', () => {
  it('hash the empty tree and the leaves as the reference does', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(vectors.emptyRootHex);
    expect(hex(leafHashes)).toEqual(vectors.nodeHashesHexByLevel[0]);
  });

  it('give the published root for every size 0..8 from a TreeFrontier too', () => {
    const frontier = new TreeFrontier();
    const roots = [frontier.root().toString('hex')];
    for (const hash of leafHashes) {
      frontier.appendLeaf(hash);
      roots.push(frontier.root().toString('hex'));
    }
    expect(roots).toEqual([vectors.emptyRootHex, ...vectors.rootsHex]);
  });

  describe.each(sources)('from %s', (_name, source) => {
    it('give the published root for every size 0..8', async () => {
      for (let size = 0; size <= 8; size++) {
        expect((await rootHash(source, size)).toString('hex')).toBe(rootOfSize(size));
      }
    });

    it.each(vectors.inclusionProofs)('give the published inclusion proof of leaf $leafIndex in size $treeSize', async ({ leafIndex, treeSize, pathHex }) => {
      expect(hex(await inclusionProof(source, leafIndex, treeSize))).toEqual(pathHex);
    });

    it.each(vectors.consistencyProofs)('give the published consistency proof $size1 -> $size2', async ({ size1, size2, proofHex }) => {
      expect(hex(await consistencyProof(source, size1, size2))).toEqual(proofHex);
    });

    it('give the inclusion proofs proof_test.go lists as node ids', async () => {
      for (const { treeSize, leafIndex, nodes } of vectors.inclusionProofNodes) {
        expect({ treeSize, leafIndex, proof: hex(await inclusionProof(source, leafIndex, treeSize)) }).toEqual({ treeSize, leafIndex, proof: nodes.map(nodeHex) });
      }
    });

    it('give the consistency proofs proof_test.go lists as node ids', async () => {
      for (const { size1, size2, nodes } of vectors.consistencyProofNodes) {
        expect({ size1, size2, proof: hex(await consistencyProof(source, size1, size2)) }).toEqual({ size1, size2, proof: nodes.map(nodeHex) });
      }
    });
  });

  it('MemoryTree stores exactly the published complete-subtree hashes at (level, index)', () => {
    vectors.nodeHashesHexByLevel.forEach((level, levelNumber) => {
      const stored = level.map((_, index) => (levelNumber === 0 ? memoryTree.leaf(index) : memoryTree.subtree(levelNumber, index)));
      expect(stored.map((hash) => hash?.toString('hex'))).toEqual(level);
    });
    expect(memoryTree.subtree(1, 4)).toBeUndefined();
    expect(memoryTree.subtree(4, 0)).toBeUndefined();
  });

  it.each(vectors.inclusionProofs)('verify the published inclusion proof of leaf $leafIndex in size $treeSize', ({ leafIndex, treeSize, pathHex }) => {
    const path = pathHex.map((h) => Buffer.from(h, 'hex'));
    const root = Buffer.from(rootOfSize(treeSize), 'hex');
    expect(rootFromInclusionProof(leafHashes[leafIndex], leafIndex, treeSize, path)?.toString('hex')).toBe(root.toString('hex'));
    expect(verifyInclusion(leafHashes[leafIndex], leafIndex, treeSize, path, root)).toBe(true);
    // The probes verify_test.go's corruptInclusionProof makes: another index or size.
    expect(verifyInclusion(leafHashes[leafIndex], leafIndex - 1, treeSize, path, root)).toBe(false);
    expect(verifyInclusion(leafHashes[leafIndex], leafIndex + 1, treeSize, path, root)).toBe(false);
    expect(verifyInclusion(leafHashes[leafIndex], leafIndex ^ 2, treeSize, path, root)).toBe(false);
    expect(verifyInclusion(leafHashes[leafIndex], leafIndex, treeSize * 2, path, root)).toBe(false);
    expect(verifyInclusion(leafHashes[leafIndex], leafIndex, Math.floor(treeSize / 2), path, root)).toBe(false);
    expect(verifyInclusion(leafHashes[leafIndex], leafIndex, treeSize, path, EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(leafHashes[leafIndex], leafIndex, treeSize, [...path, root], root)).toBe(false);
    expect(verifyInclusion(leafHashes[leafIndex], leafIndex, treeSize, [root, ...path], root)).toBe(false);
  });

  it.each(vectors.consistencyProofs)('verify the published consistency proof $size1 -> $size2', ({ size1, size2, proofHex }) => {
    const proof = proofHex.map((h) => Buffer.from(h, 'hex'));
    const root1 = Buffer.from(rootOfSize(size1), 'hex');
    const root2 = Buffer.from(rootOfSize(size2), 'hex');
    expect(verifyConsistency(size1, size2, root1, root2, proof)).toBe(true);
    // The probes verify_test.go's corruptConsistencyProof makes on non-trivial proofs.
    if (proof.length === 0) return;
    expect(verifyConsistency(size1 - 1, size2, root1, root2, proof)).toBe(false);
    expect(verifyConsistency(size1 + 1, size2, root1, root2, proof)).toBe(false);
    expect(verifyConsistency(size1 ^ 2, size2, root1, root2, proof)).toBe(false);
    expect(verifyConsistency(size1, size2 * 2, root1, root2, proof)).toBe(false);
    expect(verifyConsistency(size1, Math.floor(size2 / 2), root1, root2, proof)).toBe(false);
    expect(verifyConsistency(size1, size2, root2, root1, proof)).toBe(false);
    expect(verifyConsistency(size1, size2, root1, root2, [])).toBe(false);
    expect(verifyConsistency(size1, size2, root1, root2, [...proof, root1])).toBe(false);
    expect(verifyConsistency(size1, size2, root1, root2, [proof[0], ...proof])).toBe(false);
    expect(verifyConsistency(size1, size2, root1, root2, proof.slice(0, -1))).toBe(false);
  });
});
