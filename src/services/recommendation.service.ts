import { Recommendation } from '../entities';
import type { ServiceContext } from './context';
import { ConflictError, NotFoundError } from './errors';
import { findByIds } from './lookup';
import { escapeLike, pageById, type Connection } from './pagination';
import * as valid from './validation';
import { expectVersion, touch } from './versioning';

export interface CreateRecommendationData {
  title: string;
  description: string;
  imageUrl: string;
  icon: string;
}

export interface UpdateRecommendationData {
  title?: string | null;
  description?: string | null;
  imageUrl?: string | null;
  icon?: string | null;
  expectedVersion?: number | null;
}

export interface RecommendationFilter {
  first?: number | null;
  after?: string | null;
  active?: boolean | null;
}

export const MAX_RANDOM_RECOMMENDATIONS = 20;
/** Adds a tip. A title taken by an active tip is refused by the database at flush (CONFLICT). */
export function createRecommendation(ctx: ServiceContext, data: CreateRecommendationData): Recommendation {
  const recommendation = ctx.em.create(Recommendation, {
    title: valid.text('input.title', data.title, { max: 100 }),
    description: valid.text('input.description', data.description, { max: 2000 }),
    imageUrl: valid.httpsUrl('input.imageUrl', data.imageUrl),
    icon: valid.iconName('input.icon', data.icon),
  });
  ctx.em.persist(recommendation);
  return recommendation;
}

export async function updateRecommendation(
  ctx: ServiceContext,
  id: string,
  data: UpdateRecommendationData,
): Promise<Recommendation> {
  const tip = await getRecommendation(ctx, id);
  expectVersion('Recommendation', tip, data.expectedVersion);
  if (data.title !== undefined) tip.title = valid.text('input.title', valid.notNull('input.title', data.title), { max: 100 });
  if (data.description !== undefined) {
    tip.description = valid.text('input.description', valid.notNull('input.description', data.description), { max: 2000 });
  }
  if (data.imageUrl !== undefined) tip.imageUrl = valid.httpsUrl('input.imageUrl', valid.notNull('input.imageUrl', data.imageUrl));
  if (data.icon !== undefined) tip.icon = valid.iconName('input.icon', valid.notNull('input.icon', data.icon));
  touch(ctx.em, tip);
  return tip;
}

/** Hides (false) or shows again (true) a tip. Reactivating needs its title to be free among active tips. */
export async function setRecommendationActive(ctx: ServiceContext, id: string, active: boolean): Promise<Recommendation> {
  const tip = await getRecommendation(ctx, id);
  if (active && !tip.active) {
    const clash = await ctx.em.count(Recommendation, { active: true, id: { $ne: tip.id }, title: { $ilike: escapeLike(tip.title) } });
    if (clash > 0) throw new ConflictError('title', `An active recommendation is already titled "${tip.title}"`);
  }
  tip.active = active;
  touch(ctx.em, tip);
  return tip;
}

export function recommendationsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<Array<Recommendation | null>> {
  return findByIds(ctx.em, Recommendation, ids);
}

/** A page of tips, oldest first. */
export async function listRecommendations(ctx: ServiceContext, filter: RecommendationFilter): Promise<Connection<Recommendation>> {
  const where = filter.active === null || filter.active === undefined ? {} : { active: filter.active };
  return pageById(ctx.em, Recommendation, 'recommendation', where, filter);
}

/** Up to `count` different active tips in random order. */
export async function randomRecommendations(ctx: ServiceContext, count: number | null | undefined): Promise<Recommendation[]> {
  const limit = valid.intInRange('count', count ?? 3, 1, MAX_RANDOM_RECOMMENDATIONS);
  const rows = await ctx.em.execute<Array<Record<string, unknown>>>(
    'select * from recommendations where active order by random() limit ?',
    [limit],
  );
  return rows.map((row) => ctx.em.map(Recommendation, row));
}

async function getRecommendation(ctx: ServiceContext, id: string): Promise<Recommendation> {
  const [tip] = await recommendationsByIds(ctx, [valid.id('id', id)]);
  if (!tip) throw new NotFoundError('Recommendation', id);
  return tip;
}
