export * from './data-source';
export * from './redis';
export { DataSource } from 'typeorm';
