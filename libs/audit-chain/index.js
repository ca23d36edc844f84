// `require('@agentops/audit-chain')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/audit-chain/src/index.js');
