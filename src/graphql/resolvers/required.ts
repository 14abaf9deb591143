/** A relation the schema declares non-null; a missing row there is a broken invariant, not a client error. */
export function required<T>(value: T | null, relation: string, parentId: string): T {
  if (value === null) throw new Error(`${relation} of ${parentId} is missing`);
  return value;
}
