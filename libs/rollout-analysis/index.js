// `require('@agentops/rollout-analysis')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/rollout-analysis/src/index.js');
