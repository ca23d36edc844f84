import { DataSource } from 'typeorm';

/** The SQL the audit use cases need, behind a port so the CLI and the benchmark reuse them. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface TransactionalSql extends Sql {
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

export function typeormSql(ds: DataSource): TransactionalSql {
  return {
    query: (text, params) => ds.query(text, params),
    transaction: async (work) => {
      const runner = ds.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        try {
          const result = await work({ query: (text, params) => runner.query(text, params) });
          await runner.commitTransaction();
          return result;
        } catch (error) {
          await runner.rollbackTransaction().catch(() => undefined);
          throw error;
        }
      } finally {
        await runner.release();
      }
    },
  };
}
