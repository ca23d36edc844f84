export * from './active-knowledge';
export * from './knowledge-follower';
export * from './knowledge-client.module';
