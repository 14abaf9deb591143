import { ApiKeySchema } from './api-key.entity';
import { EventSchema } from './event.entity';
import { DeviceEventCountSchema } from './device-event-count.entity';
import { DeviceSchema } from './device.entity';
import { RateLimitCounterSchema } from './rate-limit-counter.entity';
import { RecommendationSchema } from './recommendation.entity';
import { UserSchema } from './user.entity';

export { ApiKey } from './api-key.entity';
export { Event } from './event.entity';
export { Device } from './device.entity';
export { DeviceEventCount } from './device-event-count.entity';
export { RateLimitCounter, RATE_LIMIT_COUNTERS_TABLE } from './rate-limit-counter.entity';
export { Recommendation } from './recommendation.entity';
export { User } from './user.entity';
export { API_KEY_SCOPES, ROLES, type ApiKeyRecord, type ApiKeyScope, type EventRecord, type IdRef, type DeviceRecord, type NodeRecord, type RecommendationRecord, type Role, type UserRecord } from './records';

/** Every entity the ORM maps, listed explicitly (no folder discovery). */
export const entities = [UserSchema, DeviceSchema, EventSchema, DeviceEventCountSchema, RecommendationSchema, ApiKeySchema, RateLimitCounterSchema];
