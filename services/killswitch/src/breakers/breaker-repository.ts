import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BreakerStateName, StoredCohortState } from './breaker-state';

/**
 * A move of one cohort: taken only while the stored cohort is in one of `from` (a cohort never
 * stored is closed) and, when given, has been there `since` then. Every instance may try a move;
 * one wins it, so no breaker trips twice or flips two probes for one cool-down.
 */
export interface CohortMove {
  breaker: string;
  key: string;
  from: BreakerStateName[];
  since?: Date;
  /** The state stored by the move, from the one it replaces. */
  to: (current: StoredCohortState) => StoredCohortState;
  /** The measure that tripped it (null on the other moves, which keep the stored one). */
  lastValue: number | null;
}

/** Where breaker states are kept for every instance (`killswitch.breaker_states`). */
export abstract class BreakerRepository {
  /** The cohorts not closed: what a starting engine resumes and every tick refreshes. */
  abstract unsettled(): Promise<StoredCohortState[]>;
  /** Makes the move if it still applies: the state it replaced, or null when another instance moved first. */
  abstract move(move: CohortMove): Promise<StoredCohortState | null>;
}

/** Whether a stored cohort is where the move starts from. */
export function moveApplies(move: CohortMove, current: StoredCohortState): boolean {
  return (
    move.from.includes(current.state) &&
    (move.since === undefined || current.since.getTime() === move.since.getTime())
  );
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

  move(move: CohortMove): Promise<StoredCohortState | null> {
    return this.dataSource.transaction(async (m) => {
      // A closed row first, so that the row lock below serialises instances on a cohort never stored.
      await m.query(
        `INSERT INTO breaker_states (breaker, cohort_key, state, switch_id, since, trips) VALUES ($1, $2, 'closed', NULL, to_timestamp(0), 0)
         ON CONFLICT (breaker, cohort_key) DO NOTHING`,
        [move.breaker, move.key],
      );
      const [current] = (await m.query(
        `SELECT breaker, cohort_key AS key, state, switch_id AS "switchId", since, trips FROM breaker_states
          WHERE breaker = $1 AND cohort_key = $2 FOR UPDATE`,
        [move.breaker, move.key],
      )) as StoredCohortState[];
      if (!moveApplies(move, current)) return null;
      const next = move.to(current);
      await m.query(
        `UPDATE breaker_states SET state = $3, switch_id = $4, since = $5, trips = $6, last_value = COALESCE($7, last_value)
          WHERE breaker = $1 AND cohort_key = $2`,
        [move.breaker, move.key, next.state, next.switchId, next.since, next.trips, move.lastValue],
      );
      return current;
    });
  }
}
