// `require('@agentops/cohort-selector')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/cohort-selector/src/index.js');
