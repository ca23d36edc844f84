// `require('@agentops/sdk')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/sdk/src/index.js');
