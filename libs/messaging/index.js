// `require('@agentops/messaging')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/messaging/src/index.js');
