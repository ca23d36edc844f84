// Three test tiers named by suffix:
//   *.spec.ts             unit: pure logic, no I/O, beside the code
//   *.integration-spec.ts real Kafka / PostgreSQL / Redis (started by scripts/test.sh)
//   *.e2e-spec.ts         services booted together on the real stack
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

const swc = (syntax) => [
    '@swc/jest',
    {
      jsc: {
        parser: syntax === 'typescript' ? { syntax, decorators: true } : { syntax },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ];

// ESM-only dependencies (Node 20 `require`s them natively; jest's loader does not) are compiled to CJS.
const esmOnly = ['@marcbachmann/cel-js'];
const transform = { '^.+\\.ts$': swc('typescript'), [`node_modules/(${esmOnly.join('|')})/.+\\.js$`]: swc('ecmascript') };
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnly.join('|')})/)`];

// Built output is never a module to the tests: `npm run pack:sdk` writes dist/packages/sdk/package.json,
// whose name `@agentops/sdk` would otherwise clash with libs/sdk in jest's module map on the next run.
const modulePathIgnorePatterns = ['<rootDir>/dist/'];

const base = { rootDir: __dirname, testEnvironment: 'node', moduleNameMapper, modulePathIgnorePatterns, transform, transformIgnorePatterns, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,tools}/**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,test}/**/*.{integration,e2e}-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup-env.ts'],
    },
  ],
  testTimeout: 120000,
  // `npm test` runs the unit tier with --coverage: the pure domain libraries (Nx type:domain) and the
  // contracts are what unit tests exist for, so the threshold is measured there; services and
  // plumbing are covered by the integration tier, which is not measured.
  collectCoverageFrom: ['libs/{access-anomaly,audit-chain,cohort-selector,decisions,policy,privacy,contracts}/src/**/*.ts', '!**/*.spec.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageThreshold: { global: { lines: 90, statements: 85, functions: 80, branches: 65 } },
};
