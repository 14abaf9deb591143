import { GraphQLError, GraphQLScalarType, Kind, type GraphQLScalarTypeConfig, type ValueNode } from 'graphql';

// ISO 8601 with a time and an explicit offset (Z or ±hh:mm); no local times, which would be ambiguous.
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function invalid(scalar: string, detail: string): GraphQLError {
  return new GraphQLError(`${scalar} ${detail}`, { extensions: { code: 'BAD_USER_INPUT' } });
}

function parseDateTime(value: unknown): Date {
  const match = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (!match) throw invalid('DateTime', 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-29T10:15:00Z');
  const date = new Date(value as string);
  // JavaScript rolls impossible dates over (Feb 30 becomes Mar 2); refuse them instead.
  if (Number.isNaN(date.getTime()) || !isCalendarDate(match[1]!) || Number(match[2]) > 23 || Number(match[3]) > 59) {
    throw invalid('DateTime', `"${String(value)}" is not a real instant`);
  }
  return date;
}

function isCalendarDate(ymd: string): boolean {
  const date = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === ymd;
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) throw invalid('Date', 'must be YYYY-MM-DD');
  if (!isCalendarDate(value)) throw invalid('Date', `"${value}" is not a real calendar date`);
  return value;
}

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text.trim())) {
    throw invalid('Decimal', 'must be a decimal number such as "12.50"');
  }
  return text.trim();
}

function literal(ast: ValueNode, kinds: Kind[]): unknown {
  if (!kinds.includes(ast.kind)) throw invalid('Value', `of kind ${ast.kind} is not accepted here`);
  return 'value' in ast ? ast.value : undefined;
}

/**
 * The scalars' behaviour. Their descriptions live in schema/common.graphql; graphql-tools copies every
 * own property of a resolver's scalar onto the schema's, so the unset ones are dropped to keep the SDL's.
 */
function scalar<Internal, External>(config: GraphQLScalarTypeConfig<Internal, External>): GraphQLScalarType<Internal, External> {
  const type = new GraphQLScalarType(config);
  for (const key of ['description', 'specifiedByURL', 'astNode', 'extensionASTNodes'] as const) {
    const value: unknown = type[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) delete (type as Partial<Record<typeof key, unknown>>)[key];
  }
  return type;
}

export const DateTimeScalar = scalar<Date, string>({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value : parseDateTime(value)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(literal(ast, [Kind.STRING])),
});

export const DateScalar = scalar<string, string>({
  name: 'Date',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : parseDate(value)),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(literal(ast, [Kind.STRING])),
});

export const DecimalScalar = scalar<string, string>({
  name: 'Decimal',
  serialize: (value) => parseDecimal(value),
  parseValue: parseDecimal,
  // Number literals keep their source text (e.g. 12.50), so no precision is lost on the way in.
  parseLiteral: (ast) => parseDecimal(literal(ast, [Kind.STRING, Kind.INT, Kind.FLOAT])),
});
