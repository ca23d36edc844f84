import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';

/**
 * What the OpenAPI description of a service reads beyond Nest's own route metadata: the answers a
 * handler gives (the request side — bodies, queries, parameters — is already in its validation
 * pipes) and the credentials each guard checks. Metadata only: nothing here changes a response.
 */

/** The security schemes of the platform's HTTP APIs (components.securitySchemes). */
export type ApiCredentialScheme = 'bearerToken' | 'agentApiKey';

export interface ApiResponseSpec {
  status: number;
  /** A JSON body's contract schema, or a body that is not JSON (an event stream, a page). */
  body?: z.ZodType | { contentType: string };
  description: string;
}

const RESPONSES_KEY = 'agentops:openapi:responses';
const CREDENTIALS_KEY = 'agentops:openapi:credentials';

/**
 * An answer of the handler: `ApiResponse(200, IntentAnswer, 'the decision')`, or
 * `ApiResponse(200, { contentType: 'text/event-stream' }, 'the control stream')`. Stack one per
 * status; a 4xx without a body answers the platform's Error shape.
 */
export function ApiResponse(
  status: number,
  body: ApiResponseSpec['body'],
  description: string,
): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const declared = (Reflect.getMetadata(RESPONSES_KEY, handler) as ApiResponseSpec[] | undefined) ?? [];
    // Decorators apply bottom-up: prepend, so the list reads in the order the source does.
    Reflect.defineMetadata(RESPONSES_KEY, [{ status, body, description }, ...declared], handler);
  };
}

/** The answers declared on a handler (none: only its success status is described). */
export function responsesOf(handler: object): ApiResponseSpec[] {
  return (Reflect.getMetadata(RESPONSES_KEY, handler) as ApiResponseSpec[] | undefined) ?? [];
}

/**
 * On a guard class: the credentials it checks, so every route it guards says so. On a controller:
 * the credentials its routes need although no guard of its own checks them (a proxy).
 */
export const ApiCredentials = (scheme: ApiCredentialScheme): ClassDecorator =>
  SetMetadata(CREDENTIALS_KEY, scheme);

/** The scheme a guard checks; undefined for a guard that checks no credentials (a rate limit). */
export function credentialsOf(guard: unknown): ApiCredentialScheme | undefined {
  const type = typeof guard === 'function' ? guard : (guard as object | undefined)?.constructor;
  return type ? (Reflect.getMetadata(CREDENTIALS_KEY, type) as ApiCredentialScheme | undefined) : undefined;
}
