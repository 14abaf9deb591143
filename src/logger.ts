import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config';

/** The logger type used everywhere: pino, as Fastify sees it. */
export type Logger = FastifyBaseLogger;

/**
 * The one logger of the process; Fastify uses it too. JSON lines (one object each) in production and
 * tests; readable lines for a person at a terminal in development, one line per entry (written
 * synchronously, so that the last lines before an exit are not lost).
 */
export function createLogger(
  config: Pick<Config, 'logLevel'> & Partial<Pick<Config, 'nodeEnv'>>,
  /** Where JSON lines go (standard output by default); tests read them. */
  destination?: pino.DestinationStream,
): Logger {
  const options = { level: config.logLevel, base: { service: 'aquamind-api' }, serializers: { req: requestForLog } };
  if (config.nodeEnv !== 'development') return destination ? pino(options, destination) : pino(options);
  return pino(options, pretty({ sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}

/**
 * What a log line keeps of an HTTP request (Fastify's `incoming request`): method, path and client,
 * never the query string, which a GET request may fill with variables (a password).
 */
export function requestForLog(request: { method?: string; url?: string; ip?: string }): Record<string, unknown> {
  return { method: request.method, url: request.url?.split('?')[0], remoteAddress: request.ip };
}
