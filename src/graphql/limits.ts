import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/** How deeply an operation may nest fields (introspection excepted). The deepest README example is 8. */
export const MAX_QUERY_DEPTH = 12;
/** How many operations one batched HTTP request may carry. */
export const MAX_BATCH_SIZE = 20;
/** How many aliased fields a document may have: aliases repeat a field's work under new names. */
export const MAX_ALIASES = 30;
/** How many directives a document may carry (`@include`, `@skip`, …, repeated). */
export const MAX_DIRECTIVES = 20;
/**
 * How many lexical tokens a document may have before parsing stops: the dashboard query has about 100.
 * Large inputs belong in variables (`recordEvents(inputs: $inputs)`), which this does not count.
 */
export const MAX_TOKENS = 5_000;

/** A validation rule refusing a document with more than `max` of the nodes `count` picks out. */
function countLimit(what: string, max: number, count: (visit: (n: number) => void) => ASTVisitor) {
  return (context: ValidationContext): ASTVisitor => {
    let seen = 0;
    return {
      ...count((n) => (seen += n)),
      Document: {
        leave(document) {
          if (seen > max) context.reportError(new GraphQLError(`This document has ${seen} ${what}; the limit is ${max}`, { nodes: [document] }));
        },
      },
    };
  };
}

/** Refuses a document with more than `max` aliased fields. */
export function aliasLimit(max: number) {
  return countLimit('aliases', max, (add) => ({ Field: (field) => void (field.alias && add(1)) }));
}

/** Refuses a document with more than `max` directives. */
export function directiveLimit(max: number) {
  return countLimit('directives', max, (add) => ({ Directive: () => void add(1) }));
}

/**
 * A validation rule refusing operations nested deeper than `maxDepth` fields: a partner's query cannot
 * make the server walk users → devices → owner → devices … without end. Introspection (`__schema`,
 * `__type`) is exempt: GraphiQL's own query is deep by nature and reads no data.
 */
export function depthLimit(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          const below = selection.selectionSet ? depthOf(selection.selectionSet, visiting) : 0;
          deepest = Math.max(deepest, 1 + below);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || visiting.has(name)) continue; // unknown or cyclic: other rules report it
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set(visiting).add(name)));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`This operation nests ${depth} levels deep; the limit is ${maxDepth}`, { nodes: [operation] }),
          );
        }
      },
    };
  };
}
