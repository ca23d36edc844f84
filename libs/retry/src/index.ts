export * from './backoff';
export * from './with-retries';
