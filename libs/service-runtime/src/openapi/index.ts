export * from './api-metadata';
export * from './http-routes';
export * from './openapi-document';
export * from './openapi.controller';
