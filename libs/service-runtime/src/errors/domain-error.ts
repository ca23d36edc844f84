/**
 * The one error style: a use case (or repository) throws a coded `DomainError` and knows nothing
 * of HTTP; the edge maps the code to a status (ProblemDetailsFilter) or, on a consumer, decides
 * retry or DLQ. Framework-free on purpose: this file imports nothing.
 */
export type DomainErrorCode =
  /** The request is malformed in a way only the use case can tell (an unknown cursor): 400. */
  | 'invalid'
  /** Unknown, or another tenant's (no tenant learns others' ids): 404. */
  | 'not_found'
  /** Known but not the caller's to touch: 403. */
  | 'forbidden'
  /** The resource's state forbids it now (already claimed, id taken): 409. */
  | 'conflict'
  /** Already resolved or closed: 409. */
  | 'closed'
  /** Understood and refused by a rule (a rejected policy set, a reused idempotency key): 422. */
  | 'refused'
  /** A dependency or state this instance needs is not there yet; retry: 503. */
  | 'unavailable';

export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorCode, number>> = {
  invalid: 400,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  closed: 409,
  refused: 422,
  unavailable: 503,
};

export class DomainError<C extends DomainErrorCode = DomainErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** Extra fields of the response body (e.g. the rejected policy set's problems). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
