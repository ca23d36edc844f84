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
