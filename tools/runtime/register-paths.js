// Resolves the `@agentops/*` path aliases of tsconfig.base.json against the compiled `dist/` tree,
// so `node -r ./tools/runtime/register-paths.js dist/...` runs any compiled entry point.
const path = require('node:path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../../tsconfig.base.json');

const distRoot = path.resolve(__dirname, '../../dist');
const paths = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, targets]) => [alias, targets.map((t) => t.replace(/\.ts$/, '.js'))]),
);
tsConfigPaths.register({ baseUrl: distRoot, paths });
