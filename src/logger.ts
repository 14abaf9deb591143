import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config';

/** The logger type used everywhere: pino, as Fastify sees it. */
export type Logger = FastifyBaseLogger;

/**
 * The one logger of the process; Fastify uses it too. JSON lines (one object each) in production and
 * tests; readable lines for a person at a terminal in development (written synchronously, so that the
 * last lines before an exit are not lost).
 */
export function createLogger(config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'nodeEnv'>>): Logger {
  const options = { level: config.logLevel, base: { service: 'aquamind-api' } };
  if (config.nodeEnv !== 'development') return pino(options);
  return pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}
