export * from './agents';
export * from './killswitches';
export * from './escalations';
export * from './audit';
export * from './access';
export * from './page';
