import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  printSchema,
  type DocumentNode,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Runs each operation as a function compiled for its document (graphql-jit) instead of through
 * graphql-js's interpreter, which allocates a promise per object with an async field and dominated the
 * CPU profile of large pages. Apollo's gateway interface is its one hook for a custom executor; parsing,
 * validation, the plugins and error formatting stay Apollo's. Compiled functions are cached per parsed
 * document, and Apollo's document store hands the same document object to every request with the same query.
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery>>();
  let announce: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0] | undefined;

  const executor: GatewayExecutor = async ({ document, request, context }) => {
    // The name the client asked for: Apollo's own `operationName` is that of the operation it resolved (null if none).
    const { operationName } = request;
    let byOperation = compiled.get(document);
    if (!byOperation) {
      byOperation = new Map();
      compiled.set(document, byOperation);
    }
    const name = operationName ?? '';
    let query = byOperation.get(name);
    if (!query) {
      // Apollo answers 400 OPERATION_RESOLUTION_FAILURE when the executor reports why no operation was
      // chosen; graphql-jit compiles one anyway, so the reason is graphql-js's, checked here first.
      if (!getOperationAST(document, operationName)) return { errors: [unresolvedOperation(document, operationName)] };
      const result = compileQuery(schema, document, operationName ?? undefined);
      if (!isCompiledQuery(result)) return result;
      query = result;
      byOperation.set(name, query);
    }
    const result = await query.query(undefined, context, request.variables ?? {});
    return result.errors ? { ...result, errors: result.errors.map((error) => asGraphQLError(error, document, operationName)) } : result;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      announce = callback;
      return () => {
        announce = undefined;
      };
    },
    async load() {
      announce?.({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return { executor };
    },
    async stop() {},
  };
}

/** Why `document` has no operation to run by `operationName`, in graphql-js's words. */
function unresolvedOperation(document: DocumentNode, operationName: string | null | undefined): GraphQLError {
  if (operationName) return new GraphQLError(`Unknown operation named "${operationName}".`);
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION).length;
  return new GraphQLError(operations > 1 ? 'Must provide operation name if query contains multiple operations.' : 'Must provide an operation.');
}

/**
 * graphql-jit's errors are GraphQLErrors without an `extensions` object, which Apollo's error
 * formatting requires: the same error as graphql-js would make (message, path, locations, cause).
 * A variable that cannot be coerced gets its definition as its node, as in graphql-js, which is how
 * Apollo tells it apart as BAD_USER_INPUT (HTTP 400) from a failure of the server.
 */
function asGraphQLError(error: GraphQLError, document: DocumentNode, operationName: string | null | undefined): GraphQLError {
  const variable = error.path ? undefined : VARIABLE_ERROR.exec(error.message)?.[1];
  const definition = variable === undefined ? undefined : variableDefinition(document, operationName, variable);
  const normalized = new GraphQLError(error.message, {
    nodes: definition,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
  return definition ? normalized : Object.assign(normalized, { locations: error.locations });
}

const VARIABLE_ERROR = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/;

function variableDefinition(
  document: DocumentNode,
  operationName: string | null | undefined,
  name: string,
): VariableDefinitionNode | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || (operationName && definition.name?.value !== operationName)) continue;
    const found = definition.variableDefinitions?.find((v) => v.variable.name.value === name);
    if (found) return found;
  }
  return undefined;
}
