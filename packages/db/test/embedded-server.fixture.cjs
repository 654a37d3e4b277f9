// Runs the built embedded PostgreSQL starter in its own process, as `npm start` does, so a
// test can crash that process for real. Prints "up <postmaster pid>"; SIGTERM stops cleanly.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { startEmbeddedPostgres } = require('../dist/index.js');

const [dataDir, port] = process.argv.slice(2);
startEmbeddedPostgres({ dataDir, port: Number(port), password: 'crash-test-password' }).then(
  (server) => {
    const pid = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    process.stdout.write(`up ${pid} ${server.url}\n`);
    process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
  },
  (error) => {
    process.stdout.write(`failed ${error.message}\n`);
    process.exit(1);
  },
);
