import { ApiKeySchema } from './api-key.entity';
import { EventSchema } from './event.entity';
import { NodeSchema } from './node.entity';
import { RateLimitCounterSchema } from './rate-limit-counter.entity';
import { RecommendationSchema } from './recommendation.entity';
import { UserSchema } from './user.entity';

export { ApiKey, API_KEY_SCOPES, type ApiKeyScope } from './api-key.entity';
export { Event } from './event.entity';
export { Node } from './node.entity';
export { RateLimitCounter, RATE_LIMIT_COUNTERS_TABLE } from './rate-limit-counter.entity';
export { Recommendation } from './recommendation.entity';
export { User, ROLES, type Role } from './user.entity';
export type { ApiKeyRecord, EventRecord, IdRef, NodeRecord, RecommendationRecord, UserRecord } from './records';

/** Every entity the ORM maps, listed explicitly (no folder discovery). */
export const entities = [UserSchema, NodeSchema, EventSchema, RecommendationSchema, ApiKeySchema, RateLimitCounterSchema];
