// One jest run over every workspace. SWC compiles TypeScript (with decorator metadata for Nest)
// and also the ESM-only @nestjs packages, which jest cannot require() natively on Node 20.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const project = (name, extra = {}) => ({
  displayName: name,
  rootDir: `<rootDir>/${name}`,
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs)$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs)/)'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  moduleNameMapper: {
    '^@vigil/contract$': '<rootDir>/../contract/src/index.ts',
    '^@vigil/contract/redis$': '<rootDir>/../contract/src/redis/index.ts',
    '^@vigil/stack$': '<rootDir>/../stack/src/index.ts',
  },
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  projects: [
    project('contract'),
    // Starting and stopping Vigil's processes, for the suites below, npm start and the benchmarks.
    project('stack'),
    project('backend'),
    project('workers'),
    // The panel's unit tests (its browser suites are Playwright's, in frontend/e2e).
    project('frontend', { testMatch: ['<rootDir>/test/**/*.spec.ts'] }),
    // Whole-system tests: real api, DNS, probe and aggregator processes from the built dist/ folders.
    project('e2e', { testMatch: ['<rootDir>/**/*.spec.ts'], setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'] }),
  ],
};
