import {
  Ed25519PrivateJwk,
  ServiceTokenSigner,
  SigningKeyRing,
  SigningKeysJson,
  generateSigningJwk,
} from '@agentops/service-runtime';
import { Command } from 'commander';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Keys for HTTP identities, generated locally (never committed):
 *   new                      a private Ed25519 JWK (a service's SERVICE_SIGNING_KEY)
 *   ring                     a one-key AUTH_SIGNING_KEYS for the console
 *   add|promote|retire FILE  rotate the console's key ring in FILE (see docs/security.md)
 *   public FILE              the ring's public JWKS (to pin with AUTH_JWKS)
 *   service-principals NAME=FILE…   SERVICE_PRINCIPALS_JWKS for the callees
 *   env                      fresh values for a docker-compose `.env`
 */
const readRing = (file: string): Ed25519PrivateJwk[] => SigningKeysJson.parse(readFileSync(file, 'utf8'));
const writeRing = (file: string, keys: Ed25519PrivateJwk[]) => {
  new SigningKeyRing(keys); // refuses a broken ring before it is written
  writeFileSync(file, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
};
const line = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

function servicePrincipals(pairs: string[]): Record<string, unknown> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const [name, file] = pair.split('=');
      if (!name || !file) throw new Error(`${pair}: expected NAME=FILE`);
      const key = JSON.parse(readFileSync(file, 'utf8')) as Ed25519PrivateJwk;
      return [name, new ServiceTokenSigner(name, key).publicJwks];
    }),
  );
}

const program = new Command().name('keys').description('keys for user tokens and service principals');
program
  .command('new')
  .description('a private Ed25519 JWK')
  .action(() => line(generateSigningJwk()));
program
  .command('ring')
  .description('a one-key AUTH_SIGNING_KEYS')
  .action(() => line([generateSigningJwk()]));
program
  .command('add')
  .argument('<file>')
  .description('rotation step 1: append a new key (published, not signing yet)')
  .action((file: string) => writeRing(file, [...readRing(file), generateSigningJwk()]));
program
  .command('promote')
  .argument('<file>')
  .description('rotation step 2: the newest key signs; the previous one stays published')
  .action((file: string) => {
    const keys = readRing(file);
    writeRing(file, [keys[keys.length - 1]!, ...keys.slice(0, -1)]);
  });
program
  .command('retire')
  .argument('<file>')
  .description('rotation step 3 (after SESSION_TTL_SECONDS): keep only the signing key')
  .action((file: string) => writeRing(file, readRing(file).slice(0, 1)));
program
  .command('public')
  .argument('<file>')
  .description('the public JWKS of a key ring')
  .action((file: string) => line(new SigningKeyRing(readRing(file)).publicJwks()));
program
  .command('service-principals')
  .argument('<pairs...>', 'NAME=FILE of each calling service’s private key')
  .description('SERVICE_PRINCIPALS_JWKS: the public keys of the calling services')
  .action((pairs: string[]) => line(servicePrincipals(pairs)));
program
  .command('env')
  .description(
    'fresh AUTH_SIGNING_KEYS, ESCALATION_, ROLLOUT_ and ACCESS_SERVICE_SIGNING_KEY and SERVICE_PRINCIPALS_JWKS lines',
  )
  .action(() => {
    const escalation = generateSigningJwk();
    const rollout = generateSigningJwk();
    const access = generateSigningJwk();
    const q = (v: unknown) => `'${JSON.stringify(v)}'`;
    process.stdout.write(
      [
        `AUTH_SIGNING_KEYS=${q([generateSigningJwk()])}`,
        `ESCALATION_SERVICE_SIGNING_KEY=${q(escalation)}`,
        `ROLLOUT_SERVICE_SIGNING_KEY=${q(rollout)}`,
        `ACCESS_SERVICE_SIGNING_KEY=${q(access)}`,
        `SERVICE_PRINCIPALS_JWKS=${q({
          escalation: new ServiceTokenSigner('escalation', escalation).publicJwks,
          rollout: new ServiceTokenSigner('rollout', rollout).publicJwks,
          access: new ServiceTokenSigner('access', access).publicJwks,
        })}`,
        '',
      ].join('\n'),
    );
  });

program.parseAsync().catch((error: Error) => {
  process.stderr.write(`keys: ${error.message}\n`);
  process.exit(1);
});
