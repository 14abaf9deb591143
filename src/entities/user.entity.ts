import { defineEntity, OptionalProps } from '@mikro-orm/core';
import { newId } from './ids';
import { ROLES, type Role, type UserRecord } from './records';

/** A person who owns devices. Never hard-deleted: `active = false` is the soft delete. */
export class User implements UserRecord {
  [OptionalProps]?: 'role' | 'active' | 'registeredAt' | 'updatedAt' | 'version' | 'secondLastName' | 'birthDate';

  id: string = newId();
  username!: string;
  /** Always stored lower-case. */
  email!: string;
  /** argon2id hash; never leaves the service layer. */
  passwordHash!: string;
  firstName!: string;
  lastName!: string;
  secondLastName: string | null = null;
  /** ISO date (YYYY-MM-DD). */
  birthDate: string | null = null;
  role: Role = 'USER';
  active = true;
  registeredAt: Date = new Date();
  updatedAt: Date = new Date();
  /** Optimistic lock: 1 on creation, bumped once per unit of work that changes the row (services' `touch`). */
  version = 1;
}

export const UserSchema = defineEntity({
  class: User,
  tableName: 'users',
  checks: [
    { name: 'users_username_check', expression: `username ~ '^[A-Za-z0-9_]{3,25}$'` },
    { name: 'users_email_lower_case_check', expression: 'email = lower(email)' },
  ],
  properties: (p) => ({
    id: p.uuid().primary(),
    username: p.string().length(25).unique('users_username_unique'),
    email: p.string().length(254).unique('users_email_unique'),
    passwordHash: p.text().hidden(),
    firstName: p.string().length(50),
    lastName: p.string().length(50),
    secondLastName: p.string().length(50).nullable(),
    birthDate: p.date().nullable(),
    role: p.enum([...ROLES]).default('USER'),
    active: p.boolean().default(true),
    registeredAt: p.datetime().columnType('timestamptz').defaultRaw('now()'),
    updatedAt: p.datetime().columnType('timestamptz').defaultRaw('now()'),
    version: p.integer().default(1),
  }),
});
