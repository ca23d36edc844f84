// `require('@agentops/rollout-client')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/rollout-client/src/index.js');
