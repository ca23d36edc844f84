export * from './cohort-selector';
