export * from './domain-error';
export * from './domain-error.filter';
export * from './problem';
export * from './problem-details.filter';
