export * from './price-floor';
export * from './document';
export * from './text-detectors';
export * from './cel-environment';
export * from './evaluation-context';
export * from './policy-set';
export * from './evaluate';
