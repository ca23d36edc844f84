// `require('@agentops/service-runtime/tracing')` at run time: the compiled module.
module.exports = require('../../dist/libs/service-runtime/src/tracing.js');
