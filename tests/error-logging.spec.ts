import { Writable } from 'node:stream';
import { DriverException } from '@mikro-orm/core';
import pino from 'pino';
import { flushError } from '../src/graphql/errors';

// Operators read the logs; the personal data in a failed statement must not end up there.
describe('error logging', () => {
  it('keeps PostgreSQL\'s message of a failed statement but not the statement\'s values', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const pgError = Object.assign(new Error(`insert into "users" ("email", "password_hash") values ('ana@example.com', '$argon2id$v=19$secret') - value too long for type character varying(25)`), {
      code: '22001',
      table: 'users',
    });
    const response = flushError(new DriverException(pgError), logger);

    expect(response.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect(response.message).toBe('Internal server error');
    const logged = lines.join('');
    expect(logged).toContain('value too long for type character varying(25)');
    expect(logged).toContain(String(response.extensions!.errorId));
    expect(logged).not.toContain('ana@example.com');
    expect(logged).not.toContain('argon2id');
  });
});
