// The chaos suite (`npm run chaos`, also run by infra/test.sh after the main tests): faults injected
// into real servers while rounds run. Same servers and transforms as jest.config.js; scenarios that
// break a server start their own, so files run in parallel safely.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/test/chaos/*.chaos.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 900_000,
};
