import { v7 } from 'uuid';

/** A new time-ordered UUIDv7, made in the application so a unit of work can hand it out before the flush. */
export function newId(): string {
  return v7();
}

/** The smallest UUIDv7 of the millisecond `at`: every id made at or after `at` sorts at or above it. */
export function firstIdAt(at: Date): string {
  const hex = Math.max(0, Math.floor(at.getTime())).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}
