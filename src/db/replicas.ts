import { PostgreSqlConnection, type EntityManager, type Knex } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { statementOwner, type ReadReplica } from './fork-context';
import { listen, type Listener } from './listener';
import type { Orm } from './orm';
import { queryOf, send } from './sql';
import { countStatement } from './statement-tally';

/** How reads use the streaming replicas (DATABASE_REPLICA_URLS). */
export interface ReplicaSettings {
  readonly urls: readonly string[];
  /** A replica further behind the primary than this is left out of reads until it catches up. */
  readonly maxLagMs: number;
  /** How often each replica's state (and the primary's position) is read. */
  readonly checkMs: number;
}

/** The channel on which each instance announces its callers' commits to the others (read-your-writes). */
const WRITES_CHANNEL = 'aquamind_writes';

/** A position in the write-ahead log (`pg_lsn`), comparable. */
type Lsn = bigint;

/** `pg_lsn` text (`16/B374D848`) as a number. */
export function parseLsn(text: string): Lsn {
  const [high, low] = text.split('/');
  if (high === undefined || low === undefined) throw new Error(`not a WAL position: ${text}`);
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** Why a replica takes no reads. */
type LeftOut = 'unreachable' | 'not a standby' | 'lagging' | 'not checked yet';

/** One replica: its pool, and what its last check found. */
class Replica implements ReadReplica {
  /** Why it takes no reads now; undefined: it takes them. */
  leftOut: LeftOut | undefined = 'not checked yet';
  /** How far its replay had got at its last check. */
  replayed: Lsn | undefined;
  lagMs = 0;
  /** When the last check that it answered began (epoch ms). */
  checkedAt = 0;
  /** When a read it was sent last failed for want of the replica (epoch ms). */
  private failedAt = -1;

  constructor(
    readonly name: string,
    readonly knex: Knex,
    readonly connection: PostgreSqlConnection,
    readonly probe: Probe,
    private readonly staleMs: number,
  ) {}

  /** Well at a check begun since its last failed read, and not long ago. */
  usable(): boolean {
    return this.leftOut === undefined && this.failedAt < this.checkedAt && Date.now() - this.checkedAt <= this.staleMs;
  }

  failed(error: unknown): boolean {
    const failure = replicaFailure(error);
    if (failure === 'down') this.failedAt = Date.now();
    return failure !== 'statement';
  }
}

/**
 * Whose fault a failed read on a replica was: the replica's when it cannot be reached or is going
 * away ('down': left out until its next good check), its recovery's when replaying the primary's
 * changes cancelled the read ('conflict': that read goes to the primary), else the statement's own,
 * which the primary would refuse too. Judged by SQLSTATE: a failure with none (refused, reset, timed
 * out waiting for a connection) is the replica's.
 */
function replicaFailure(error: unknown): 'down' | 'conflict' | 'statement' {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return code === 'OPERATION_TIMEOUT' ? 'statement' : 'down';
  // Connection exceptions; admin, crash and cannot-connect-now shutdowns.
  if (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) return 'down';
  // "canceling statement due to conflict with recovery".
  if (code === '40001' || code === '40P01') return 'conflict';
  return 'statement';
}

/**
 * A connection of its own to one server, for the checks: reconnected after a failure, each query
 * bounded by `timeoutMs`. Not from the pools, so that checks never wait behind reads, and reads never
 * behind checks.
 */
class Probe {
  private client: pg.Client | undefined;

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async query<Row>(text: string): Promise<Row> {
    try {
      if (!this.client) {
        const client = new pg.Client({
          connectionString: this.url,
          connectionTimeoutMillis: this.timeoutMs,
          query_timeout: this.timeoutMs,
          application_name: 'aquamind-api replica check',
        });
        // A connection lost between checks fails the next one.
        client.on('error', () => undefined);
        await client.connect();
        this.client = client;
      }
      const { rows } = await this.client.query(text);
      return rows[0] as Row;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** A URL without its password, for the logs. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * The streaming replicas that queries read from, and the rules of which one a query may use.
 *
 * - Only a query's reads outside a transaction go to a replica; a mutation, everything in it and its
 *   payload, use the primary (the unit-of-work plugin gives only queries a replica). Each query sticks
 *   to the replica it was given, so that its later reads never see an older state than its earlier ones.
 * - A replica is checked every `checkMs` on a connection of its own: it must answer, be a standby, and
 *   have replayed what the primary had written `maxLagMs` ago (its lag: the primary's position is
 *   sampled at each check, and a replica is as far behind as the oldest sample it has not replayed).
 *   One that fails a check, or a read, is left out until a check finds it well again; reads go to the
 *   primary meanwhile, and a read it failed is sent there again.
 * - Read-your-writes: each mutation that committed records the primary's WAL position after its
 *   commit for its caller (a user, and the API keys acting for them), and announces it to the other
 *   instances (NOTIFY, before it answers). That caller's queries go only to a replica whose last check
 *   saw that position replayed, else to the primary. Past `maxLagMs` (and a few checks), any replica
 *   still in use has replayed it, and the record is forgotten. An instance that may have missed
 *   announcements (starting, or its listening connection lost) sends every query to the primary
 *   until it has listened for that long.
 */
export class Replicas {
  private readonly replicas: Replica[];
  private readonly primary: Probe;
  /** The primary's WAL position at each check, oldest first; always at least the newest. */
  private readonly positions: Array<{ at: number; lsn: Lsn }> = [];
  /** Each writer's last commit: its WAL position (null: unknown, the primary until forgotten) and when. */
  private readonly writes = new Map<string, { lsn: Lsn | null; at: number }>();
  /** How long a writer's last commit is remembered, and the primary's positions kept. */
  private readonly memoryMs: number;
  /** Until when (epoch ms) this instance may not know every recent commit: all reads go to the primary. */
  private unsureUntil = Number.POSITIVE_INFINITY;
  private listener: Listener | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private stopped = false;
  private turn = 0;

  constructor(
    orm: Orm,
    primaryUrl: string,
    /** Where the other instances' commits are heard: a session of its own, on the primary. */
    private readonly listenUrl: string,
    private readonly settings: ReplicaSettings,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    const timeoutMs = Math.max(1_000, 2 * settings.checkMs);
    this.memoryMs = settings.maxLagMs + 4 * settings.checkMs + timeoutMs;
    this.primary = new Probe(primaryUrl, timeoutMs);
    this.replicas = settings.urls.map((url, i) => {
      const name = `replica-${i + 1}`;
      // The primary's pool size, session settings and type parsers, on the replica.
      const connection = new PostgreSqlConnection(
        orm.config,
        { clientUrl: url, pool: orm.config.get('pool'), driverOptions: orm.config.get('driverOptions'), name },
        'read',
      );
      return new Replica(name, connection.getKnex(), connection, new Probe(url, timeoutMs), 2 * settings.checkMs + timeoutMs);
    });
    for (const [i, replica] of this.replicas.entries()) {
      logger.info({ replica: replica.name, url: withoutPassword(settings.urls[i]!) }, 'reads may go to a streaming replica');
    }
  }

  /**
   * Listens for the other instances' commits, checks now and every `checkMs` after; the replicas take
   * reads once a check finds them well, and this instance has heard commits for long enough.
   */
  async start(): Promise<void> {
    this.listener = listen(this.listenUrl, WRITES_CHANNEL, this.logger, {
      onNotification: (payload) => this.heard(payload),
      onGap: () => {
        this.unsureUntil = Number.POSITIVE_INFINITY;
      },
      onListening: () => {
        this.unsureUntil = Date.now() + this.memoryMs;
      },
    });
    await this.check();
    this.schedule();
  }

  /** Stops the checks and closes the replicas' pools (after the requests in flight). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.checking;
    await Promise.all([this.listener?.stop(), this.primary.close(), ...this.replicas.flatMap((replica) => [replica.probe.close(), replica.connection.close()])]);
  }

  /**
   * The replica a query of `writer` (a user id; undefined: anonymous) reads from: one that is usable
   * and has replayed the writer's last commit, in turn; undefined: the primary.
   */
  forQuery(writer: string | undefined): ReadReplica | undefined {
    if (this.unsure()) return undefined;
    const write = writer === undefined ? undefined : this.writes.get(writer);
    const candidates = this.replicas.filter(
      (replica) => replica.usable() && (write === undefined || (write.lsn !== null && replica.replayed !== undefined && replica.replayed >= write.lsn)),
    );
    if (candidates.length === 0) return undefined;
    return candidates[this.turn++ % candidates.length];
  }

  /**
   * Records that `writer` has just committed, and tells the other instances (one statement on the
   * primary, counted as `em`'s): the primary's WAL position now is at or past their commit. Should that
   * fail, they read from the primary here until the commit is forgotten.
   */
  async committed(em: EntityManager, writer: string): Promise<void> {
    const query = queryOf(
      `with position as (select pg_current_wal_lsn()::text as lsn)
      select lsn, pg_notify('${WRITES_CHANNEL}', ?::text || ' ' || lsn) from position`,
      [writer],
    );
    let lsn: Lsn | null = null;
    try {
      // Sent even past the operation's time (not `read`, which checks it): the commit has happened.
      const [row] = await send<{ lsn: string }>(em, em.getKnex(), query, { admitted: () => undefined, answered: (ms) => countStatement(statementOwner(em), query.text, ms) });
      lsn = parseLsn(row!.lsn);
    } catch (error) {
      this.logger.warn({ err: error }, "the primary's WAL position after a commit is unknown: its writer reads from the primary for now");
    }
    this.wrote(writer, lsn);
  }

  /** Whether this instance may have missed another's announced commit within the time they are remembered. */
  private unsure(): boolean {
    return Date.now() < this.unsureUntil;
  }

  /** A commit announced by an instance (this one too): `<writer> <WAL position>`. */
  private heard(payload: string | undefined): void {
    const [writer, position] = payload?.split(' ') ?? [];
    if (!writer || !position) return;
    try {
      this.wrote(writer, parseLsn(position));
    } catch {
      // Not ours.
    }
  }

  /** `writer` has committed at `lsn` (null: unknown); the later of this and what was known is kept, remembered from now. */
  private wrote(writer: string, lsn: Lsn | null): void {
    const known = this.writes.get(writer);
    const latest = known === undefined ? lsn : known.lsn === null || lsn === null ? null : known.lsn > lsn ? known.lsn : lsn;
    this.writes.set(writer, { lsn: latest, at: Date.now() });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.check().finally(() => this.schedule());
    }, this.settings.checkMs);
    this.timer.unref();
  }

  private check(): Promise<void> {
    this.checking = this.checkAll().catch((error: unknown) => this.logger.error({ err: error }, 'replica check failed'));
    return this.checking;
  }

  private async checkAll(): Promise<void> {
    const now = Date.now();
    try {
      const { lsn } = await this.primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      this.positions.push({ at: now, lsn: parseLsn(lsn) });
    } catch (error) {
      // The replicas' lag is judged against the last position known.
      this.logger.debug({ err: error }, "the primary's WAL position could not be read");
    }
    while (this.positions.length > 1 && now - this.positions[0]!.at > this.memoryMs) this.positions.shift();
    await Promise.all(this.replicas.map((replica) => this.checkReplica(replica)));
    for (const [writer, write] of this.writes) if (now - write.at > this.memoryMs) this.writes.delete(writer);
  }

  private async checkReplica(replica: Replica): Promise<void> {
    const began = Date.now();
    let leftOut: LeftOut | undefined;
    try {
      const state = await replica.probe.query<{ standby: boolean; replayed: string | null }>(
        'select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as replayed',
      );
      if (!state.standby || state.replayed === null) leftOut = 'not a standby';
      else {
        replica.replayed = parseLsn(state.replayed);
        replica.lagMs = this.lagOf(replica.replayed);
        if (replica.lagMs > this.settings.maxLagMs) leftOut = 'lagging';
      }
      replica.checkedAt = began;
    } catch {
      leftOut = 'unreachable';
    }
    if (leftOut !== replica.leftOut) {
      if (leftOut === undefined) this.logger.info({ replica: replica.name, lagMs: replica.lagMs }, 'replica takes reads');
      else this.logger.warn({ replica: replica.name, reason: leftOut, lagMs: replica.lagMs }, 'replica left out of reads: they go to the primary');
    }
    replica.leftOut = leftOut;
    this.metrics.replicaState(replica.name, leftOut === undefined && !this.unsure(), replica.lagMs / 1000);
  }

  /** How long a replica that has replayed up to `replayed` has been behind the primary (0: not at its last check). */
  private lagOf(replayed: Lsn): number {
    const firstNotReplayed = this.positions.find((position) => position.lsn > replayed);
    return firstNotReplayed === undefined ? 0 : Date.now() - firstNotReplayed.at;
  }
}
