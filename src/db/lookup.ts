import { wrap, type EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { checkDeadline } from './deadline';
import { statementOwner } from './fork-context';

/**
 * Entities by id, in the order of `ids` (null where none exists). Entities this unit of work already
 * holds (loaded, or created and not yet flushed) come from its identity map; the rest in one query.
 * One it has removed counts as gone, though its row is deleted only at the flush.
 */
export async function findByIds<T extends { id: string }>(
  em: EntityManager,
  entity: EntityClass<T>,
  ids: readonly string[],
): Promise<Array<T | null>> {
  const uow = em.getUnitOfWork();
  const removed = uow.getRemoveStack();
  const found = new Map<string, T>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const managed = uow.getById<T>(entity.name, id as never);
    if (managed && wrap(managed).isInitialized()) found.set(id, managed);
    else missing.push(id);
  }
  if (missing.length > 0) {
    checkDeadline(statementOwner(em), `findByIds ${entity.name}`);
    const rows = await em.find(entity, { id: { $in: missing } } as never);
    for (const row of rows) found.set(row.id, row);
  }
  for (const [id, row] of found) if (removed.has(row)) found.delete(id);
  return ids.map((id) => found.get(id) ?? null);
}
