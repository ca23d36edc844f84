/** The time the knowledge module reads (CSV read times, freshness at decision time); fixed in specs. */
export abstract class KnowledgeClock {
  abstract now(): Date;
}

export class SystemKnowledgeClock extends KnowledgeClock {
  now(): Date {
    return new Date();
  }
}
