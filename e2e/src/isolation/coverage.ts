import { supergraphCoordinates } from './coordinates';
import { ENTITY_POLICY, FIELD_POLICY, ROOT_POLICY } from './policy';

export interface PolicyGaps {
  /** Coordinates of the supergraph without a policy row. */
  missing: string[];
  /** Policy rows naming nothing the supergraph has. */
  stale: string[];
}

/** Compares the policy table with what a composed supergraph serves. */
export function policyGaps(supergraphSdl: string): PolicyGaps {
  const { coordinates, entityTypes } = supergraphCoordinates(supergraphSdl);
  const served = new Set([...coordinates.map((c) => c.name), ...[...entityTypes.keys()].map((type) => `type ${type}`)]);
  const rows = new Set([
    ...Object.keys(ROOT_POLICY),
    ...Object.keys(FIELD_POLICY),
    ...Object.keys(ENTITY_POLICY).map((type) => `type ${type}`),
  ]);
  return {
    missing: [...served].filter((name) => !rows.has(name)).sort(),
    stale: [...rows].filter((name) => !served.has(name)).sort(),
  };
}
