// `require('@agentops/egress')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/egress/src/index.js');
