// `require('@agentops/privacy')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/privacy/src/index.js');
