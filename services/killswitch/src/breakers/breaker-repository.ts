import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StoredCohortState } from './breaker-state';

/** Where breaker states outlive an instance (`killswitch.breaker_states`). */
export abstract class BreakerRepository {
  /** The cohorts not closed: what a starting engine resumes. */
  abstract unsettled(): Promise<StoredCohortState[]>;
  /**
   * Stores a cohort's state; `lastValue` is the measure that tripped it (null on the other moves,
   * which keep the stored one).
   */
  abstract save(state: StoredCohortState, lastValue: number | null): Promise<void>;
}

/** The only place that speaks SQL about breaker states. */
@Injectable()
export class PostgresBreakerRepository extends BreakerRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  unsettled(): Promise<StoredCohortState[]> {
    return this.dataSource.query(
      `SELECT breaker, cohort_key AS key, state, switch_id AS "switchId", since, trips FROM breaker_states WHERE state <> 'closed'`,
    );
  }

  async save(s: StoredCohortState, lastValue: number | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO breaker_states (breaker, cohort_key, state, switch_id, since, trips, last_value) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (breaker, cohort_key) DO UPDATE SET state = EXCLUDED.state, switch_id = EXCLUDED.switch_id, since = EXCLUDED.since,
         trips = EXCLUDED.trips, last_value = COALESCE(EXCLUDED.last_value, breaker_states.last_value)`,
      [s.breaker, s.key, s.state, s.switchId, s.since, s.trips, lastValue],
    );
  }
}
