import { v7 } from 'uuid';

/** A new time-ordered UUIDv7, made in the application so a unit of work can hand it out before the flush. */
export function newId(): string {
  return v7();
}
