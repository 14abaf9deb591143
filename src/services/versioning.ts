import { wrap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError } from './errors';

/** An entity that users edit: a version for optimistic locking and an update time. */
export interface Versioned {
  version: number;
  updatedAt: Date;
}

/**
 * Marks a loaded entity as changed by this unit of work, if it was: its version becomes the loaded one
 * plus one (however many times the operation changes it) and `updatedAt` now. The flush updates the
 * row only where it still has the loaded version, so a concurrent writer's change is never overwritten
 * (OptimisticLockError → CONFLICT), and the response already shows the version the row will have.
 * An update that changes nothing leaves the version alone, so it cannot make other clients' stale.
 */
export function touch(em: EntityManager, entity: Versioned): void {
  const loaded = loadedState(entity);
  if (loaded?.version === undefined) return; // not yet in the database: inserted with version 1
  const comparator = em.getComparator();
  const name = wrap(entity, true).__meta.className;
  const changes = comparator.diffEntities(name, loaded, comparator.prepareEntity(entity));
  delete changes.version;
  delete changes.updatedAt;
  if (Object.keys(changes).length === 0) {
    // Nothing to write after all (e.g. changed, then changed back): restore what was loaded.
    entity.version = loaded.version;
    if (loaded.updatedAt !== undefined) entity.updatedAt = new Date(loaded.updatedAt);
    return;
  }
  entity.version = loaded.version + 1;
  entity.updatedAt = new Date();
}

/** Refuses an update made against an older version than the current one (a lost update otherwise). */
export function expectVersion(what: string, entity: Versioned, expected: number | null | undefined): void {
  const loaded = loadedState(entity)?.version ?? entity.version;
  if (expected === null || expected === undefined || expected === loaded) return;
  throw new ConflictError(
    'input.expectedVersion',
    `${what} was changed by someone else (version ${loaded}, you expected ${expected}); read it again and retry`,
  );
}

/** The entity as this unit of work loaded it from the database; undefined for a new one. */
function loadedState(entity: Versioned): Partial<Versioned> | undefined {
  return wrap(entity, true).__originalEntityData as Partial<Versioned> | undefined;
}
