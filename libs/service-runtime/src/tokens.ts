/** DI tokens for what every service gets from the runtime. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const REDIS = Symbol('REDIS');
/** The service's name (`ingest`, …): the audience of service-to-service assertions. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
/**
 * The `ce_source` of every event the service produces (`agentops/<name>`), derived from its
 * blueprint's name: inject it, never write the literal.
 */
export const EVENT_SOURCE = Symbol('EVENT_SOURCE');
