import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import type { Config } from './config';

/** The logger type used everywhere: pino, as Fastify sees it. */
export type Logger = FastifyBaseLogger;

/** The one logger of the process; Fastify uses it too. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'aquamind-api' } });
}
