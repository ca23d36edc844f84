// `require('@agentops/persistence')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/persistence/src/index.js');
