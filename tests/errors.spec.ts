import pino from 'pino';
import { flushError } from '../src/graphql/errors';

describe('the error mapping', () => {
  it('answers a transaction undone for a concurrent one (deadlock, serialization) with CONFLICT: retry it', () => {
    for (const code of ['40P01', '40001']) {
      const error = Object.assign(new Error('deadlock detected'), { code });
      expect(flushError(error, pino({ level: 'silent' }))).toEqual({
        message: 'The operation clashed with a concurrent one and was undone; retry it',
        extensions: { code: 'CONFLICT' },
      });
    }
  });
});
