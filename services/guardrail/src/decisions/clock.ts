import { Injectable } from '@nestjs/common';

/** The time, as a port: the decision use case asks it instead of `Date.now()`, so unit specs set it. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
