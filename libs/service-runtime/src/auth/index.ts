export * from './principal';
export * from './signing-keys';
export * from './token-keys';
export * from './user-token';
export * from './revocation';
export * from './service-token';
export * from './bearer-authenticator';
export * from './principal.guard';
