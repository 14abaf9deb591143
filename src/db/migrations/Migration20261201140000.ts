import { Migration } from '@mikro-orm/migrations';

/**
 * Readings counted per device as they are written, so that `totalCount` of readings costs a few rows,
 * not a scan of the table (issue 15). Statement triggers on `events` add each statement's inserted
 * readings and subtract its deleted ones, in the writer's transaction: the counts are exact whoever
 * writes. Each count is split in 8 shards by the writing connection (its backend pid), so concurrent
 * ingest for one device rarely waits on one row; rows are locked in device order, so two writers never
 * deadlock. The existing readings are counted once here.
 */
export class Migration20261201140000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "device_event_counts" ("device_id" uuid not null, "shard" smallint not null, "count" bigint not null default 0, constraint "device_event_counts_pkey" primary key ("device_id", "shard"));`);
    this.addSql(`alter table "device_event_counts" add constraint "device_event_counts_device_id_foreign" foreign key ("device_id") references "devices" ("id") on update cascade on delete cascade;`);
    this.addSql(`create function "events_counted"() returns trigger language plpgsql as $$
      begin
        if TG_OP in ('DELETE', 'UPDATE') then
          -- Any one shard of the device takes the difference: only the sum of its shards means anything.
          update device_event_counts c set count = c.count - gone.n
          from (select device_id, count(*) as n from counted_out group by device_id) gone
          where c.device_id = gone.device_id
            and c.shard = (select min(s.shard) from device_event_counts s where s.device_id = gone.device_id);
        end if;
        if TG_OP in ('INSERT', 'UPDATE') then
          insert into device_event_counts (device_id, shard, count)
          select device_id, pg_backend_pid() % 8, count(*) from counted_in group by device_id order by device_id
          on conflict (device_id, shard) do update set count = device_event_counts.count + excluded.count;
        end if;
        return null;
      end $$;`);
    this.addSql(`create function "events_counts_cleared"() returns trigger language plpgsql as $$
      begin
        delete from device_event_counts;
        return null;
      end $$;`);
    this.addSql(`create trigger "events_count_inserted" after insert on "events" referencing new table as counted_in for each statement execute function "events_counted"();`);
    this.addSql(`create trigger "events_count_deleted" after delete on "events" referencing old table as counted_out for each statement execute function "events_counted"();`);
    this.addSql(`create trigger "events_count_updated" after update on "events" referencing old table as counted_out new table as counted_in for each statement execute function "events_counted"();`);
    this.addSql(`create trigger "events_count_truncated" after truncate on "events" for each statement execute function "events_counts_cleared"();`);
    this.addSql(`insert into "device_event_counts" ("device_id", "shard", "count") select "device_id", 0, count(*) from "events" group by "device_id";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "events_count_truncated" on "events";`);
    this.addSql(`drop trigger "events_count_updated" on "events";`);
    this.addSql(`drop trigger "events_count_deleted" on "events";`);
    this.addSql(`drop trigger "events_count_inserted" on "events";`);
    this.addSql(`drop function "events_counts_cleared"();`);
    this.addSql(`drop function "events_counted"();`);
    this.addSql(`drop table if exists "device_event_counts" cascade;`);
  }

}
