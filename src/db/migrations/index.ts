import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261129044834 } from './Migration20261129044834';
import { Migration20261129052015 } from './Migration20261129052015';
import { Migration20261130002110 } from './Migration20261130002110';
import { Migration20261130013028 } from './Migration20261130013028';
import { Migration20261201121500 } from './Migration20261201121500';
import { Migration20261201140000 } from './Migration20261201140000';
import { Migration20261201150000 } from './Migration20261201150000';

/**
 * Every migration, in order. Listed explicitly so the compiled build and the TypeScript sources run the
 * same set: add each new file that `npm run migration:create` writes here.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261129044834', class: Migration20261129044834 },
  { name: 'Migration20261129052015', class: Migration20261129052015 },
  { name: 'Migration20261130002110', class: Migration20261130002110 },
  { name: 'Migration20261130013028', class: Migration20261130013028 },
  { name: 'Migration20261201121500', class: Migration20261201121500 },
  { name: 'Migration20261201140000', class: Migration20261201140000 },
  { name: 'Migration20261201150000', class: Migration20261201150000 },
];
