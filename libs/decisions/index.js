// `require('@agentops/decisions')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/decisions/src/index.js');
