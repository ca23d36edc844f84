export * from './data-source';
export * from './redis';
export * from './role-names';
export * from './schema-roles';
export { DataSource } from 'typeorm';
