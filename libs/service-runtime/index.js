// `require('@agentops/service-runtime')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/service-runtime/src/index.js');
