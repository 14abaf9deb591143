import { Migration } from '@mikro-orm/migrations';

/**
 * The IoT type is `Device` everywhere, in the database too: `nodes` becomes `devices` and
 * `events.node_id` becomes `device_id`, with their keys, indexes and foreign keys, every row kept.
 * API keys that hold `nodes:read` hold `devices:read` instead, and keep working.
 */
export class Migration20261201121500 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "nodes" rename to "devices";`);
    this.addSql(`alter table "devices" rename constraint "nodes_pkey" to "devices_pkey";`);
    this.addSql(`alter table "devices" rename constraint "nodes_owner_id_foreign" to "devices_owner_id_foreign";`);
    this.addSql(`alter index "nodes_owner_id_index" rename to "devices_owner_id_index";`);
    this.addSql(`alter table "events" rename column "node_id" to "device_id";`);
    this.addSql(`alter table "events" rename constraint "events_node_id_foreign" to "events_device_id_foreign";`);
    this.addSql(`alter index "events_node_id_occurred_at_id_index" rename to "events_device_id_occurred_at_id_index";`);
    this.addSql(`alter table "api_keys" drop constraint "api_keys_scopes_check";`);
    this.addSql(`update "api_keys" set "scopes" = array_replace("scopes", 'nodes:read', 'devices:read') where 'nodes:read' = any("scopes");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_scopes_check" check (cardinality(scopes) > 0 and scopes <@ array['devices:read', 'events:read', 'events:write', 'recommendations:read']::text[]);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_keys" drop constraint "api_keys_scopes_check";`);
    this.addSql(`update "api_keys" set "scopes" = array_replace("scopes", 'devices:read', 'nodes:read') where 'devices:read' = any("scopes");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_scopes_check" check (cardinality(scopes) > 0 and scopes <@ array['nodes:read', 'events:read', 'events:write', 'recommendations:read']::text[]);`);
    this.addSql(`alter index "events_device_id_occurred_at_id_index" rename to "events_node_id_occurred_at_id_index";`);
    this.addSql(`alter table "events" rename constraint "events_device_id_foreign" to "events_node_id_foreign";`);
    this.addSql(`alter table "events" rename column "device_id" to "node_id";`);
    this.addSql(`alter index "devices_owner_id_index" rename to "nodes_owner_id_index";`);
    this.addSql(`alter table "devices" rename constraint "devices_owner_id_foreign" to "nodes_owner_id_foreign";`);
    this.addSql(`alter table "devices" rename constraint "devices_pkey" to "nodes_pkey";`);
    this.addSql(`alter table "devices" rename to "nodes";`);
  }

}
