#!/usr/bin/env node
// `npx agentops` inside the repository (npm links this bin): the compiled CLI of tools/cli. The
// published package has its own bundled bin (tools/packaging/pack-sdk.ts).
require('../../../dist/tools/cli/agentops.js');
