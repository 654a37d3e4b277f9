export { testDatabaseUrl, testLoginUrls, testDatabaseEnv, migrateForTests, admin, closeAdmin } from './database';
export { testKeys, principal, mintToken, testTokenVerifier, TEST_AUDIENCE, TEST_ENCRYPTION_KEY, TEST_WEBHOOK_SECRET_KEY, type TestKeys } from './tokens';
export { createTenant, addMember, signIn, openSupportSession, type TestTenant, type TestMember } from './tenants';
export { executeOnSubgraph, postGraphql, bearer, type OperationResult, type HttpResult, type InProcessSubgraph } from './operations';
export { testPgbouncerUrl, pgbouncerConsole, reconnectPgbouncerServers } from './pgbouncer';
export { authenticatorCode } from './totp';
export { freePort } from './ports';
export { startWebhookReceiver, answerWith, type WebhookReceiver, type ReceivedWebhook, type Answer } from './webhook-receiver';
