// `require('@agentops/access-anomaly')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/access-anomaly/src/index.js');
