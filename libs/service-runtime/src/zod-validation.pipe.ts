import { BadRequestException, Param, ParseIntPipe, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { describeIssues } from '@agentops/contracts';
import { z } from 'zod';

/** Validates a body with its contract schema; a 400 lists every failing field path. */
export class ZodValidationPipe<S extends z.ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  /** Public: the OpenAPI description reads the contract a route validates with. */
  constructor(readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: 'validation failed',
      issues: describeIssues(result.error),
    });
  }
}

/**
 * A path parameter that must be a UUID; the 400 names the parameter (Nest's own pipe says only
 * "uuid is expected", which leaves a caller guessing which part of the URL was wrong).
 */
export const UuidParam = (name: string): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new BadRequestException({
          statusCode: 400,
          error: 'Bad Request',
          message: `${name} must be a UUID`,
          issues: [{ path: name, message: 'must be a UUID' }],
        }),
    }),
  );

/** A path parameter that must be an integer; the 400 names the parameter, as UuidParam's does. */
export const IntParam = (name: string): ParameterDecorator =>
  Param(
    name,
    new ParseIntPipe({
      exceptionFactory: () =>
        new BadRequestException({
          statusCode: 400,
          error: 'Bad Request',
          message: `${name} must be an integer`,
          issues: [{ path: name, message: 'must be an integer' }],
        }),
    }),
  );
