// `require('@agentops/genai')` at run time: the library as tsc -p tsconfig.build.json compiles it.
module.exports = require('../../dist/libs/genai/src/index.js');
