// The platform's clock port (libs/service-runtime), shared with the guardrail.
export { Clock, SystemClock } from '@agentops/service-runtime';
