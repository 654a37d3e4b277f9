export {
  SESSION_STATUS,
  API_KEY_EXCHANGE,
  SUPPORT_REQUEST,
  AUDIT_INGEST,
  AUDIT_PROOFS,
  ACCESS_REVIEW_REPORT,
  ACCESS_REVIEW_COMPLETED_TOPIC,
  ACCESS_REVIEW_CSV_MAX_BYTES,
  accessReviewCompletedSchema,
  TENANT_SETTINGS,
  PRINCIPAL_STATUS,
  tenantSettingsSchema,
  type TenantSettings,
  type AccessReviewCompleted,
  type InternalApi,
  type RelayedApi,
} from './api';
export { mountInternalApi, onlyTheGateway, onlyServiceCredentials, type InternalGuard, type InternalRequest } from './server';
export { callInternalApi, type InternalCall } from './client';
