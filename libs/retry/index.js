// `require('@agentops/retry')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/retry/src/index.js');
