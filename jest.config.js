// One run for every test: unit specs beside the code, integration specs per app, e2e journeys.
// The global setup creates a throwaway database and starts a Kafka-protocol broker for the run.
// ts-jest compiles file by file (isolatedModules in tsconfig.json): type checking is
// `npm run typecheck`'s job.
const tsJest = ['ts-jest', { diagnostics: false }];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '\\.(spec|int-spec|e2e-spec)\\.ts$',
  moduleNameMapper: {
    '^@loyalty/(domain|kafka|platform)$': '<rootDir>/libs/$1/src',
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Longer than a test's default waits (eventually, findMessage: 30 s each; a test may have
  // three) on a machine twice as slow as ours; a test that waits longer sets its own timeout.
  testTimeout: 120_000,
  // Every app a test starts is closed, but a Kafka client whose broker a test killed on purpose
  // (intake.int-spec's 503 case) can keep retrying on timers after its close: once every test
  // has finished, the run ends rather than wait for them.
  forceExit: true,
};
