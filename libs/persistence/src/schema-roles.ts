import { assertRoleName, quoteRole, roleName, scramSha256Verifier } from './role-names';

/** Anything that runs SQL on one session: a `pg` Client, a TypeORM DataSource or query runner. */
export interface SqlSession {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

async function rows<T>(s: SqlSession, text: string, params?: unknown[]): Promise<T[]> {
  const result = (await s.query(text, params)) as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/**
 * Who holds a service's schema, declared beside its migrations. By default the service's own
 * login role owns its schema; a service whose tables must stay out of its own reach (audit: an
 * owner could disable the append-only triggers) names a separate owner role that nobody logs in as,
 * and the exact privileges its login role gets.
 */
export interface SchemaRoleSpec {
  /** Suffix of the role the service connects as: `<prefix>_<login>`. */
  login: string;
  /** Suffix of the role that owns the schema; the login role when absent. */
  owner?: string;
  /** Statements granting the login role what it needs (it receives the quoted role name). */
  grants?: (login: string) => string[];
}

/** A deployment's concrete roles for one schema. */
export interface SchemaRoles {
  schema: string;
  owner: string;
  login: string;
  /** The login role's password; absent = leave it as it is (trust or peer authentication only). */
  password?: string;
  grants: string[];
}

export function resolveSchemaRoles(
  schema: string,
  spec: SchemaRoleSpec | undefined,
  prefix: string,
  login: { role?: string; password?: string } = {},
): SchemaRoles {
  const s = spec ?? { login: schema };
  const loginRole = assertRoleName(login.role ?? roleName(prefix, s.login));
  const owner = s.owner ? roleName(prefix, s.owner) : loginRole;
  return {
    schema: assertRoleName(schema),
    owner,
    login: loginRole,
    password: login.password || undefined,
    grants: s.owner && s.grants ? s.grants(quoteRole(loginRole)) : [],
  };
}

/** Every role of these schemas, owners first (the order DROP ROLE needs is the reverse). */
export function rolesOf(schemas: SchemaRoles[]): string[] {
  return [...new Set(schemas.flatMap((s) => [s.owner, s.login]))];
}

/**
 * Makes the roles of one schema exist as declared and the schema with everything in it belong to
 * its owner. Idempotent; run by the migrator as the admin role (superuser, or CREATEROLE and the
 * owner of the database). An existing schema owned by someone else (the layout before roles, when
 * the migrator owned everything) is handed over, object by object.
 */
export async function provisionSchema(
  admin: SqlSession,
  roles: SchemaRoles,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  if (roles.owner !== roles.login) await ensureRole(admin, roles.owner, { login: false });
  await ensureRole(admin, roles.login, { login: true, password: roles.password });
  if (!roles.password)
    log(`${roles.login}: no password given (only trust or peer authentication lets it in)`);
  await ensureAdminMembership(admin, roles.owner);

  const [existing] = await rows<{ owner: string }>(
    admin,
    `SELECT r.rolname AS owner FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = $1`,
    [roles.schema],
  );
  if (!existing) {
    await admin.query(
      `CREATE SCHEMA IF NOT EXISTS "${roles.schema}" AUTHORIZATION ${quoteRole(roles.owner)}`,
    );
  } else if (existing.owner !== roles.owner) {
    await admin.query(`ALTER SCHEMA "${roles.schema}" OWNER TO ${quoteRole(roles.owner)}`);
    log(`schema ${roles.schema}: owner ${existing.owner} → ${roles.owner}`);
  }
  const moved = await transferSchemaObjects(admin, roles.schema, roles.owner);
  if (moved) log(`schema ${roles.schema}: ${moved} objects handed to ${roles.owner}`);
}

async function ensureRole(
  admin: SqlSession,
  name: string,
  o: { login: boolean; password?: string },
): Promise<void> {
  const [found] = await rows<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
    admin,
    `SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1`,
    [name],
  );
  if (!found) {
    await admin
      .query(`CREATE ROLE ${quoteRole(name)} ${o.login ? 'LOGIN' : 'NOLOGIN'}`)
      .catch((error: { code?: string }) => {
        if (error.code !== '42710') throw error; // created concurrently by another migrator
      });
  } else if (found.rolsuper) {
    throw new Error(
      `role ${name} is a superuser; a service role must not be (ALTER ROLE ${name} NOSUPERUSER)`,
    );
  }
  const attributes = [o.login ? 'LOGIN' : 'NOLOGIN'];
  if (found?.rolcreaterole) attributes.push('NOCREATEROLE');
  if (found?.rolcreatedb) attributes.push('NOCREATEDB');
  // The verifier, not the password: the clear text never reaches the server's logs.
  if (o.login && o.password) attributes.push(`PASSWORD '${scramSha256Verifier(o.password)}'`);
  await admin.query(`ALTER ROLE ${quoteRole(name)} ${attributes.join(' ')}`);
}

/** The migrator runs each schema's migrations as its owner (SET ROLE), so it must be a member. */
async function ensureAdminMembership(admin: SqlSession, role: string): Promise<void> {
  const [me] = await rows<{ super: boolean; member: boolean }>(
    admin,
    `SELECT rolsuper AS super, pg_has_role(current_user, $1, 'MEMBER') AS member FROM pg_roles WHERE rolname = current_user`,
    [role],
  );
  if (!me.super && !me.member) await admin.query(`GRANT ${quoteRole(role)} TO CURRENT_USER`);
}

/** Hands every object of the schema not yet owned by `owner` over to it; returns how many moved. */
async function transferSchemaObjects(admin: SqlSession, schema: string, owner: string): Promise<number> {
  const kinds: Record<string, string> = {
    r: 'TABLE',
    p: 'TABLE',
    f: 'FOREIGN TABLE',
    v: 'VIEW',
    m: 'MATERIALIZED VIEW',
  };
  const params = [schema, owner];
  const notOwned = `n.nspname = $1 AND %s <> (SELECT oid FROM pg_roles WHERE rolname = $2)`;
  const relations = await rows<{ name: string; kind: string }>(
    admin,
    `SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${notOwned.replace('%s', 'c.relowner')} AND c.relkind IN ('r', 'p', 'f', 'v', 'm')`,
    params,
  );
  for (const r of relations)
    await admin.query(`ALTER ${kinds[r.kind]} ${r.name} OWNER TO ${quoteRole(owner)}`);
  // Sequences owned by a column moved with their table; these are the free-standing ones.
  const sequences = await rows<{ name: string }>(
    admin,
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${notOwned.replace('%s', 'c.relowner')} AND c.relkind = 'S'`,
    params,
  );
  for (const s of sequences) await admin.query(`ALTER SEQUENCE ${s.name} OWNER TO ${quoteRole(owner)}`);
  const routines = await rows<{ name: string; kind: string }>(
    admin,
    `SELECT p.oid::regprocedure::text AS name, p.prokind AS kind
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE ${notOwned.replace('%s', 'p.proowner')}`,
    params,
  );
  for (const f of routines)
    await admin.query(
      `ALTER ${f.kind === 'a' ? 'AGGREGATE' : 'ROUTINE'} ${f.name} OWNER TO ${quoteRole(owner)}`,
    );
  // Enums, domains, ranges and free-standing composite types (a table's row type follows the table).
  const types = await rows<{ name: string }>(
    admin,
    `SELECT format('%I.%I', n.nspname, t.typname) AS name
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE ${notOwned.replace('%s', 't.typowner')}
        AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))`,
    params,
  );
  for (const t of types) await admin.query(`ALTER TYPE ${t.name} OWNER TO ${quoteRole(owner)}`);
  return relations.length + sequences.length + routines.length + types.length;
}

/**
 * Privileges converge on what the schema declares: whoever else holds a grant on the schema or
 * anything in it (a hand-made grant, a role of the layout before) loses it, and a separate login
 * role gets exactly its declared grants. One transaction as the owner, so the service never sees a
 * moment without its privileges.
 */
export async function applySchemaGrants(admin: SqlSession, roles: SchemaRoles): Promise<void> {
  await admin.query('BEGIN');
  try {
    await admin.query(`SET LOCAL ROLE ${quoteRole(roles.owner)}`);
    // Grants name the schema's objects unqualified, as its migrations do.
    await admin.query(`SET LOCAL search_path = "${roles.schema}"`);
    const grantees = await rows<{ grantee: string; object: string | null }>(
      admin,
      `WITH acl AS (
         SELECT (aclexplode(nspacl)).grantee, NULL::text AS object FROM pg_namespace WHERE nspname = $1::text
         UNION ALL
         SELECT (aclexplode(c.relacl)).grantee, format('TABLE %I.%I', $1, c.relname) FROM pg_class c
          WHERE c.relnamespace = $1::text::regnamespace AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
         UNION ALL
         SELECT (aclexplode(a.attacl)).grantee, format('TABLE %I.%I', $1, c.relname) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relnamespace = $1::text::regnamespace AND a.attacl IS NOT NULL
         UNION ALL
         SELECT (aclexplode(p.proacl)).grantee, format('ROUTINE %s', p.oid::regprocedure) FROM pg_proc p
          WHERE p.pronamespace = $1::text::regnamespace
       )
       SELECT DISTINCT CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee,
              CASE WHEN acl.grantee = 0 THEN acl.object END AS object
         FROM acl LEFT JOIN pg_roles r ON r.oid = acl.grantee
        WHERE acl.grantee = 0 OR r.rolname <> $2`,
      [roles.schema, roles.owner],
    );
    const strays = new Set(grantees.filter((g) => g.grantee !== 'PUBLIC').map((g) => g.grantee));
    if (roles.login !== roles.owner) strays.add(quoteRole(roles.login));
    for (const role of strays) {
      for (const what of ['TABLES', 'SEQUENCES', 'FUNCTIONS'])
        await admin.query(`REVOKE ALL ON ALL ${what} IN SCHEMA "${roles.schema}" FROM ${role}`);
      await admin.query(`REVOKE ALL ON SCHEMA "${roles.schema}" FROM ${role}`);
    }
    // PUBLIC only where someone granted it explicitly (functions keep their implicit EXECUTE).
    for (const g of grantees.filter((x) => x.grantee === 'PUBLIC'))
      await admin.query(
        g.object
          ? `REVOKE ALL ON ${g.object} FROM PUBLIC`
          : `REVOKE ALL ON SCHEMA "${roles.schema}" FROM PUBLIC`,
      );
    for (const statement of roles.grants) await admin.query(statement);
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Only this deployment's login roles (and the owner of the database) may connect to it: a role of
 * another deployment on the same server is refused at the door. Needs the database's owner or a
 * superuser; otherwise left as it is and said so.
 */
export async function restrictDatabaseConnect(admin: SqlSession, logins: string[]): Promise<boolean> {
  const [me] = await rows<{ allowed: boolean; db: string }>(
    admin,
    `SELECT current_database() AS db,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
            OR (SELECT datdba FROM pg_database WHERE datname = current_database()) = (SELECT oid FROM pg_roles WHERE rolname = current_user) AS allowed`,
  );
  if (!me.allowed) return false;
  const db = `"${me.db.replace(/"/g, '""')}"`;
  await admin.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${db} FROM PUBLIC`);
  for (const login of logins) await admin.query(`GRANT CONNECT ON DATABASE ${db} TO ${quoteRole(login)}`);
  return true;
}

/** Removes roles a test or benchmark created (after their database is gone). */
export async function dropRoles(admin: SqlSession, names: string[]): Promise<void> {
  for (const name of [...names].reverse()) await admin.query(`DROP ROLE IF EXISTS ${quoteRole(name)}`);
}

/**
 * What is wrong with the role a service connects as, for least privilege: a superuser or a role
 * that may create roles or databases, one that can reach another service's schema, or (for a
 * schema with a separate owner) one that owns its own tables and could switch their triggers off.
 */
export async function connectionRoleProblems(
  session: SqlSession,
  schema: string,
  mustNotOwn: boolean,
): Promise<string[]> {
  const [me] = await rows<{
    name: string;
    rolsuper: boolean;
    rolcreaterole: boolean;
    rolcreatedb: boolean;
    rolbypassrls: boolean;
    owns: boolean | null;
    others: string[];
  }>(
    session,
    `SELECT r.rolname AS name, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
            (SELECT pg_has_role(current_user, n.nspowner, 'MEMBER') FROM pg_namespace n WHERE n.nspname = $1) AS owns,
            ARRAY(SELECT nspname::text FROM pg_namespace
                   WHERE nspname <> $1 AND nspname !~ '^pg_' AND nspname NOT IN ('information_schema', 'public')
                     AND has_schema_privilege(oid, 'USAGE') ORDER BY 1) AS others
       FROM pg_roles r WHERE r.rolname = current_user`,
    [schema],
  );
  if (me.rolsuper) return [`connects as the superuser ${me.name}`];
  const problems: string[] = [];
  if (me.rolcreaterole) problems.push(`role ${me.name} may create roles`);
  if (me.rolcreatedb) problems.push(`role ${me.name} may create databases`);
  if (me.rolbypassrls) problems.push(`role ${me.name} bypasses row-level security`);
  if (me.others.length)
    problems.push(`role ${me.name} can use the schemas of other services: ${me.others.join(', ')}`);
  if (mustNotOwn && me.owns)
    problems.push(
      `role ${me.name} owns schema ${schema} (or is a member of its owner) and could change its tables`,
    );
  return problems;
}
