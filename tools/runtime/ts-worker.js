// Loads a worker thread's TypeScript module from the sources (jest runs the tests on them, not on
// dist/): `.ts` compiled on require by @swc/core, the `@agentops/*` aliases resolved against the
// source tree. The module is named by `workerData.tsModule`; its exports are this module's.
const fs = require('node:fs');
const path = require('node:path');
const { workerData } = require('node:worker_threads');
const { transformSync } = require('@swc/core');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../../tsconfig.base.json');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
tsConfigPaths.register({ baseUrl: path.resolve(__dirname, '../..'), paths: compilerOptions.paths });

module.exports = require(workerData.tsModule);
