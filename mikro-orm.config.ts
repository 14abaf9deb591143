// What the `mikro-orm` CLI reads (e.g. `npx mikro-orm migration:create`); the app builds the same options in src/db/orm.ts.
import { loadConfig } from './src/config';
import { ormOptions } from './src/db/orm';

const config = loadConfig();
if (!config.databaseUrl) {
  throw new Error('The mikro-orm CLI needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/aquamind_dev)');
}

export default ormOptions(config, config.databaseUrl);
