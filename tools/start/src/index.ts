/** The launcher's parts, for tools that run the platform as `npm start` does (the stack, composition, the fault run). */
export { SUBGRAPH_APPS, SUBGRAPH_DATABASES, type SubgraphApp } from './apps';
export { loadStartConfig, type StartConfig } from './config';
export { createLauncherLog, type LauncherLog } from './log';
export { migrateAll } from './migrations';
export { waitUntilReady } from './readiness';
export { resolveDeploymentSecrets, type DeploymentSecrets } from './secrets';
export { gatewayEnv, subgraphEnv } from './service-env';
export { ServiceProcess } from './service-process';
export { ProcessPlatform, type ExtraGateway } from './process-platform';
export { gateway, subgraphs, type ServiceDefinition, type SubgraphDefinition } from './services';
export { pgToolsFor, serverMajor, type PgTools } from './pg-tools';
