export * from './price-floor';
