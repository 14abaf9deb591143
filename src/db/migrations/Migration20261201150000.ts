import { Migration } from '@mikro-orm/migrations';

/**
 * A USER's devices page starts from their own devices, in id order (issue 15): the owner index carries
 * the id, so that page is a short ordered scan whatever its size, and the planner never prefers walking
 * every device by id to find a few. It also serves the foreign key and each owner's `devices` page.
 */
export class Migration20261201150000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "devices_owner_id_id_index" on "devices" ("owner_id", "id");`);
    this.addSql(`drop index "devices_owner_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "devices_owner_id_index" on "devices" ("owner_id");`);
    this.addSql(`drop index "devices_owner_id_id_index";`);
  }

}
