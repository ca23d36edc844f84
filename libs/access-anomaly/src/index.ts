export * from './types';
export * from './hyperloglog';
export * from './stats';
export * from './flow-rules';
export * from './monitor';
export * from './egress-flow';
