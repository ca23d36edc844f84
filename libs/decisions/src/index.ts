export * from './decision-factories';
