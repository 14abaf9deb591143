import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../db/pagination';
import { MAX_PERIODS } from '../services/consumption.reads';
import { MAX_NODE_IDS } from '../services/node.reads';
import { MAX_RANDOM_RECOMMENDATIONS } from '../services/recommendation.reads';
import { RateLimitedError } from '../shared/errors';
import type { GraphQLContext } from './context';
import { rateLimitedRequest } from './errors';

/** The most an operation may cost (see {@link operationCost}); the deep README and bench queries cost under 8,000. */
export const MAX_OPERATION_COST = 50_000;

/** Fields returning a page, multiplying what is selected under them by its size (`first` or `last`, default 20). */
const PAGED_FIELDS = new Set(['users', 'devices', 'events', 'recommendations']);
/** Each reading recorded costs this much, so one operation cannot record far more than one batch. */
const COST_PER_READING = 4;

/**
 * Refuses, before anything runs, an operation that could make the server read or write too much:
 * aliases and nesting multiply a cheap-looking query (100 devices × 1,000 daily buckets × 10 aliases).
 * Uses the operation's variables, so `first: $first` counts what the client actually asked for. Then
 * spends the cost from the caller's rate limit: RATE_LIMITED (HTTP 429) when it does not fit.
 */
export function createCostLimitPlugin(maxCost = MAX_OPERATION_COST): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (!operation) return;
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
          }
          const cost = operationCost(operation.selectionSet, fragments, request.variables ?? {});
          if (cost > maxCost) {
            throw new GraphQLError(
              `This operation could cost ${cost} (each field 1, lists multiplied by their size); the limit is ${maxCost}. Ask for smaller pages or fewer periods.`,
              { extensions: { code: 'BAD_REQUEST', cost, maxCost, http: { status: 400 } } },
            );
          }
          try {
            await contextValue.rateLimit.spend(cost);
          } catch (error) {
            throw error instanceof RateLimitedError ? rateLimitedRequest(error) : error;
          }
        },
      };
    },
  };
}

/** Estimated work of a selection: each field 1, plus its selection times the field's list size. */
export function operationCost(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Readonly<Record<string, unknown>>,
  visiting: ReadonlySet<string> = new Set(),
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += operationCost(selection.selectionSet, fragments, variables, visiting);
    } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      if (fragment && !visiting.has(fragment.name.value)) {
        total += operationCost(fragment.selectionSet, fragments, variables, new Set(visiting).add(fragment.name.value));
      }
    } else {
      const args = new Map((selection.arguments ?? []).map((arg) => [arg.name.value, valueOf(arg.value, variables)]));
      const name = selection.name.value;
      const size = PAGED_FIELDS.has(name)
        ? asCount(args.get('first') ?? args.get('last'), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        : name === 'consumption'
          ? asCount(args.get('periods'), 1, MAX_PERIODS)
          : name === 'randomRecommendations'
            ? asCount(args.get('count'), 3, MAX_RANDOM_RECOMMENDATIONS)
            : name === 'nodes' && Array.isArray(args.get('ids'))
              ? asCount((args.get('ids') as unknown[]).length, 0, MAX_NODE_IDS)
              : 1;
      const readings = name === 'recordEvents' && Array.isArray(args.get('inputs')) ? (args.get('inputs') as unknown[]).length : 0;
      const below = selection.selectionSet ? operationCost(selection.selectionSet, fragments, variables, visiting) : 0;
      total += 1 + size * below + readings * COST_PER_READING;
    }
  }
  return total;
}

function valueOf(node: ValueNode, variables: Readonly<Record<string, unknown>>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.INT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map((value) => valueOf(value, variables));
    default:
      return undefined;
  }
}

/**
 * A size argument as a count: a missing or invalid one counts as the default, one over the field's cap
 * as the cap. The field refuses a bad size itself, with the message that names the cap: the limits
 * speak once, `first: 1000000` says that pages hold at most 100, not what such a page would cost.
 */
function asCount(value: unknown, fallback: number, max: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? Math.min(value, max) : fallback;
}
