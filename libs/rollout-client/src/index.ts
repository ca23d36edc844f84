export * from './rollout-follower';
