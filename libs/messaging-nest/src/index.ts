export * from './messaging-runtime';
export * from './kafka-event-transport';
