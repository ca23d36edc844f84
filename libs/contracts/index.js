// `require('@agentops/contracts')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/contracts/src/index.js');
