import { EgressPolicy, checkEgressUrl } from '@agentops/egress';

/** The agent label escalation POSTs the final decision of a reviewed intent to. */
export const CALLBACK_URL_LABEL = 'callbackUrl';

/**
 * A tenant admin writes the label; escalation calls it. Refused here, where it enters, unless it
 * is https (http only to loopback in development mode) and names no inside address; escalation
 * checks it again after DNS resolution at send time, since a name can change where it points.
 */
export function callbackLabelIssue(
  labels: Record<string, string> | undefined,
  policy: EgressPolicy,
): { path: string; message: string } | undefined {
  const url = labels?.[CALLBACK_URL_LABEL];
  if (url === undefined) return undefined;
  const check = checkEgressUrl(url, policy);
  return check.ok ? undefined : { path: `labels.${CALLBACK_URL_LABEL}`, message: check.reason };
}
