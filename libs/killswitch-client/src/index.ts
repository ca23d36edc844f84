export * from './switch-set';
export * from './channel';
export * from './killswitch-follower';
export * from './killswitch-client.module';
export * from './switch-feed';
