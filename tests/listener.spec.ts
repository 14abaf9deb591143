import net from 'node:net';
import { Client } from 'pg';
import pino from 'pino';
import { listen, type Listener } from '../src/db/listener';
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

/** A PostgreSQL message: its type byte, then its length (itself included), then its body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');

/** What pg_terminate_backend makes the server send before it closes the connection. */
const TERMINATED = message('E', Buffer.concat([cstring('SFATAL'), cstring('VFATAL'), cstring('C57P01'), cstring('Mterminating connection due to administrator command'), Buffer.from([0])]));

function notification(payload: string): Buffer {
  const pid = Buffer.alloc(4);
  pid.writeInt32BE(1);
  return message('A', Buffer.concat([pid, cstring(CHANNEL), cstring(payload)]));
}

/**
 * What the proxy does to the server's reply to the first connection's LISTEN (the messages up to its
 * ReadyForQuery), sent to the client in one write; later connections pass through untouched.
 */
type Rewrite = (reply: Buffer) => { send: Buffer; close: boolean };

/** A TCP proxy to the test server that rewrites the first connection's reply to LISTEN. */
async function proxy(rewrite: Rewrite): Promise<string> {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  let first = true;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const rewriting = first;
    first = false;
    let listenSent = false;
    let pending = Buffer.alloc(0);
    client.on('data', (data) => {
      if (data.toString('latin1').toLowerCase().includes(`listen ${CHANNEL}`)) listenSent = true;
      upstream.write(data);
    });
    upstream.on('data', (data) => {
      if (!rewriting || !listenSent) return void client.write(data);
      // Held until the reply is whole (its ReadyForQuery, 'Z', ends it), then rewritten.
      pending = Buffer.concat([pending, data]);
      for (let at = 0; at + 5 <= pending.length; ) {
        const end = at + 1 + pending.readInt32BE(at + 1);
        if (end > pending.length) return;
        if (pending.toString('latin1', at, at + 1) === 'Z') {
          const { send, close } = rewrite(pending.subarray(0, end));
          client.write(Buffer.concat([send, pending.subarray(end)]));
          pending = Buffer.alloc(0);
          listenSent = false;
          if (close) {
            client.end();
            upstream.destroy();
          }
          return;
        }
        at = end;
      }
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeProxy = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  const through = new URL(target);
  through.hostname = '127.0.0.1';
  through.port = String((server.address() as net.AddressInfo).port);
  return through.toString();
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
