/* eslint-disable */
import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { UserRecord, DeviceRecord, EventRecord, RecommendationRecord, ApiKeyRecord } from '../../entities';
import type { Connection } from '../../db/pagination';
import type { GraphQLContext } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A calendar date, `YYYY-MM-DD`. */
  Date: { input: string; output: string; }
  /**
   * An instant in time, as an ISO 8601 string in UTC (e.g. `2026-11-29T10:15:00.000Z`).
   * Input may carry any offset (`+02:00`); output is always UTC.
   */
  DateTime: { input: Date; output: Date; }
  /**
   * An exact decimal number, serialized as a string such as `"12.50"` so that no precision is lost to
   * floating point. Input accepts a string (preferred) or a number literal.
   */
  Decimal: { input: string; output: string; }
};

/**
 * A partner's API key. It acts for its owner, only within its scopes. Its secret is shown once, by
 * `createApiKey`; the API keeps only a hash of it.
 */
export type ApiKey = Node & {
  __typename?: 'ApiKey';
  /** When the key was made. */
  createdAt: Scalars['DateTime']['output'];
  /** Unique id (UUIDv7). */
  id: Scalars['ID']['output'];
  /** When the key was last used (to the minute); null if never. */
  lastUsedAt: Maybe<Scalars['DateTime']['output']>;
  /** What the key is for, e.g. the partner's name. */
  name: Scalars['String']['output'];
  /** The user the key acts for. */
  owner: User;
  /** The public start of the secret (`amk_<prefix>_…`), to tell keys apart. */
  prefix: Scalars['String']['output'];
  /** When the key was revoked; null while it works. */
  revokedAt: Maybe<Scalars['DateTime']['output']>;
  /** What the key may do: `devices:read`, `events:read`, `events:write`, `recommendations:read`. */
  scopes: Array<Scalars['String']['output']>;
};

/** Consumption summed over one period. */
export type ConsumptionBucket = {
  __typename?: 'ConsumptionBucket';
  /** Where the period starts: the instant of local midnight of its first day, in the time zone asked for. */
  start: Scalars['DateTime']['output'];
  /** Sum of the readings in the period; 0 when there are none. */
  total: Scalars['Decimal']['output'];
  /** The unit of the summed readings; null for a period without readings. */
  unit: Maybe<Scalars['String']['output']>;
};

/** A new API key. */
export type CreateApiKeyInput = {
  /** What the key is for, at most 100 characters. */
  name: Scalars['String']['input'];
  /** The user the key acts for: the caller when left out (only an ADMIN may name another user). */
  ownerId?: InputMaybe<Scalars['ID']['input']>;
  /** What the key may do; at least one of `devices:read`, `events:read`, `events:write`, `recommendations:read`. */
  scopes: Array<Scalars['String']['input']>;
};

/** A new key and its secret. */
export type CreateApiKeyPayload = {
  __typename?: 'CreateApiKeyPayload';
  /** The key. */
  apiKey: ApiKey;
  /** The secret, shown this once: send it as `Authorization: Bearer <secret>`. */
  secret: Scalars['String']['output'];
};

/** What a new device is made of. */
export type CreateDeviceInput = {
  /** Free text, at most 500 characters. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Display name, 1 to 50 characters. */
  name: Scalars['String']['input'];
  /** The id of the user who owns the device: the caller when left out (only an ADMIN may name another user). */
  ownerId?: InputMaybe<Scalars['ID']['input']>;
};

/** What a new tip is made of. */
export type CreateRecommendationInput = {
  /** 1 to 2,000 characters. */
  description: Scalars['String']['input'];
  /** Icon name: 1 to 50 of letters, digits and dashes. */
  icon: Scalars['String']['input'];
  /** An https URL, at most 2,048 characters. */
  imageUrl: Scalars['String']['input'];
  /** 1 to 100 characters; unique among active tips. */
  title: Scalars['String']['input'];
};

/** What a new user is made of. Role, status and timestamps are not set by input. */
export type CreateUserInput = {
  /** Date of birth, in the past. */
  birthDate?: InputMaybe<Scalars['Date']['input']>;
  /** A valid email address; unique (stored lower-case). */
  email: Scalars['String']['input'];
  /** Given name, at most 50 characters. */
  firstName: Scalars['String']['input'];
  /** Family name, at most 50 characters. */
  lastName: Scalars['String']['input'];
  /** At least 8 characters with an upper-case letter, a lower-case letter and a digit. */
  password: Scalars['String']['input'];
  /** Second family name, at most 50 characters. */
  secondLastName?: InputMaybe<Scalars['String']['input']>;
  /** 3 to 25 letters, digits or underscores; unique. */
  username: Scalars['String']['input'];
};

