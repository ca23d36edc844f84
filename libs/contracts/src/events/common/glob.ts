import { z } from 'zod';

/**
 * What a glob may be where it enters the platform (HTTP bodies, policy files, routing rules, env):
 * `*` is the only wildcard. The matcher (`@agentops/cohort-selector`) is linear whatever the
 * pattern; the caps bound its constant and keep patterns readable. Stored patterns and patterns
 * carried in events are not re-checked (as Kubernetes ratchets validation of unchanged fields), so a
 * pattern accepted before the caps keeps working and only a new or edited one must meet them.
 */
export const GLOB_MAX_LENGTH = 100;
export const GLOB_MAX_WILDCARDS = 4;

/** Why the pattern breaks a cap, or undefined when it meets them. */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length > GLOB_MAX_LENGTH) return `at most ${GLOB_MAX_LENGTH} characters`;
  let wildcards = 0;
  for (let i = 0; i < pattern.length; i++) if (pattern.charCodeAt(i) === 42) wildcards++;
  if (wildcards > GLOB_MAX_WILDCARDS) return `at most ${GLOB_MAX_WILDCARDS} * wildcards (found ${wildcards})`;
  return undefined;
}

/** A glob over `charset` (which must allow `*`) that meets the caps; errors name the cap. */
export function globPattern(charset: RegExp, hint: string) {
  return z
    .string()
    .min(1)
    .max(GLOB_MAX_LENGTH, `at most ${GLOB_MAX_LENGTH} characters`)
    .regex(charset, hint)
    .superRefine((pattern, ctx) => {
      // The length is `max`'s to report; this adds only the wildcard count.
      const problem = pattern.length <= GLOB_MAX_LENGTH ? globProblem(pattern) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

export const ACTION_GLOB_CHARS = /^[a-z0-9_.*]+$/;
export const ACTION_GLOB_HINT = 'an action name or glob such as pricing.*';

/** An action glob as it enters: `pricing.*`, `*.issue_refund`, `service.issue_refund`. */
export const ActionGlob = globPattern(ACTION_GLOB_CHARS, ACTION_GLOB_HINT);
