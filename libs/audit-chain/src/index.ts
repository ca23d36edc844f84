export * from './canonical-json';
export * from './hash';
export * from './chain';
export * from './checkpoint';
