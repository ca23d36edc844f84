// `require('@agentops/messaging-nest')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/messaging-nest/src/index.js');
