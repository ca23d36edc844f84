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

/** A clock that only moves when told: for unit specs and simulations of a use case over time. */
export class ManualClock extends Clock {
  private t: number;

  constructor(start: string | Date | number = '2026-03-02T09:00:00.000Z') {
    super();
    this.t = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  advance(ms: number): void {
    this.t += ms;
  }

  set(at: string | Date | number): void {
    this.t = new Date(at).getTime();
  }
}
