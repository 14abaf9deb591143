import { Migration } from '@mikro-orm/migrations';

export class Migration20261129052015 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "events_occurred_at_id_index" on "events" ("occurred_at" desc, "id" desc);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "events_occurred_at_id_index";`);
  }

}
