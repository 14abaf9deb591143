import { Migration } from '@mikro-orm/migrations';

export class Migration20261129044834 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "recommendations" ("id" uuid not null, "title" varchar(100) not null, "description" text not null, "image_url" varchar(2048) not null, "icon" varchar(50) not null, "active" boolean not null default true, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, constraint "recommendations_pkey" primary key ("id"));`);
    this.addSql(`create unique index "recommendations_active_title_unique" on "recommendations" (lower("title")) where "active";`);

    this.addSql(`create table "users" ("id" uuid not null, "username" varchar(25) not null, "email" varchar(254) not null, "password_hash" text not null, "first_name" varchar(50) not null, "last_name" varchar(50) not null, "second_last_name" varchar(50) null, "birth_date" date null, "role" text check ("role" in ('ADMIN', 'USER')) not null default 'USER', "active" boolean not null default true, "registered_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, constraint "users_pkey" primary key ("id"), constraint users_username_check check (username ~ '^[A-Za-z0-9_]{3,25}\$'), constraint users_email_lower_case_check check (email = lower(email)));`);
    this.addSql(`alter table "users" add constraint "users_username_unique" unique ("username");`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "nodes" ("id" uuid not null, "owner_id" uuid not null, "name" varchar(50) not null, "description" text null, "active" boolean not null default true, "registered_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, constraint "nodes_pkey" primary key ("id"));`);
    this.addSql(`create index "nodes_owner_id_index" on "nodes" ("owner_id");`);

    this.addSql(`create table "events" ("id" uuid not null, "node_id" uuid not null, "occurred_at" timestamptz not null, "consumption" numeric(10,2) not null, "unit" varchar(10) not null, "recorded_at" timestamptz not null default now(), constraint "events_pkey" primary key ("id"), constraint events_consumption_non_negative_check check (consumption >= 0));`);
    this.addSql(`create index "events_node_id_occurred_at_id_index" on "events" ("node_id", "occurred_at" desc, "id" desc);`);

    this.addSql(`alter table "nodes" add constraint "nodes_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "events" add constraint "events_node_id_foreign" foreign key ("node_id") references "nodes" ("id") on update cascade on delete cascade;`);
  }

}
