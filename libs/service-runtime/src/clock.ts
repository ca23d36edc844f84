import { Injectable } from '@nestjs/common';

/** The time, as a port: use cases ask it instead of `new Date()`, so unit tests can set it. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock the test moves (unit specs of use cases). */
export class ManualClock extends Clock {
  private t: number;
  constructor(start: string | Date = '2026-03-02T09:00:00.000Z') {
    super();
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
