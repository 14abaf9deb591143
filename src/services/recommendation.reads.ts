import { activeOrAdmin, requireScope } from '../auth/access';
import type { ActingContext } from '../auth/actor';
import { BY_ID, cursorParts, idCursor, pageRequest, readPage, type Connection, type PagingArgs } from '../db/pagination';
import { recordsByIds, type RecordSource } from '../db/point-lookups';
import { instant, read, type Row } from '../db/sql';
import type { RecommendationRecord } from '../entities';
import * as valid from './validation';

export interface RecommendationFilter extends PagingArgs {
  active?: boolean | null;
}

export const MAX_RANDOM_RECOMMENDATIONS = 20;
/** Cursor kind of the recommendations list. */
const RECOMMENDATION_CURSOR = 'recommendation';

/** Opaque position of a row of the recommendations list: its id (UUIDv7, so creation order). */
export function recommendationCursor(tip: RecommendationRecord): string {
  return idCursor(RECOMMENDATION_CURSOR, tip);
}

const COLUMNS = 'id, title, description, image_url, icon, active, created_at, version';

function toRecommendationRecord(row: Row): RecommendationRecord {
  return {
    id: row.id as string,
    title: row.title as string,
    description: row.description as string,
    imageUrl: row.image_url as string,
    icon: row.icon as string,
    active: row.active as boolean,
    createdAt: instant(row.created_at),
    version: row.version as number,
  };
}

/** The tips the caller may see: the active ones (every one for an ADMIN). */
const VISIBLE = activeOrAdmin('active');
const SCOPE = 'recommendations:read';

/** Where recommendation records come from. */
const RECOMMENDATIONS: RecordSource<RecommendationRecord> = {
  table: 'recommendations',
  columns: COLUMNS,
  toRecord: toRecommendationRecord,
  condition: VISIBLE.sql,
};

/** Tips by id (null where none), in one statement: the `recommendationById` loader's batch. */
export async function recommendationRecordsByIds(ctx: ActingContext, ids: readonly string[]): Promise<Array<RecommendationRecord | null>> {
  requireScope(ctx, SCOPE);
  return recordsByIds(ctx, RECOMMENDATIONS, ids, VISIBLE.params(ctx.caller));
}

/** A page of tips, oldest first, read either way: the active ones, and for an ADMIN every one. */
export async function listRecommendations(ctx: ActingContext, filter: RecommendationFilter): Promise<Connection<RecommendationRecord>> {
  requireScope(ctx, SCOPE);
  const request = pageRequest(RECOMMENDATION_CURSOR, filter, [cursorParts.id]);
  const active = filter.active ?? null;
  return readPage(ctx, {
    select: `select ${COLUMNS} from recommendations`,
    table: 'recommendations',
    where: `(?::boolean is null or active = ?::boolean) and ${VISIBLE.sql}`,
    values: [active, active, ...VISIBLE.params(ctx.caller)],
    keyset: BY_ID,
    toRecord: toRecommendationRecord,
    cursorOf: recommendationCursor,
  }, request);
}

/** Up to `count` different active tips in random order. */
export async function randomRecommendations(ctx: ActingContext, count: number | null | undefined): Promise<RecommendationRecord[]> {
  requireScope(ctx, SCOPE);
  const limit = valid.intInRange('count', count ?? 3, 1, MAX_RANDOM_RECOMMENDATIONS);
  const rows = await read(ctx, `select ${COLUMNS} from recommendations where active order by random() limit ?`, [limit]);
  return rows.map(toRecommendationRecord);
}
