// `npm run migrate`: applies pending migrations (start-up does the same).
import { runWithOrm } from './run-with-orm';

void runWithOrm(async (_orm, { logger }) => {
  logger.info('database schema is up to date');
});
