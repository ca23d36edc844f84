import { PartitionHold, isDependencyOutage } from './dependency-outage';
import { PermanentHandlerError } from './errors';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
const named = (message: string, name: string) => Object.assign(new Error(message), { name });
/** As typeorm's QueryFailedError: the driver's error kept, its fields copied onto the wrapper. */
const queryFailed = (driverError: Error & { code: string }) =>
  Object.assign(new Error(driverError.message), {
    name: 'QueryFailedError',
    driverError,
    code: driverError.code,
  });

describe('isDependencyOutage', () => {
  it('knows a store or broker that cannot be reached', () => {
    expect(isDependencyOutage(coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isDependencyOutage(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDependencyOutage(new Error('Connection is closed.'))).toBe(true);
    expect(
      isDependencyOutage(
        named('Reached the max retries per request limit (which is 1)', 'MaxRetriesPerRequestError'),
      ),
    ).toBe(true);
    expect(isDependencyOutage(named('Connection timeout', 'KafkaJSConnectionError'))).toBe(true);
  });

  it('knows PostgreSQL going down or starting up, as typeorm wraps it (the code on the wrapper, the driver’s error inside)', () => {
    const shuttingDown = queryFailed(coded('terminating connection due to administrator command', '57P01'));
    const startingUp = queryFailed(coded('the database system is starting up', '57P03'));
    expect(isDependencyOutage(shuttingDown)).toBe(true);
    expect(isDependencyOutage(startingUp)).toBe(true);
  });

  it('follows causes (fetch failed because the connection was refused)', () => {
    const fetchFailed = new TypeError('fetch failed', {
      cause: coded('connect ECONNREFUSED 127.0.0.1:3704', 'ECONNREFUSED'),
    });
    expect(isDependencyOutage(fetchFailed)).toBe(true);
  });

  it('takes everything else as the message’s own failure', () => {
    const uniqueViolation = queryFailed(coded('duplicate key value violates unique constraint', '23505'));
    expect(isDependencyOutage(uniqueViolation)).toBe(false);
    expect(isDependencyOutage(new PermanentHandlerError('refused'))).toBe(false);
    expect(isDependencyOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(
      false,
    );
    expect(isDependencyOutage(coded('value too long', '22001'))).toBe(false);
    expect(isDependencyOutage(undefined)).toBe(false);
    expect(isDependencyOutage('ECONNREFUSED')).toBe(false);
  });

  it('does not loop on a cause that points back at itself', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(isDependencyOutage(a)).toBe(false);
  });
});

describe('PartitionHold', () => {
  it('reports a hold once when it begins and once when it ends, with when it began', () => {
    const reports: (number | null)[] = [];
    let now = 1_000;
    const hold = new PartitionHold(
      (since) => reports.push(since),
      () => now,
    );
    hold.release(); // nothing held: nothing to report
    hold.hold();
    now = 3_000;
    hold.hold(); // a second round of the same outage: still held since 1 000
    expect(hold.heldSince).toBe(1_000);
    hold.release();
    hold.release();
    now = 9_000;
    hold.hold();
    expect(reports).toEqual([1_000, null, 9_000]);
  });
});
