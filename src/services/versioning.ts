import { wrap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError } from './errors';

/** An entity that users edit: a version for optimistic locking and an update time. */
export interface Versioned {
  version: number;
  updatedAt: Date;
}

/**
 * Marks a loaded entity as changed, if it was: its version becomes the loaded (or last flushed) one
 * plus one, however many times the field changes it, and `updatedAt` now. The flush updates the row
 * only where it still has that version, so a concurrent writer's change is never overwritten
 * (OptimisticLockError → CONFLICT), and the payload already shows the version the row will have.
 * Each mutation field is flushed on its own, so two fields updating one row move it by two versions.
 * An update that changes nothing leaves the version alone, so it cannot make other clients' stale.
 */
export function touch(em: EntityManager, entity: Versioned): void {
  const loaded = loadedState(entity);
  if (loaded?.version === undefined) return; // not yet in the database: inserted with version 1
  versionBeforeOperation(entity); // remembered before this field's flush makes it the loaded one
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

/**
 * Refuses an update made against an older version than the current one (a lost update otherwise).
 * "Current" is what the row held when this operation began: an earlier field of the same mutation
 * changing the row does not make the client's version stale.
 */
export function expectVersion(what: string, entity: Versioned, expected: number | null | undefined): void {
  const loaded = versionBeforeOperation(entity) ?? entity.version;
  if (expected === null || expected === undefined || expected === loaded) return;
  throw new ConflictError(
    'input.expectedVersion',
    `${what} was changed by someone else (version ${loaded}, you expected ${expected}); read it again and retry`,
  );
}

/**
 * The version an entity had when this unit of work first saw it in the database. A mutation flushes
 * each field into its transaction, which makes the flushed state the "loaded" one; `expectedVersion`
 * is still checked against what the client could have read. Entities belong to one operation's fork,
 * so this lives and dies with them.
 */
const versionsBeforeOperation = new WeakMap<Versioned, number>();

function versionBeforeOperation(entity: Versioned): number | undefined {
  let version = versionsBeforeOperation.get(entity);
  if (version === undefined) {
    version = loadedState(entity)?.version;
    if (version !== undefined) versionsBeforeOperation.set(entity, version);
  }
  return version;
}

/** The entity as this unit of work loaded (or last flushed) it; undefined for a new one. */
function loadedState(entity: Versioned): Partial<Versioned> | undefined {
  return wrap(entity, true).__originalEntityData as Partial<Versioned> | undefined;
}
