// `require('@agentops/killswitch-client')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/killswitch-client/src/index.js');
