import { EventSchema } from './event.entity';
import { NodeSchema } from './node.entity';
import { RecommendationSchema } from './recommendation.entity';
import { UserSchema } from './user.entity';

export { Event } from './event.entity';
export { Node } from './node.entity';
export { Recommendation } from './recommendation.entity';
export { User, ROLES, type Role } from './user.entity';
export type { EventRecord, IdRef, NodeRecord, RecommendationRecord, UserRecord } from './records';

/** Every entity the ORM maps, listed explicitly (no folder discovery). */
export const entities = [UserSchema, NodeSchema, EventSchema, RecommendationSchema];
