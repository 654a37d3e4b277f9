export { PROOFPACK_FORMAT, type ProofpackFormat, proofpackManifestSchema, controlCoverage, coverageCsv, type ProofpackManifest, type ManifestEvidence } from './manifest';
export {
  BAG,
  BAGIT_DECLARATION,
  revisionPath,
  sha256Hex,
  manifestText,
  parseManifest,
  payloadOxum,
  bagInfoText,
  parseBagInfo,
  type BagEntry,
} from './bag';
