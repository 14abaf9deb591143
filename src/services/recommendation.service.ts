import { requireAdmin, type ActingContext } from '../auth/actor';
import type { ForkContext } from '../db/fork-context';
import { findByIds } from '../db/lookup';
import { escapeLike } from '../db/pagination';
import { expectVersion, touch } from '../db/versioning';
import { Recommendation } from '../entities';
import { ConflictError, NotFoundError } from '../shared/errors';
import * as valid from './validation';

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

/** Adds a tip (administrators only). A title taken by an active tip is refused by the database at flush (CONFLICT). */
export async function createRecommendation(ctx: ActingContext, data: CreateRecommendationData): Promise<Recommendation> {
  await requireAdmin(ctx, 'manage recommendations');
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
  ctx: ActingContext,
  id: string,
  data: UpdateRecommendationData,
): Promise<Recommendation> {
  await requireAdmin(ctx, 'manage recommendations');
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
export async function setRecommendationActive(ctx: ActingContext, id: string, active: boolean): Promise<Recommendation> {
  await requireAdmin(ctx, 'manage recommendations');
  const tip = await getRecommendation(ctx, id);
  if (active && !tip.active) {
    const clash = await ctx.em.count(Recommendation, { active: true, id: { $ne: tip.id }, title: { $ilike: escapeLike(tip.title) } });
    if (clash > 0) throw new ConflictError('title', `An active recommendation is already titled "${tip.title}"`);
  }
  tip.active = active;
  touch(ctx.em, tip);
  return tip;
}

async function getRecommendation(ctx: ForkContext, id: string): Promise<Recommendation> {
  const [tip] = await findByIds(ctx.em, Recommendation, [valid.id('id', id)]);
  if (!tip) throw new NotFoundError('Recommendation', id);
  return tip;
}
