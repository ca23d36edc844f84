// `require('@agentops/knowledge')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/knowledge/src/index.js');