/** An IoT device that controls or measures water: a valve, gate, relay, flow or level sensor. */
export type Device = Node & {
  __typename?: 'Device';
  /** False once deactivated. */
  active: Scalars['Boolean']['output'];
  /**
   * Total consumption per day, month or year of `timeZone` over the last `periods` periods (the current
   * one included), oldest first: a day runs from local midnight to local midnight (23 or 25 hours across
   * a daylight-saving change), a month from the first of the month. Periods without readings are
   * included with a total of 0. Readings in different units are never added together: a period with
   * readings in several units has one bucket per unit.
   */
  consumption: Array<ConsumptionBucket>;
  /** Free text about the device, if any. */
  description: Maybe<Scalars['String']['output']>;
  /** The device's readings, newest first. */
  events: EventConnection;
  /** Unique id (UUIDv7). */
  id: Scalars['ID']['output'];
  /** The device's newest reading, or null when it has none. */
  latestEvent: Maybe<Event>;
  /** Display name, at most 50 characters. */
  name: Scalars['String']['output'];
  /** The user who owns the device. */
  owner: User;
  /** When the device was registered. */
  registeredAt: Scalars['DateTime']['output'];
  /** Changes on every update; pass it as `expectedVersion` to update safely. */
  version: Scalars['Int']['output'];
};


/** An IoT device that controls or measures water: a valve, gate, relay, flow or level sensor. */
export type DeviceConsumptionArgs = {
  granularity: Granularity;
  periods: Scalars['Int']['input'];
  timeZone?: InputMaybe<Scalars['String']['input']>;
};


/** An IoT device that controls or measures water: a valve, gate, relay, flow or level sensor. */
export type DeviceEventsArgs = {
  after: InputMaybe<Scalars['String']['input']>;
  before: InputMaybe<Scalars['String']['input']>;
  first: InputMaybe<Scalars['Int']['input']>;
  from: InputMaybe<Scalars['DateTime']['input']>;
  last: InputMaybe<Scalars['Int']['input']>;
  to: InputMaybe<Scalars['DateTime']['input']>;
};

/** A page of devices. */
export type DeviceConnection = {
  __typename?: 'DeviceConnection';
  /** The devices on this page, each with its cursor. */
  edges: Array<DeviceEdge>;
  /** Where this page stands. */
  pageInfo: PageInfo;
  /** How many devices match, across all pages. */
  totalCount: Scalars['Int']['output'];
};

/** A device and its cursor. */
export type DeviceEdge = {
  __typename?: 'DeviceEdge';
  /** Opaque position of this device in the list; pass it as `after`. */
  cursor: Scalars['String']['output'];
  /** The device. */
  node: Device;
};

/** The result of a device mutation. */
export type DevicePayload = {
  __typename?: 'DevicePayload';
  /** The device after the mutation (for deleteDevice: as it was before). */
  device: Device;
};

/** One water-consumption reading of a device. */
export type Event = Node & {
  __typename?: 'Event';
  /** The amount read, exact to the cent (at least 0, at most 2 decimals). */
  consumption: Scalars['Decimal']['output'];
  /** The device that took the reading. */
  device: Device;
  /** Unique id (UUIDv7). */
  id: Scalars['ID']['output'];
  /** When the reading was taken. */
  occurredAt: Scalars['DateTime']['output'];
  /** The unit of the amount, e.g. `L` or `L/min` (at most 10 characters). */
  unit: Scalars['String']['output'];
};

/** A page of readings. */
export type EventConnection = {
  __typename?: 'EventConnection';
  /** The readings on this page, each with its cursor. */
  edges: Array<EventEdge>;
  /** Where this page stands. */
  pageInfo: PageInfo;
  /**
   * How many readings match, across all pages. Without `from` and `to` it reads the counts kept per
   * device as readings are written (a few rows per device, however many readings); with them, counting
   * costs the range they cover.
   */
  totalCount: Scalars['Int']['output'];
};

/** A reading and its cursor. */
export type EventEdge = {
  __typename?: 'EventEdge';
  /** Opaque position of this reading in the list; pass it as `after`. */
  cursor: Scalars['String']['output'];
  /** The reading. */
  node: Event;
};

/** The result of recording one reading. */
export type EventPayload = {
  __typename?: 'EventPayload';
  /** The recorded reading. */
  event: Event;
};

/** The width of a consumption bucket (UTC calendar periods). */
export type Granularity =
  /** One calendar day. */
  | 'DAY'
  /** One calendar month. */
  | 'MONTH'
  /** One calendar year. */
  | 'YEAR';

/** Who may sign in, and how. */
export type LoginInput = {
  /** The user's password. */
  password: Scalars['String']['input'];
  /** The user's sign-in name. */
  username: Scalars['String']['input'];
};

/** A signed-in session: send `token` as `Authorization: Bearer <token>` until `expiresAt`. */
export type LoginPayload = {
  __typename?: 'LoginPayload';
  /** When the token stops being accepted; sign in again after. */
  expiresAt: Scalars['DateTime']['output'];
  /** The access token (a JWT). */
  token: Scalars['String']['output'];
  /** The user who signed in. */
  user: User;
};

