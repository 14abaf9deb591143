import { Client } from 'pg';
import pino from 'pino';
import { listen, type Listener } from '../src/db/listener';
import { pgMessage, pgProxy, type ListenReplyRewrite } from './support/pg-proxy';
import { createEmptyDatabase, databaseUrl, dropDatabase } from './support/test-database';

// The listening connection against a real PostgreSQL, through a proxy that can change what the server
// says right after LISTEN: what the listener tells (listening, a notification, a gap) must come in the
// order it happened, however the server's messages fall into reads.

const CHANNEL = 'listener_spec';

/** A database of this file's own: other spec files count and end the listeners on theirs. */
let database: string;
let url: string;
beforeAll(async () => {
  database = await createEmptyDatabase();
  url = databaseUrl(database);
});
afterAll(() => dropDatabase(database));

const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');

/** What pg_terminate_backend makes the server send before it closes the connection. */
const TERMINATED = pgMessage('E', Buffer.concat([cstring('SFATAL'), cstring('VFATAL'), cstring('C57P01'), cstring('Mterminating connection due to administrator command'), Buffer.from([0])]));

function notification(payload: string): Buffer {
  const pid = Buffer.alloc(4);
  pid.writeInt32BE(1);
  return pgMessage('A', Buffer.concat([pid, cstring(CHANNEL), cstring(payload)]));
}

/** A proxy to this file's database that rewrites the first connection's reply to LISTEN. */
async function proxy(rewriteListenReply: ListenReplyRewrite): Promise<string> {
  const through = await pgProxy(url, { rewriteListenReply });
  closeProxy = () => through.close();
  return through.url;
}
let closeProxy: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeProxy?.();
  closeProxy = undefined;
});

/** Listens through `through`, noting what the listener tells, until it has told `until`. */
async function told(through: string, until: (events: string[]) => boolean): Promise<string[]> {
  const events: string[] = [];
  let wake: () => void = () => undefined;
  const note = (event: string) => {
    events.push(event);
    wake();
  };
  let listener: Listener | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the listener told only ${JSON.stringify(events)}`)), 10_000);
      wake = () => {
        if (!until(events)) return;
        clearTimeout(timer);
        resolve();
      };
      listener = listen(through, CHANNEL, pino({ level: 'silent' }), {
        onNotification: (payload) => note(`notification ${payload}`),
        onGap: () => note('gap'),
        onListening: () => note('listening'),
      });
    });
  } finally {
    await listener?.stop();
  }
  return events;
}

describe('the listening connection', () => {
  it('that drops in the same read as its reply to LISTEN is told listening, then dropped, never the other way round', async () => {
    const through = await proxy((reply) => ({ send: Buffer.concat([reply, TERMINATED]), close: true }));
    const events = await told(through, (seen) => seen.includes('gap') && seen.at(-1) === 'listening');
    // A gap told before "listening" would have the feed catch up on a connection that is gone, and
    // take the next connection for one that never dropped: what was committed in between is lost.
    expect(events).toEqual(['listening', 'gap', 'listening']);
  });

  it('tells it listens before the notifications it hears, even one the server sends before its reply to LISTEN', async () => {
    const through = await proxy((reply) => ({ send: Buffer.concat([notification('before'), reply, notification('after')]), close: false }));
    const events = await told(through, (seen) => seen.includes('notification after'));
    expect(events).toEqual(['listening', 'notification before', 'notification after']);
  });

  it('hears what is notified once it listens, and listens again after the server ends its connection', async () => {
    const events: string[] = [];
    const listener = listen(url, CHANNEL, pino({ level: 'silent' }), {
      onNotification: (payload) => events.push(`notification ${payload}`),
      onGap: () => events.push('gap'),
      onListening: () => events.push('listening'),
    });
    const until = async (done: () => boolean) => {
      for (let waited = 0; !done() && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      await until(() => events.includes('listening'));
      await admin.query(`select pg_notify('${CHANNEL}', 'one')`);
      await until(() => events.includes('notification one'));
      await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'aquamind-listener' and datname = current_database()");
      await until(() => events.filter((event) => event === 'listening').length === 2);
      await admin.query(`select pg_notify('${CHANNEL}', 'two')`);
      await until(() => events.includes('notification two'));
      expect(events).toEqual(['listening', 'notification one', 'gap', 'listening', 'notification two']);
    } finally {
      await listener.stop();
      await admin.end();
    }
  });
});
