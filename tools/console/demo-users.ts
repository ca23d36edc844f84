import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ApiError, callApi } from '../cli/api-client';

/**
 * The demo tenant's people, one per role (two reviewers, for four-eyes). Passwords are generated
 * on first run into `.local/console-users.json` (mode 600, never committed) and reused after, so
 * the demo can be re-run against the same database.
 */
export const DEMO_TENANT = 'maison-demo';
/**
 * Reviewer groups are those policies/escalation/routes.yaml names: between the reviewers and the
 * lead, every route's first tier and, for four-eyes routes, a second distinct approver (the
 * simulation's reviewer signs in as rita.reviewer and lea.lead).
 */
const REVIEW_GROUPS = ['reviewers', 'service-reviewers', 'service-leads', 'brand-pricing', 'supply-chain'];
export const demoPeople = [
  { id: 'sam.sre', displayName: 'Sam (SRE)', roles: ['sre'], groups: [] },
  { id: 'rita.reviewer', displayName: 'Rita (reviewer)', roles: ['reviewer'], groups: REVIEW_GROUPS },
  { id: 'remy.reviewer', displayName: 'Rémy (reviewer)', roles: ['reviewer'], groups: REVIEW_GROUPS },
  {
    id: 'lea.lead',
    displayName: 'Léa (lead)',
    roles: ['lead'],
    groups: ['leads', 'service-leads', 'service-directors', 'brand-directors', 'supply-chain'],
  },
  { id: 'alex.auditor', displayName: 'Alex (auditor)', roles: ['auditor'], groups: [] },
  { id: 'pat.policy', displayName: 'Pat (policy admin)', roles: ['policy-admin'], groups: [] },
  { id: 'ada.admin', displayName: 'Ada (tenant admin)', roles: ['admin'], groups: [] },
] as const;

export type DemoCredentials = Record<string, string>;

export function demoCredentials(stateDir: string): DemoCredentials {
  const file = join(stateDir, 'console-users.json');
  const known: DemoCredentials = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials)
    : {};
  let changed = false;
  for (const p of demoPeople) {
    if (!known[p.id]) {
      known[p.id] = randomBytes(12).toString('base64url');
      changed = true;
    }
  }
  if (changed) {
    writeFileSync(file, `${JSON.stringify(known, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return known;
}

async function createDemoUsers(consoleUrl: string, operatorToken: string, stateDir: string): Promise<void> {
  const credentials = demoCredentials(stateDir);
  for (const p of demoPeople) {
    try {
      await callApi('POST', `${consoleUrl}/v1/users`, operatorToken, {
        ...p,
        tenantId: DEMO_TENANT,
        password: credentials[p.id],
      });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
      // Already there (an earlier run): make sure the password is the one on file.
      await callApi('PATCH', `${consoleUrl}/v1/users/${p.id}`, operatorToken, {
        password: credentials[p.id],
        roles: p.roles,
        groups: p.groups,
        disabled: false,
      });
    }
  }
  console.log(`console users of ${DEMO_TENANT} (passwords in ${join(stateDir, 'console-users.json')}):`);
  for (const p of demoPeople)
    console.log(
      `  ${p.id.padEnd(14)} ${p.roles.join(',').padEnd(13)} ${credentials[p.id]}${p.groups.length ? `  groups: ${p.groups.join(',')}` : ''}`,
    );
}

if (require.main === module) {
  // A break-glass token (scripts/demo.sh mints one: `scripts/platform.sh operator-token`).
  const token = process.env.AGENTOPS_TOKEN;
  if (!token) {
    console.error(
      'demo-users: AGENTOPS_TOKEN is not set (an operator token: bash scripts/platform.sh operator-token)',
    );
    process.exit(1);
  }
  createDemoUsers(
    process.env.CONSOLE_URL ?? 'http://127.0.0.1:3000',
    token,
    process.env.AGENTOPS_STATE_DIR ?? '.local',
  ).catch((error: Error) => {
    console.error(`demo-users: ${error.message}`);
    process.exit(1);
  });
}
