export * from './principal';
export * from './user-token';
export * from './principal.guard';
