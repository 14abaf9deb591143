import net from 'node:net';

/**
 * What to do to the server's reply to the first connection's LISTEN (its messages up to its
 * ReadyForQuery), which the client then gets in one write: `close` ends that connection after it.
 */
export type ListenReplyRewrite = (reply: Buffer) => { send: Buffer; close: boolean };

/** A TCP proxy in front of a PostgreSQL server, to break the connections through it on purpose. */
export interface PgProxy {
  /** `target` with the proxy's host and port. */
  readonly url: string;
  /** Ends every connection through the proxy, and refuses new ones until `restore`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A PostgreSQL message: its type byte, then its length (itself included), then its body. */
export function pgMessage(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/**
 * A proxy to `target` (a database URL). With `rewriteListenReply`, the first connection's reply to a
 * LISTEN is rewritten; every other byte passes through untouched.
 */
export async function pgProxy(target: string, options: { rewriteListenReply?: ListenReplyRewrite } = {}): Promise<PgProxy> {
  const to = new URL(target);
  const sockets = new Set<net.Socket>();
  let refusing = false;
  let first = true;
  const server = net.createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = net.connect(Number(to.port || 5432), to.hostname);
    sockets.add(client).add(upstream);
    const rewrite = first ? options.rewriteListenReply : undefined;
    first = false;
    let listenSent = false;
    let pending = Buffer.alloc(0);
    client.on('data', (data) => {
      if (/\blisten\s/i.test(data.toString('latin1'))) listenSent = true;
      upstream.write(data);
    });
    upstream.on('data', (data) => {
      if (!rewrite || !listenSent) return void client.write(data);
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
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(to);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  const endAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: url.toString(),
    cut: () => {
      refusing = true;
      endAll();
    },
    restore: () => {
      refusing = false;
    },
    close: async () => {
      endAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
