export * from './otlp-spans';
export * from './otlp-json';
export * from './otlp-protobuf';
export * from './genai-conventions';
export * from './span-intake';
export * from './otlp-response';
export * from './pricing';
