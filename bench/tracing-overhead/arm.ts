/**
 * One side of the tracing-overhead benchmark, in a process of its own (the SDK is per process and
 * patches http, express, pg and ioredis as they load): starts tracing as a service's `main.ts`
 * does, from the environment the parent set (`OTEL_SDK_DISABLED=true`, or an OTLP endpoint that
 * never answers), then loads the decision path and runs what the parent asks over IPC.
 */
import { startTracing } from '@agentops/service-runtime/tracing';

const tracing = startTracing({ service: 'bench-decision-path' });

void import('./arm-loop').then(({ serveArm }) => serveArm(tracing));
