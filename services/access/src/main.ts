import { startTracing } from '@agentops/service-runtime/tracing';

// The tracing SDK starts before anything requires http, express, pg or ioredis: it patches them as
// they load. Static imports would be hoisted above this call, so the service is loaded after it.
startTracing({ service: 'access' });

void import('./serve').then(({ serve }) => serve());
