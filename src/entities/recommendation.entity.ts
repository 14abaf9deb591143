import { defineEntity, OptionalProps } from '@mikro-orm/core';
import { newId } from './ids';
import type { RecommendationRecord } from './records';

/** A water-saving tip shown in the app. */
export class Recommendation implements RecommendationRecord {
  [OptionalProps]?: 'active' | 'createdAt' | 'updatedAt' | 'version';

  id: string = newId();
  title!: string;
  description!: string;
  imageUrl!: string;
  icon!: string;
  active = true;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
  /** Optimistic lock: 1 on creation, bumped once per unit of work that changes the row (services' `touch`). */
  version = 1;
}

export const RecommendationSchema = defineEntity({
  class: Recommendation,
  tableName: 'recommendations',
  indexes: [
    {
      // Titles are unique among the active tips only, ignoring case.
      name: 'recommendations_active_title_unique',
      expression:
        'create unique index "recommendations_active_title_unique" on "recommendations" (lower("title")) where "active"',
    },
  ],
  properties: (p) => ({
    id: p.uuid().primary(),
    title: p.string().length(100),
    description: p.text(),
    imageUrl: p.string().length(2048),
    icon: p.string().length(50),
    active: p.boolean().default(true),
    createdAt: p.datetime().columnType('timestamptz').defaultRaw('now()'),
    updatedAt: p.datetime().columnType('timestamptz').defaultRaw('now()'),
    version: p.integer().default(1),
  }),
});
