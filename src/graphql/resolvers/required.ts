/**
 * A relation the schema declares non-null, as a records lookup gives it (the record, or a promise of
 * it): a missing row there is a broken invariant, not a client error.
 */
export function required<T>(value: T | null | Promise<T | null>, relation: string, parentId: string): T | Promise<T> {
  return value instanceof Promise ? value.then((record) => present(record, relation, parentId)) : present(value, relation, parentId);
}

function present<T>(value: T | null, relation: string, parentId: string): T {
  if (value === null) throw new Error(`${relation} of ${parentId} is missing`);
  return value;
}
