// `require('@agentops/policy')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/policy/src/index.js');
