import { quoteRole } from '@agentops/persistence';
import { Client } from 'pg';
import { DATABASE_SERVICES, DatabaseService, deploymentRoles, migrateAll } from '../../tools/db/migrate';
import { bootService } from '../support/platform';
import { serviceDatabaseUrl, testDeployment } from '../support/test-database';
import { TEST_DATABASE_URL } from '../support/test-env';

/**
 * Issue #12.5 on the real PostgreSQL: one role per service owning only its schema, the audit
 * schema owned by a role no service uses, the database closed to every other role. Runs in this
 * run's database, whose roles the global setup's migration created.
 */
describe('PostgreSQL: one role per service, least privilege (issue #12)', () => {
  const roles = deploymentRoles(testDeployment());
  const stranger = `${roles.ingest.login}_stranger`;
  let admin: Client;
  const clients: Client[] = [];
  /** One table of each schema, for the cross-schema reads. */
  const tableOf = {} as Record<DatabaseService, string>;

  const as = async (service: DatabaseService) => {
    const c = new Client({ connectionString: serviceDatabaseUrl(service) });
    await c.connect();
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    for (const s of DATABASE_SERVICES) {
      const { rows } = await admin.query(
        `SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname = $1 ORDER BY 1 LIMIT 1`,
        [roles[s].schema],
      );
      tableOf[s] = rows[0].t;
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await admin.query(`DROP ROLE IF EXISTS ${quoteRole(stranger)}`);
    await admin.end();
  });

  it('each service connects as its own role, which owns its schema and everything in it', async () => {
    for (const s of DATABASE_SERVICES) {
      const c = await as(s);
      expect((await c.query(`SELECT current_user AS u`)).rows[0].u).toBe(roles[s].login);
      const { rows } = await admin.query(
        `SELECT DISTINCT r.rolname AS owner FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
          WHERE c.relnamespace = $1::text::regnamespace
          UNION SELECT r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = $1::text`,
        [roles[s].schema],
      );
      expect(rows.map((r) => r.owner)).toEqual([s === 'audit' ? roles.audit.owner : roles[s].login]);
    }
    const { rows } = await admin.query(
      `SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1`,
      [[...new Set(DATABASE_SERVICES.flatMap((s) => [roles[s].login, roles[s].owner]))]],
    );
    expect(rows).toHaveLength(DATABASE_SERVICES.length + 1);
    for (const r of rows)
      expect(r).toEqual({
        rolname: r.rolname,
        rolcanlogin: r.rolname !== roles.audit.owner, // nobody logs in as the audit schema's owner
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
      });
    // ...and no service's role can become it.
    const members = await admin.query(
      `SELECT rolname FROM pg_roles WHERE rolname = ANY($1) AND pg_has_role(rolname, $2, 'MEMBER')`,
      [DATABASE_SERVICES.map((s) => roles[s].login), roles.audit.owner],
    );
    expect(members.rows).toEqual([]);
  });

  it("no service's role can read another service's schema", async () => {
    for (const s of DATABASE_SERVICES) {
      const c = await as(s);
      await expect(c.query(`SELECT count(*) FROM ${tableOf[s]}`)).resolves.toBeDefined();
      for (const other of DATABASE_SERVICES.filter((o) => o !== s))
        await expect(c.query(`SELECT count(*) FROM ${tableOf[other]}`)).rejects.toThrow(
          `permission denied for schema ${roles[other].schema}`,
        );
    }
  });

  it('the audit writer cannot change a record nor switch off the triggers that refuse it', async () => {
    const writer = await as('audit');
    const refused: [string, RegExp][] = [
      [`UPDATE audit.records SET actor_id = 'x'`, /permission denied for table records/],
      [`DELETE FROM audit.records`, /permission denied for table records/],
      [`TRUNCATE audit.records`, /permission denied for table records/],
      [`DELETE FROM audit.record_index`, /permission denied for table record_index/],
      [`UPDATE audit.checkpoints SET signature = 'x'`, /permission denied for table checkpoints/],
      [
        `ALTER TABLE audit.records DISABLE TRIGGER records_append_only`,
        /must be owner of (table|relation) records/,
      ],
      [`ALTER TABLE audit.records DISABLE TRIGGER ALL`, /must be owner of (table|relation) records/],
      [`DROP TRIGGER records_append_only ON audit.records`, /must be owner of (table|relation) records/],
      [
        `CREATE OR REPLACE FUNCTION audit.refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
        /permission denied for schema audit/,
      ],
      [`SET session_replication_role = replica`, /permission denied to set parameter/],
      [`CREATE TABLE audit.shadow (x int)`, /permission denied for schema audit/],
      // A clear key cannot even be written: the column is not insertable.
      [
        `INSERT INTO audit.subject_keys (tenant_id, subject_ref, key) VALUES ('t', 's', '\\x00')`,
        /permission denied for table subject_keys/,
      ],
    ];
    for (const [sql, error] of refused) await expect(writer.query(sql)).rejects.toThrow(error);
    // What it may do, it can: read and append.
    await expect(writer.query(`SELECT count(*) FROM audit.records`)).resolves.toBeDefined();
  });

  it("only this deployment's roles may connect to its database", async () => {
    const { rows } = await admin.query(
      `SELECT has_database_privilege('public', current_database(), 'CONNECT') AS public_connect`,
    );
    expect(rows[0].public_connect).toBe(false);
    // A role of another deployment on the same server (it exists, it may log in) is refused.
    await admin.query(`CREATE ROLE ${quoteRole(stranger)} LOGIN`);
    const url = new URL(TEST_DATABASE_URL);
    url.username = stranger;
    const c = new Client({ connectionString: url.toString() });
    await expect(c.connect()).rejects.toThrow(/permission denied for database/);
  });

  it('the migrator hands a layout from before roles back to the declared owners and drops stray grants', async () => {
    // What a deployment migrated before roles looks like: the migrator owning everything, plus
    // grants made by hand.
    await admin.query(`ALTER SCHEMA guardrail OWNER TO postgres`);
    await admin.query(`ALTER TABLE ${tableOf.guardrail} OWNER TO postgres`);
    await admin.query(`GRANT USAGE ON SCHEMA guardrail TO ${quoteRole(roles.ingest.login)}`);
    await admin.query(`GRANT SELECT ON ${tableOf.guardrail} TO ${quoteRole(roles.ingest.login)}`);
    await admin.query(`GRANT UPDATE, DELETE ON audit.records TO ${quoteRole(roles.audit.login)}`);
    const ingest = await as('ingest');
    await expect(ingest.query(`SELECT count(*) FROM ${tableOf.guardrail}`)).resolves.toBeDefined();

    const log: string[] = [];
    await migrateAll(testDeployment(), (line) => log.push(line));
    expect(log).toContain(`guardrail: schema guardrail: owner postgres → ${roles.guardrail.login}`);
    expect(log).toContain(`guardrail: schema guardrail: 1 objects handed to ${roles.guardrail.login}`);
    const owner = await admin.query(
      `SELECT (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'guardrail') AS schema,
              (SELECT relowner::regrole::text FROM pg_class WHERE oid = $1::regclass) AS "table"`,
      [tableOf.guardrail],
    );
    expect(owner.rows[0]).toEqual({ schema: roles.guardrail.login, table: roles.guardrail.login });
    await expect(ingest.query(`SELECT count(*) FROM ${tableOf.guardrail}`)).rejects.toThrow(
      'permission denied for schema guardrail',
    );
    const writer = await as('audit');
    await expect(writer.query(`DELETE FROM audit.records`)).rejects.toThrow(
      /permission denied for table records/,
    );
  });

  it('a service connected as a superuser is refused in production, naming DATABASE_URL; its own role starts', async () => {
    await expect(
      bootService('killswitch', { DATABASE_URL: TEST_DATABASE_URL, AGENTOPS_ENV: 'production' }),
    ).rejects.toThrow(
      /^DATABASE_URL: the database role is not least-privilege: connects as the superuser postgres/,
    );
    const own = await bootService('killswitch', { AGENTOPS_ENV: 'production' });
    await own.close();
  });
});