/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type Mutation = {
  __typename?: 'Mutation';
  /** Makes an API key; its secret is in the payload, and nowhere else, ever. */
  createApiKey: CreateApiKeyPayload;
  /** Registers a device for an existing, active user. */
  createDevice: DevicePayload;
  /** Adds a tip. A title already used by an active tip is a CONFLICT. */
  createRecommendation: RecommendationPayload;
  /** Creates a user with role USER. A taken username or email is a CONFLICT. */
  createUser: UserPayload;
  /** Deactivates a device: its new readings are refused (BAD_USER_INPUT on the device id); its history stays readable. */
  deactivateDevice: DevicePayload;
  /** Hides a tip from the app. */
  deactivateRecommendation: RecommendationPayload;
  /** Deactivates a user (soft delete); their data stays. */
  deactivateUser: UserPayload;
  /** Deletes a device and all of its readings. */
  deleteDevice: DevicePayload;
  /**
   * Signs in. A wrong password, an unknown username and a deactivated user all get the same
   * UNAUTHENTICATED error, in the same time.
   */
  login: LoginPayload;
  /** Reactivates a deactivated device: it takes readings again. */
  reactivateDevice: DevicePayload;
  /** Shows a hidden tip again (CONFLICT if an active tip now has its title). */
  reactivateRecommendation: RecommendationPayload;
  /** Reactivates a deactivated user. */
  reactivateUser: UserPayload;
  /** Records one reading of an active device. */
  recordEvent: EventPayload;
  /** Records up to 10,000 readings in one operation (for device gateways): all of them, or none. */
  recordEvents: RecordEventsPayload;
  /** Revokes an API key: it stops working at once. */
  revokeApiKey: RevokeApiKeyPayload;
  /** Changes a device. */
  updateDevice: DevicePayload;
  /** Changes a tip. */
  updateRecommendation: RecommendationPayload;
  /** Changes a user's details. */
  updateUser: UserPayload;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationCreateApiKeyArgs = {
  input: CreateApiKeyInput;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationCreateDeviceArgs = {
  input: CreateDeviceInput;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationCreateRecommendationArgs = {
  input: CreateRecommendationInput;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationCreateUserArgs = {
  input: CreateUserInput;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationDeactivateDeviceArgs = {
  id: Scalars['ID']['input'];
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationDeactivateRecommendationArgs = {
  id: Scalars['ID']['input'];
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationDeactivateUserArgs = {
  id: Scalars['ID']['input'];
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationDeleteDeviceArgs = {
  id: Scalars['ID']['input'];
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationLoginArgs = {
  input: LoginInput;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationReactivateDeviceArgs = {
  id: Scalars['ID']['input'];
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationReactivateRecommendationArgs = {
  id: Scalars['ID']['input'];
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationReactivateUserArgs = {
  id: Scalars['ID']['input'];
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationRecordEventArgs = {
  input: RecordEventInput;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationRecordEventsArgs = {
  inputs: Array<RecordEventInput>;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationUpdateDeviceArgs = {
  id: Scalars['ID']['input'];
  input: UpdateDeviceInput;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationUpdateRecommendationArgs = {
  id: Scalars['ID']['input'];
  input: UpdateRecommendationInput;
};


/**
 * The root of every write; each domain file extends it. A mutation operation is atomic: all of its fields
 * take effect, or none do.
 */
export type MutationUpdateUserArgs = {
  id: Scalars['ID']['input'];
  input: UpdateUserInput;
};

/**
 * An object with an id that is unique across every type (Relay's global object identification): a
 * user, a device, a reading, a tip or an API key. Ids are UUIDv7s, which no two objects share whatever
 * their type, so an object's `id` is its global id: refetch any of them with `node(id)`.
 */
export type Node = {
  /** The object's id (a UUIDv7, unique across every type). */
  id: Scalars['ID']['output'];
};

/** Where a page of a connection stands within the whole list. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor of the last item on this page; null when the page is empty. */
  endCursor: Maybe<Scalars['String']['output']>;
  /** Whether more items follow this page (fetch them with `after: endCursor`), whichever way it was read. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Whether more items come before this page (fetch them with `before: startCursor`), whichever way it was read. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The cursor of the first item on this page; null when the page is empty. */
  startCursor: Maybe<Scalars['String']['output']>;
};

/** The root of every read; each domain file extends it. */
export type Query = {
  __typename?: 'Query';
  /** Every API key, oldest first, without secrets. */
  apiKeys: Array<ApiKey>;
  /** One device by id, or null when there is none. */
  device: Maybe<Device>;
  /** Devices, oldest first. */
  devices: DeviceConnection;
  /** One reading by id, or null when there is none. */
  event: Maybe<Event>;
  /** Readings, newest first. */
  events: EventConnection;
  /** The user whose token the request carries. UNAUTHENTICATED without one. */
  me: User;
  /**
   * Any object by its id, whatever its type; null when there is none, or the caller may not see it
   * (as in the typed fields: someone else's object, or a type the API key's scopes leave out).
   */
  node: Maybe<Node>;
  /** Objects by id, in the order of `ids`, with null where `node(id)` gives null. */
  nodes: Array<Maybe<Node>>;
  /** Up to `count` different active tips in random order, for the app's home screen. */
  randomRecommendations: Array<Recommendation>;
  /** One tip by id, or null when there is none. */
  recommendation: Maybe<Recommendation>;
  /** Tips, oldest first. */
  recommendations: RecommendationConnection;
  /** One user by id, or null when there is none. */
  user: Maybe<User>;
  /** Users, oldest first. */
  users: UserConnection;
};


/** The root of every read; each domain file extends it. */
export type QueryDeviceArgs = {
  id: Scalars['ID']['input'];
};


/** The root of every read; each domain file extends it. */
export type QueryDevicesArgs = {
  active: InputMaybe<Scalars['Boolean']['input']>;
  after: InputMaybe<Scalars['String']['input']>;
  before: InputMaybe<Scalars['String']['input']>;
  first: InputMaybe<Scalars['Int']['input']>;
  last: InputMaybe<Scalars['Int']['input']>;
  ownerId: InputMaybe<Scalars['ID']['input']>;
  search: InputMaybe<Scalars['String']['input']>;
};


/** The root of every read; each domain file extends it. */
export type QueryEventArgs = {
  id: Scalars['ID']['input'];
};


/** The root of every read; each domain file extends it. */
export type QueryEventsArgs = {
  after: InputMaybe<Scalars['String']['input']>;
  before: InputMaybe<Scalars['String']['input']>;
  deviceId: InputMaybe<Scalars['ID']['input']>;
  first: InputMaybe<Scalars['Int']['input']>;
  from: InputMaybe<Scalars['DateTime']['input']>;
  last: InputMaybe<Scalars['Int']['input']>;
  to: InputMaybe<Scalars['DateTime']['input']>;
};


/** The root of every read; each domain file extends it. */
export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


/** The root of every read; each domain file extends it. */
export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/** The root of every read; each domain file extends it. */
export type QueryRandomRecommendationsArgs = {
  count?: InputMaybe<Scalars['Int']['input']>;
};


/** The root of every read; each domain file extends it. */
export type QueryRecommendationArgs = {
  id: Scalars['ID']['input'];
};


/** The root of every read; each domain file extends it. */
export type QueryRecommendationsArgs = {
  active: InputMaybe<Scalars['Boolean']['input']>;
  after: InputMaybe<Scalars['String']['input']>;
  before: InputMaybe<Scalars['String']['input']>;
  first: InputMaybe<Scalars['Int']['input']>;
  last: InputMaybe<Scalars['Int']['input']>;
};


/** The root of every read; each domain file extends it. */
export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


/** The root of every read; each domain file extends it. */
export type QueryUsersArgs = {
  active: InputMaybe<Scalars['Boolean']['input']>;
  after: InputMaybe<Scalars['String']['input']>;
  before: InputMaybe<Scalars['String']['input']>;
  first: InputMaybe<Scalars['Int']['input']>;
  last: InputMaybe<Scalars['Int']['input']>;
  search: InputMaybe<Scalars['String']['input']>;
};

/** A water-saving tip shown in the app. */
export type Recommendation = Node & {
  __typename?: 'Recommendation';
  /** False once deactivated (hidden from the app). */
  active: Scalars['Boolean']['output'];
  /** The advice itself. */
  description: Scalars['String']['output'];
  /** The name of an icon in the app's icon set. */
  icon: Scalars['String']['output'];
  /** Unique id (UUIDv7). */
  id: Scalars['ID']['output'];
  /** An https URL of an illustration. */
  imageUrl: Scalars['String']['output'];
  /** Short title; unique among active tips (ignoring case). */
  title: Scalars['String']['output'];
  /** Changes on every update; pass it as `expectedVersion` to update safely. */
  version: Scalars['Int']['output'];
};

/** A page of tips. */
export type RecommendationConnection = {
  __typename?: 'RecommendationConnection';
  /** The tips on this page, each with its cursor. */
  edges: Array<RecommendationEdge>;
  /** Where this page stands. */
  pageInfo: PageInfo;
  /** How many tips match, across all pages. */
  totalCount: Scalars['Int']['output'];
};

/** A tip and its cursor. */
export type RecommendationEdge = {
  __typename?: 'RecommendationEdge';
  /** Opaque position of this tip in the list; pass it as `after`. */
  cursor: Scalars['String']['output'];
  /** The tip. */
  node: Recommendation;
};

/** The result of a tip mutation. */
export type RecommendationPayload = {
  __typename?: 'RecommendationPayload';
  /** The tip after the mutation. */
  recommendation: Recommendation;
};

/** One reading to record. */
export type RecordEventInput = {
  /** The amount: at least 0, at most 2 decimals, below 100,000,000. */
  consumption: Scalars['Decimal']['input'];
  /** The device that took the reading. */
  deviceId: Scalars['ID']['input'];
  /** When the reading was taken; now when omitted. Not more than 5 minutes in the future. */
  occurredAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** The unit, 1 to 10 characters (e.g. `L`). */
  unit: Scalars['String']['input'];
};

/** The result of recording many readings. */
export type RecordEventsPayload = {
  __typename?: 'RecordEventsPayload';
  /** How many readings were recorded. */
  count: Scalars['Int']['output'];
  /** Their ids, in the order of the inputs. */
  ids: Array<Scalars['ID']['output']>;
};

/** A revoked key. */
export type RevokeApiKeyPayload = {
  __typename?: 'RevokeApiKeyPayload';
  /** The key, now revoked. */
  apiKey: ApiKey;
};

/** What a user may do. */
export type Role =
  /** Manages everything. */
  | 'ADMIN'
  /** Manages their own devices. */
  | 'USER';

/**
 * Results pushed as they happen, over a WebSocket at `/graphql` (the graphql-ws protocol,
 * `graphql-transport-ws`), signed in by `connection_init`'s payload `{ "authorization": "Bearer <token or API key>" }`.
 */
export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Each reading the caller may see, as it is committed (a USER: their own devices'; an ADMIN: every
   * device's; an API key: its owner's, with `events:read`), in the order recorded. A reading of a
   * mutation that fails is never sent. Ends with a `RESYNC` error when readings may have been missed:
   * page `events` from the last reading's cursor, then subscribe again.
   */
  eventRecorded: Event;
};


/**
 * Results pushed as they happen, over a WebSocket at `/graphql` (the graphql-ws protocol,
 * `graphql-transport-ws`), signed in by `connection_init`'s payload `{ "authorization": "Bearer <token or API key>" }`.
 */
export type SubscriptionEventRecordedArgs = {
  deviceId: InputMaybe<Scalars['ID']['input']>;
};

/** Changes to a device; omitted fields are left as they are. */
export type UpdateDeviceInput = {
  /** New description; null clears it. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The `version` you last read; the update fails with CONFLICT if the device changed since. */
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  /** New display name. */
  name?: InputMaybe<Scalars['String']['input']>;
};

/** Changes to a tip; omitted fields are left as they are. */
export type UpdateRecommendationInput = {
  /** New text. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The `version` you last read; the update fails with CONFLICT if the tip changed since. */
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  /** New icon name. */
  icon?: InputMaybe<Scalars['String']['input']>;
  /** New illustration URL. */
  imageUrl?: InputMaybe<Scalars['String']['input']>;
  /** New title. */
  title?: InputMaybe<Scalars['String']['input']>;
};

/** Changes to a user; omitted fields are left as they are, null clears an optional one. */
export type UpdateUserInput = {
  /** New date of birth; null clears it. */
  birthDate?: InputMaybe<Scalars['Date']['input']>;
  /** New email address; unique. */
  email?: InputMaybe<Scalars['String']['input']>;
  /** The `version` you last read; the update fails with CONFLICT if the user changed since. */
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  /** New given name. */
  firstName?: InputMaybe<Scalars['String']['input']>;
  /** New family name. */
  lastName?: InputMaybe<Scalars['String']['input']>;
  /** New password (same rules as on creation). */
  password?: InputMaybe<Scalars['String']['input']>;
  /** New second family name; null clears it. */
  secondLastName?: InputMaybe<Scalars['String']['input']>;
};

/** A person who owns devices. Users are never deleted: deactivation is reversible. */
export type User = Node & {
  __typename?: 'User';
  /** False once deactivated. */
  active: Scalars['Boolean']['output'];
  /** Date of birth, if given. */
  birthDate: Maybe<Scalars['Date']['output']>;
  /** The user's devices, oldest first. */
  devices: DeviceConnection;
  /** Unique email address, lower-case. */
  email: Scalars['String']['output'];
  /** Given name. */
  firstName: Scalars['String']['output'];
  /** Unique id (UUIDv7). */
  id: Scalars['ID']['output'];
  /** Family name. */
  lastName: Scalars['String']['output'];
  /** When the user was created. */
  registeredAt: Scalars['DateTime']['output'];
  /** What the user may do. */
  role: Role;
  /** Second family name, where one is used. */
  secondLastName: Maybe<Scalars['String']['output']>;
  /** Unique sign-in name: 3 to 25 letters, digits or underscores. */
  username: Scalars['String']['output'];
  /** Changes on every update; pass it as `expectedVersion` to update safely. */
  version: Scalars['Int']['output'];
};


/** A person who owns devices. Users are never deleted: deactivation is reversible. */
export type UserDevicesArgs = {
  after: InputMaybe<Scalars['String']['input']>;
  before: InputMaybe<Scalars['String']['input']>;
  first: InputMaybe<Scalars['Int']['input']>;
  last: InputMaybe<Scalars['Int']['input']>;
};

/** A page of users. */
export type UserConnection = {
  __typename?: 'UserConnection';
  /** The users on this page, each with its cursor. */
  edges: Array<UserEdge>;
  /** Where this page stands. */
  pageInfo: PageInfo;
  /** How many users match, across all pages. */
  totalCount: Scalars['Int']['output'];
};

/** A user and its cursor. */
export type UserEdge = {
  __typename?: 'UserEdge';
  /** Opaque position of this user in the list; pass it as `after`. */
  cursor: Scalars['String']['output'];
  /** The user. */
  node: User;
};

/** The result of a user mutation. */
export type UserPayload = {
  __typename?: 'UserPayload';
  /** The user as it is after the mutation. */
  user: User;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;




/** Mapping of interface types */
export type ResolversInterfaceTypes<_RefType extends Record<string, unknown>> = {
  Node:
    | ( ApiKeyRecord )
    | ( DeviceRecord )
    | ( EventRecord )
    | ( RecommendationRecord )
    | ( UserRecord )
  ;
};

/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  ApiKey: ResolverTypeWrapper<ApiKeyRecord>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ConsumptionBucket: ResolverTypeWrapper<ConsumptionBucket>;
  CreateApiKeyInput: CreateApiKeyInput;
  CreateApiKeyPayload: ResolverTypeWrapper<Omit<CreateApiKeyPayload, 'apiKey'> & { apiKey: ResolversTypes['ApiKey'] }>;
  CreateDeviceInput: CreateDeviceInput;
  CreateRecommendationInput: CreateRecommendationInput;
  CreateUserInput: CreateUserInput;
  Date: ResolverTypeWrapper<Scalars['Date']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decimal: ResolverTypeWrapper<Scalars['Decimal']['output']>;
  Device: ResolverTypeWrapper<DeviceRecord>;
  DeviceConnection: ResolverTypeWrapper<Connection<DeviceRecord>>;
  DeviceEdge: ResolverTypeWrapper<DeviceRecord>;
  DevicePayload: ResolverTypeWrapper<Omit<DevicePayload, 'device'> & { device: ResolversTypes['Device'] }>;
  Event: ResolverTypeWrapper<EventRecord>;
  EventConnection: ResolverTypeWrapper<Connection<EventRecord>>;
  EventEdge: ResolverTypeWrapper<EventRecord>;
  EventPayload: ResolverTypeWrapper<Omit<EventPayload, 'event'> & { event: ResolversTypes['Event'] }>;
  Granularity: Granularity;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  LoginInput: LoginInput;
  LoginPayload: ResolverTypeWrapper<Omit<LoginPayload, 'user'> & { user: ResolversTypes['User'] }>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Node: ResolverTypeWrapper<ResolversInterfaceTypes<ResolversTypes>['Node']>;
  PageInfo: ResolverTypeWrapper<Connection<unknown>>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Recommendation: ResolverTypeWrapper<RecommendationRecord>;
  RecommendationConnection: ResolverTypeWrapper<Connection<RecommendationRecord>>;
  RecommendationEdge: ResolverTypeWrapper<RecommendationRecord>;
  RecommendationPayload: ResolverTypeWrapper<Omit<RecommendationPayload, 'recommendation'> & { recommendation: ResolversTypes['Recommendation'] }>;
  RecordEventInput: RecordEventInput;
  RecordEventsPayload: ResolverTypeWrapper<RecordEventsPayload>;
  RevokeApiKeyPayload: ResolverTypeWrapper<Omit<RevokeApiKeyPayload, 'apiKey'> & { apiKey: ResolversTypes['ApiKey'] }>;
  Role: Role;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateDeviceInput: UpdateDeviceInput;
  UpdateRecommendationInput: UpdateRecommendationInput;
  UpdateUserInput: UpdateUserInput;
  User: ResolverTypeWrapper<UserRecord>;
  UserConnection: ResolverTypeWrapper<Connection<UserRecord>>;
  UserEdge: ResolverTypeWrapper<UserRecord>;
  UserPayload: ResolverTypeWrapper<Omit<UserPayload, 'user'> & { user: ResolversTypes['User'] }>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  ApiKey: ApiKeyRecord;
  Boolean: Scalars['Boolean']['output'];
  ConsumptionBucket: ConsumptionBucket;
  CreateApiKeyInput: CreateApiKeyInput;
  CreateApiKeyPayload: Omit<CreateApiKeyPayload, 'apiKey'> & { apiKey: ResolversParentTypes['ApiKey'] };
  CreateDeviceInput: CreateDeviceInput;
  CreateRecommendationInput: CreateRecommendationInput;
  CreateUserInput: CreateUserInput;
  Date: Scalars['Date']['output'];
  DateTime: Scalars['DateTime']['output'];
  Decimal: Scalars['Decimal']['output'];
  Device: DeviceRecord;
  DeviceConnection: Connection<DeviceRecord>;
  DeviceEdge: DeviceRecord;
  DevicePayload: Omit<DevicePayload, 'device'> & { device: ResolversParentTypes['Device'] };
  Event: EventRecord;
  EventConnection: Connection<EventRecord>;
  EventEdge: EventRecord;
  EventPayload: Omit<EventPayload, 'event'> & { event: ResolversParentTypes['Event'] };
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  LoginInput: LoginInput;
  LoginPayload: Omit<LoginPayload, 'user'> & { user: ResolversParentTypes['User'] };
  Mutation: Record<PropertyKey, never>;
  Node: ResolversInterfaceTypes<ResolversParentTypes>['Node'];
  PageInfo: Connection<unknown>;
  Query: Record<PropertyKey, never>;
  Recommendation: RecommendationRecord;
  RecommendationConnection: Connection<RecommendationRecord>;
  RecommendationEdge: RecommendationRecord;
  RecommendationPayload: Omit<RecommendationPayload, 'recommendation'> & { recommendation: ResolversParentTypes['Recommendation'] };
  RecordEventInput: RecordEventInput;
  RecordEventsPayload: RecordEventsPayload;
  RevokeApiKeyPayload: Omit<RevokeApiKeyPayload, 'apiKey'> & { apiKey: ResolversParentTypes['ApiKey'] };
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  UpdateDeviceInput: UpdateDeviceInput;
  UpdateRecommendationInput: UpdateRecommendationInput;
  UpdateUserInput: UpdateUserInput;
  User: UserRecord;
  UserConnection: Connection<UserRecord>;
  UserEdge: UserRecord;
  UserPayload: Omit<UserPayload, 'user'> & { user: ResolversParentTypes['User'] };
};

export type ApiKeyResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ApiKey'] = ResolversParentTypes['ApiKey']> = {
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastUsedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  owner?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  prefix?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  scopes?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type ConsumptionBucketResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ConsumptionBucket'] = ResolversParentTypes['ConsumptionBucket']> = {
  start?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
  unit?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type CreateApiKeyPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['CreateApiKeyPayload'] = ResolversParentTypes['CreateApiKeyPayload']> = {
  apiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export interface DateScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Date'], any> {
  name: 'Date';
}

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface DecimalScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Decimal'], any> {
  name: 'Decimal';
}

export type DeviceResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Device'] = ResolversParentTypes['Device']> = {
  active?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  consumption?: Resolver<Array<ResolversTypes['ConsumptionBucket']>, ParentType, ContextType, RequireFields<DeviceConsumptionArgs, 'granularity' | 'periods' | 'timeZone'>>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  events?: Resolver<ResolversTypes['EventConnection'], ParentType, ContextType, Partial<DeviceEventsArgs>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  latestEvent?: Resolver<Maybe<ResolversTypes['Event']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  owner?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  registeredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type DeviceConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeviceConnection'] = ResolversParentTypes['DeviceConnection']> = {
  edges?: Resolver<Array<ResolversTypes['DeviceEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type DeviceEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeviceEdge'] = ResolversParentTypes['DeviceEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Device'], ParentType, ContextType>;
};

export type DevicePayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DevicePayload'] = ResolversParentTypes['DevicePayload']> = {
  device?: Resolver<ResolversTypes['Device'], ParentType, ContextType>;
};

export type EventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Event'] = ResolversParentTypes['Event']> = {
  consumption?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
  device?: Resolver<ResolversTypes['Device'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  unit?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type EventConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EventConnection'] = ResolversParentTypes['EventConnection']> = {
  edges?: Resolver<Array<ResolversTypes['EventEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type EventEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EventEdge'] = ResolversParentTypes['EventEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
};

export type EventPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EventPayload'] = ResolversParentTypes['EventPayload']> = {
  event?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
};

export type LoginPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['LoginPayload'] = ResolversParentTypes['LoginPayload']> = {
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  createApiKey?: Resolver<ResolversTypes['CreateApiKeyPayload'], ParentType, ContextType, RequireFields<MutationCreateApiKeyArgs, 'input'>>;
  createDevice?: Resolver<ResolversTypes['DevicePayload'], ParentType, ContextType, RequireFields<MutationCreateDeviceArgs, 'input'>>;
  createRecommendation?: Resolver<ResolversTypes['RecommendationPayload'], ParentType, ContextType, RequireFields<MutationCreateRecommendationArgs, 'input'>>;
  createUser?: Resolver<ResolversTypes['UserPayload'], ParentType, ContextType, RequireFields<MutationCreateUserArgs, 'input'>>;
  deactivateDevice?: Resolver<ResolversTypes['DevicePayload'], ParentType, ContextType, RequireFields<MutationDeactivateDeviceArgs, 'id'>>;
  deactivateRecommendation?: Resolver<ResolversTypes['RecommendationPayload'], ParentType, ContextType, RequireFields<MutationDeactivateRecommendationArgs, 'id'>>;
  deactivateUser?: Resolver<ResolversTypes['UserPayload'], ParentType, ContextType, RequireFields<MutationDeactivateUserArgs, 'id'>>;
  deleteDevice?: Resolver<ResolversTypes['DevicePayload'], ParentType, ContextType, RequireFields<MutationDeleteDeviceArgs, 'id'>>;
  login?: Resolver<ResolversTypes['LoginPayload'], ParentType, ContextType, RequireFields<MutationLoginArgs, 'input'>>;
  reactivateDevice?: Resolver<ResolversTypes['DevicePayload'], ParentType, ContextType, RequireFields<MutationReactivateDeviceArgs, 'id'>>;
  reactivateRecommendation?: Resolver<ResolversTypes['RecommendationPayload'], ParentType, ContextType, RequireFields<MutationReactivateRecommendationArgs, 'id'>>;
  reactivateUser?: Resolver<ResolversTypes['UserPayload'], ParentType, ContextType, RequireFields<MutationReactivateUserArgs, 'id'>>;
  recordEvent?: Resolver<ResolversTypes['EventPayload'], ParentType, ContextType, RequireFields<MutationRecordEventArgs, 'input'>>;
  recordEvents?: Resolver<ResolversTypes['RecordEventsPayload'], ParentType, ContextType, RequireFields<MutationRecordEventsArgs, 'inputs'>>;
  revokeApiKey?: Resolver<ResolversTypes['RevokeApiKeyPayload'], ParentType, ContextType, RequireFields<MutationRevokeApiKeyArgs, 'id'>>;
  updateDevice?: Resolver<ResolversTypes['DevicePayload'], ParentType, ContextType, RequireFields<MutationUpdateDeviceArgs, 'id' | 'input'>>;
  updateRecommendation?: Resolver<ResolversTypes['RecommendationPayload'], ParentType, ContextType, RequireFields<MutationUpdateRecommendationArgs, 'id' | 'input'>>;
  updateUser?: Resolver<ResolversTypes['UserPayload'], ParentType, ContextType, RequireFields<MutationUpdateUserArgs, 'id' | 'input'>>;
};

export type NodeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Node'] = ResolversParentTypes['Node']> = {
  __resolveType: TypeResolveFn<'ApiKey' | 'Device' | 'Event' | 'Recommendation' | 'User', ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  apiKeys?: Resolver<Array<ResolversTypes['ApiKey']>, ParentType, ContextType>;
  device?: Resolver<Maybe<ResolversTypes['Device']>, ParentType, ContextType, RequireFields<QueryDeviceArgs, 'id'>>;
  devices?: Resolver<ResolversTypes['DeviceConnection'], ParentType, ContextType, Partial<QueryDevicesArgs>>;
  event?: Resolver<Maybe<ResolversTypes['Event']>, ParentType, ContextType, RequireFields<QueryEventArgs, 'id'>>;
  events?: Resolver<ResolversTypes['EventConnection'], ParentType, ContextType, Partial<QueryEventsArgs>>;
  me?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  node?: Resolver<Maybe<ResolversTypes['Node']>, ParentType, ContextType, RequireFields<QueryNodeArgs, 'id'>>;
  nodes?: Resolver<Array<Maybe<ResolversTypes['Node']>>, ParentType, ContextType, RequireFields<QueryNodesArgs, 'ids'>>;
  randomRecommendations?: Resolver<Array<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<QueryRandomRecommendationsArgs, 'count'>>;
  recommendation?: Resolver<Maybe<ResolversTypes['Recommendation']>, ParentType, ContextType, RequireFields<QueryRecommendationArgs, 'id'>>;
  recommendations?: Resolver<ResolversTypes['RecommendationConnection'], ParentType, ContextType, Partial<QueryRecommendationsArgs>>;
  user?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType, RequireFields<QueryUserArgs, 'id'>>;
  users?: Resolver<ResolversTypes['UserConnection'], ParentType, ContextType, Partial<QueryUsersArgs>>;
};

export type RecommendationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Recommendation'] = ResolversParentTypes['Recommendation']> = {
  active?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  icon?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  imageUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type RecommendationConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RecommendationConnection'] = ResolversParentTypes['RecommendationConnection']> = {
  edges?: Resolver<Array<ResolversTypes['RecommendationEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type RecommendationEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RecommendationEdge'] = ResolversParentTypes['RecommendationEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Recommendation'], ParentType, ContextType>;
};

export type RecommendationPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RecommendationPayload'] = ResolversParentTypes['RecommendationPayload']> = {
  recommendation?: Resolver<ResolversTypes['Recommendation'], ParentType, ContextType>;
};

export type RecordEventsPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RecordEventsPayload'] = ResolversParentTypes['RecordEventsPayload']> = {
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ids?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
};

export type RevokeApiKeyPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RevokeApiKeyPayload'] = ResolversParentTypes['RevokeApiKeyPayload']> = {
  apiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  eventRecorded?: SubscriptionResolver<ResolversTypes['Event'], "eventRecorded", ParentType, ContextType, Partial<SubscriptionEventRecordedArgs>>;
};

export type UserResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  active?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  birthDate?: Resolver<Maybe<ResolversTypes['Date']>, ParentType, ContextType>;
  devices?: Resolver<ResolversTypes['DeviceConnection'], ParentType, ContextType, Partial<UserDevicesArgs>>;
  email?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  firstName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  registeredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  role?: Resolver<ResolversTypes['Role'], ParentType, ContextType>;
  secondLastName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  username?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type UserConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['UserConnection'] = ResolversParentTypes['UserConnection']> = {
  edges?: Resolver<Array<ResolversTypes['UserEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type UserEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['UserEdge'] = ResolversParentTypes['UserEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export type UserPayloadResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['UserPayload'] = ResolversParentTypes['UserPayload']> = {
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
};

export type Resolvers<ContextType = GraphQLContext> = {
  ApiKey?: ApiKeyResolvers<ContextType>;
  ConsumptionBucket?: ConsumptionBucketResolvers<ContextType>;
  CreateApiKeyPayload?: CreateApiKeyPayloadResolvers<ContextType>;
  Date?: GraphQLScalarType;
  DateTime?: GraphQLScalarType;
  Decimal?: GraphQLScalarType;
  Device?: DeviceResolvers<ContextType>;
  DeviceConnection?: DeviceConnectionResolvers<ContextType>;
  DeviceEdge?: DeviceEdgeResolvers<ContextType>;
  DevicePayload?: DevicePayloadResolvers<ContextType>;
  Event?: EventResolvers<ContextType>;
  EventConnection?: EventConnectionResolvers<ContextType>;
  EventEdge?: EventEdgeResolvers<ContextType>;
  EventPayload?: EventPayloadResolvers<ContextType>;
  LoginPayload?: LoginPayloadResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Node?: NodeResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Recommendation?: RecommendationResolvers<ContextType>;
  RecommendationConnection?: RecommendationConnectionResolvers<ContextType>;
  RecommendationEdge?: RecommendationEdgeResolvers<ContextType>;
  RecommendationPayload?: RecommendationPayloadResolvers<ContextType>;
  RecordEventsPayload?: RecordEventsPayloadResolvers<ContextType>;
  RevokeApiKeyPayload?: RevokeApiKeyPayloadResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
  UserConnection?: UserConnectionResolvers<ContextType>;
  UserEdge?: UserEdgeResolvers<ContextType>;
  UserPayload?: UserPayloadResolvers<ContextType>;
};

