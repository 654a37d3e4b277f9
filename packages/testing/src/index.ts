export { testDatabaseUrl, migrateForTests, admin, closeAdmin } from './database';
export { testKeys, principal, mintToken, testTokenVerifier, TEST_AUDIENCE, type TestKeys } from './tokens';
export { createTenant, addMember, type TestTenant, type TestMember } from './tenants';
export { executeOnSubgraph, postGraphql, bearer, type OperationResult, type HttpResult, type InProcessSubgraph } from './operations';
