import { ChangeSetType, OptimisticLockError, wrap, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError } from '../shared/errors';
import { groupBy } from '../shared/group-by';
import { read, uuidArray } from './sql';

/** An entity that users edit: a version for optimistic locking and an update time. */
export interface Versioned {
  version: number;
  updatedAt: Date;
}

/**
 * Marks a loaded entity as changed, if it was: its version becomes the one its row had when the
 * operation found it plus one, however many times and in however many fields the operation changes
 * it, and `updatedAt` now. Before its first flush, {@link lockTouched} locks the row and checks that
 * version, so a concurrent writer's change is never overwritten (CONFLICT), and the payload already
 * shows the version the row will have. An update that changes nothing leaves the version alone, so it
 * cannot make other clients' stale.
 */
export function touch(em: EntityManager, entity: Versioned): void {
  const loaded = loadedState(entity);
  if (loaded?.version === undefined) return; // not yet in the database: inserted with version 1
  // Remembered before this field's flush makes the flushed state the loaded one.
  const found = versionBeforeOperation(entity) ?? loaded.version;
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
  entity.version = found + 1;
  entity.updatedAt = new Date();
  if (!locked.has(entity)) toLock(em).add(entity);
}

/** Touched entities whose rows the unit of work has yet to lock, per fork; and those it has locked. */
const unlocked = new WeakMap<EntityManager, Set<Versioned>>();
const locked = new WeakSet<Versioned>();

function toLock(em: EntityManager): Set<Versioned> {
  let entities = unlocked.get(em);
  if (!entities) {
    entities = new Set();
    unlocked.set(em, entities);
  }
  return entities;
}

/**
 * Locks the rows of the entities touched since the last call (`select … for no key update`, the lock
 * an UPDATE takes, so inserting children of the row still only waits for the commit; in id order, one
 * statement per table) and checks that each still has the version the operation found: another
 * writer's change in between is an OptimisticLockError (CONFLICT), and nothing is written. Only the
 * unit-of-work plugin calls it, inside the operation's transaction and before each flush; the locks
 * last until that transaction ends, so the UPDATEs cannot overwrite anyone, and a row changed by an
 * earlier field (already locked) is not checked again.
 */
export async function lockTouched(em: EntityManager): Promise<void> {
  const entities = unlocked.get(em);
  unlocked.delete(em);
  if (!entities?.size) return;
  const byTable = groupBy([...entities], (entity) => wrap(entity, true).__meta.tableName);
  for (const [table, touched] of byTable) {
    const rows = await read<{ id: string; version: number }>(
      { em },
      `select id, version from ${table} where id = any(?::uuid[]) order by id for no key update`,
      [uuidArray(touched.map(idOf))],
    );
    const versions = new Map(rows.map((row) => [row.id, row.version]));
    for (const entity of touched) {
      if (versions.get(idOf(entity)) !== versionBeforeOperation(entity)) throw OptimisticLockError.lockFailed(entity);
      locked.add(entity);
    }
  }
}

/** Change sets that update a row (MikroORM runs some updates early, e.g. one that nulls a unique value). */
const UPDATES = new Set([ChangeSetType.UPDATE, ChangeSetType.UPDATE_EARLY]);

/**
 * Refuses a flush that would update a versioned row without {@link touch} and {@link lockTouched}
 * in this unit of work: no write that skips the version, or the check that nobody changed the row
 * since the operation read it.
 */
const VERSION_GUARD: EventSubscriber = {
  onFlush({ uow }: FlushEventArgs): void {
    for (const changeSet of uow.getChangeSets()) {
      const entity = changeSet.entity as Partial<Versioned>;
      if (UPDATES.has(changeSet.type) && entity.version !== undefined && !locked.has(entity as Versioned)) {
        throw OptimisticLockError.lockFailed(changeSet.entity);
      }
    }
  },
};

/**
 * Guards every flush of `em` and of its forks with the version check above: whoever flushes units of
 * work registers it (the unit-of-work plugin). Registering it again changes nothing.
 */
export function guardVersions(em: EntityManager): void {
  em.getEventManager().registerSubscriber(VERSION_GUARD);
}

function idOf(entity: Versioned): string {
  return wrap(entity, true).getPrimaryKey() as unknown as string;
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
