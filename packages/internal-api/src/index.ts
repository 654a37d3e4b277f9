export { SESSION_STATUS, API_KEY_EXCHANGE, SUPPORT_REQUEST, AUDIT_INGEST, AUDIT_PROOFS, type InternalApi } from './api';
export { mountInternalApi, onlyTheGateway, onlyServiceCredentials, type InternalGuard, type InternalRequest } from './server';
export { callInternalApi, type InternalCall } from './client';
