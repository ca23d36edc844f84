// `require('@agentops/knowledge-client')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/knowledge-client/src/index.js');
