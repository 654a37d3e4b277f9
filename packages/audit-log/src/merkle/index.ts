export { EMPTY_ROOT, HASH_SIZE, isHash, leafHash, nodeHash } from './hashes';
export { MemoryTree, TreeFrontier, consistencyProof, inclusionProof, rootHash, type NodeSource } from './tree';
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify';
export {
  CheckpointFormatError,
  checkpointOrigin,
  formatCheckpointBody,
  parseCheckpointBody,
  signCheckpoint,
  verifyCheckpoint,
  type CheckpointFields,
  type SignedCheckpoint,
} from './checkpoint';
