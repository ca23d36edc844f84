export * from './detectors';
export * from './subject-crypto';
export * from './treatment';
export * from './subject-key-wrapping';
