import { Migration } from '@mikro-orm/migrations';

export class Migration20261130013028 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "rate_limit_counters" ("identity" varchar(200) not null, "window_start" timestamptz not null, "points" bigint not null, constraint "rate_limit_counters_pkey" primary key ("identity", "window_start"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit_counters" cascade;`);
  }

}
