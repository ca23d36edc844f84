import { v7 as uuidv7 } from 'uuid';

/** Event ids are UUIDv7: unique and ordered by creation time, so they index well. */
export function newEventId(): string {
  return uuidv7();
}
