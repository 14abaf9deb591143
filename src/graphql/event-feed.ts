import { GraphQLError } from 'graphql';
import { listenForEvents, type EventAnnouncement } from '../db/event-announcements';
import type { Listener } from '../db/listener';
import type { Orm } from '../db/orm';
import type { EventRecord } from '../entities';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { announcedEvents, eventsRecordedSince, type AnnouncedEvent, type RecordedEvent } from '../services/event.reads';

/** Readings a subscriber may have waiting before it counts as too slow and its subscription ends. */
export const MAX_QUEUED_READINGS = 20_000;

/** How long announcements may go unheard before subscribers are told to resync rather than caught up. */
const MAX_DEAF_MS = 60_000;
/** The most readings a catch-up delivers; past it, subscribers are told to resync. */
const MAX_CATCH_UP_READINGS = 50_000;

/**
 * A reading as a subscriber receives it, with the notification that brought it (readings of one
 * notification are resolved in one unit of work: see graphql/subscriptions.ts).
 */
export interface FedReading {
  readonly event: EventRecord;
  readonly notification: number;
}

/** What a subscriber receives: a reading, or the error that ends its subscription. */
export type Delivery = FedReading | GraphQLError;

/** Which announced readings a subscriber hears (services' `eventAudience`). */
export type Audience = (announced: AnnouncedEvent) => boolean;

/**
 * Why a subscription ended: its client ended it, the server shut down, or the server dropped it (its
 * client too slow, readings that cannot be delivered, its socket's credentials no longer accepted).
 */
type EndedBy = 'client' | 'shutdown' | 'slow' | 'resync' | 'forbidden';

/** The socket a subscription runs on, as the feed sees it. */
export interface SubscriberSocket {
  /** Closes the socket: readings piled up past MAX_QUEUED_READINGS for one of its subscriptions. */
  tooSlow(): void;
  /** Why the server is closing the socket, if it is: its subscriptions end for that, not by their client. */
  readonly closingFor: 'forbidden' | undefined;
}

const RESYNC = (why: string) =>
  new GraphQLError(`${why}: page \`events\` from your last reading's cursor, then subscribe again`, { extensions: { code: 'RESYNC' } });

/**
 * The readings committed on the database, as this instance hears them (one listening connection), fanned
 * out to its subscribers: each announcement is read once, in order, whoever listens, and each
 * subscriber gets the readings its audience allows, in the order they were recorded.
 */
export class EventFeed {
  private readonly subscribers = new Set<Subscription>();
  private listener: Listener | undefined;
  /** Announcements are read one after another, so that readings reach subscribers in commit order. */
  private reading: Promise<void> = Promise.resolve();
  /** The writing transactions whose readings were delivered lately (xid → when), so none is delivered twice. */
  private readonly delivered = new Map<string, number>();
  /** Since when announcements may have gone unheard (the listening connection dropped), until caught up. */
  private missedSince: number | undefined;
  /** Whether the listening connection is listening now. */
  private listening = false;
  /** Whether a catch-up waits its turn in `reading` (one is enough: it reads from `missedSince`). */
  private catchUpQueued = false;
  /** How many notifications (announcements read, catch-ups) have been fanned out. */
  private notifications = 0;

  /**
   * @param maxTransactionMs the longest a writing transaction can last (the operation's time limit and
   *   a statement's): a reading committed after an instant was made at most this long before it.
   */
  constructor(
    private readonly orm: Orm,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly maxTransactionMs: number,
  ) {
    metrics.subscriptions.set(0);
  }

  /** Listens on `url` (the database every instance writes to). */
  start(url: string): void {
    this.listener = listenForEvents(url, this.logger, {
      onAnnouncement: (announcement) => this.inTurn(() => this.deliver(announcement)),
      onGap: () => {
        this.listening = false;
        this.missedSince ??= Date.now();
      },
      // Listening again: what was committed meanwhile is read and delivered before what follows.
      onListening: () => {
        this.listening = true;
        if (this.missedSince === undefined) return;
        this.metrics.listenerReconnects.inc();
        if (this.catchUpQueued) return;
        this.catchUpQueued = true;
        this.inTurn(() => {
          this.catchUpQueued = false;
          return this.catchUp();
        });
      },
    });
  }

  /** Runs `step` after the steps queued before it; a step that fails is logged and does not stop the next. */
  private inTurn(step: () => Promise<void>): void {
    this.reading = this.reading.then(step).catch((error: unknown) => this.logger.error({ err: error }, 'delivering readings failed'));
  }

  /** A new subscription on `socket` to the readings `audience` allows, for `caller` (named in its log line). */
  subscribe(audience: Audience, about: { caller: string | null; deviceId: string | null }, socket: SubscriberSocket): AsyncIterableIterator<Delivery> {
    const started = performance.now();
    const subscription = new Subscription(audience, this.metrics, socket, (endedBy, delivered) => {
      this.subscribers.delete(subscription);
      this.metrics.subscriptions.dec();
      if (endedBy !== 'client' && endedBy !== 'shutdown') this.metrics.subscriptionsDropped.inc({ reason: endedBy });
      if (endedBy === 'slow') socket.tooSlow();
      this.logger.info({ ...about, delivered, durationMs: Math.round(performance.now() - started), endedBy }, 'subscription');
    });
    this.subscribers.add(subscription);
    this.metrics.subscriptions.inc();
    return subscription;
  }

  /** Stops listening and ends every subscription (shutdown). */
  async stop(): Promise<void> {
    await this.listener?.stop();
    for (const subscription of this.subscribers) subscription.end('shutdown');
    await this.reading;
  }

  private endAll(error: GraphQLError, endedBy: EndedBy): void {
    for (const subscription of this.subscribers) subscription.fail(error, endedBy);
  }

  private async deliver(announcement: EventAnnouncement): Promise<void> {
    // Remembered even with no subscriber, so that a later catch-up does not deliver it to a new one.
    if (!this.remember(announcement.xid) || this.subscribers.size === 0) return;
    let announced: AnnouncedEvent[];
    try {
      const em = this.orm.em.fork({ clear: true, useContext: false });
      announced = await announcedEvents({ em }, announcement);
    } catch (error) {
      this.logger.error({ err: error }, 'announced readings could not be read');
      this.endAll(RESYNC('Readings could not be delivered'), 'resync');
      return;
    }
    this.fanOut(announced, announcement.at);
  }

  private fanOut(readings: readonly AnnouncedEvent[], at: number): void {
    const notification = ++this.notifications;
    for (const subscription of this.subscribers) {
      for (const reading of readings) if (subscription.hears(reading)) subscription.push({ event: reading.event, notification }, at);
    }
  }

  /** Notes that `xid`'s readings are delivered; false if they were already. Forgets what is too old to come again. */
  private remember(xid: string): boolean {
    if (this.delivered.has(xid)) return false;
    const now = Date.now();
    this.delivered.set(xid, now);
    if (this.delivered.size % 1_000 === 0) {
      for (const [old, at] of this.delivered) if (now - at > 2 * this.maxTransactionMs + MAX_DEAF_MS) this.delivered.delete(old);
    }
    return true;
  }

  /**
   * Delivers what was committed while announcements were not heard (since `missedSince`): the readings
   * made since a transaction committed then could have begun, of the transactions not delivered yet.
   * A gap too long, or too many readings, ends the subscriptions with RESYNC instead. When the
   * connection dropped again before its turn, the next catch-up reads from the same start.
   */
  private async catchUp(): Promise<void> {
    const since = this.missedSince;
    if (since === undefined || !this.listening) return;
    this.missedSince = undefined;
    if (this.subscribers.size === 0) return;
    const missed = 'Readings may have been missed (the server lost its connection to the database)';
    if (Date.now() - since > MAX_DEAF_MS) {
      this.endAll(RESYNC(missed), 'resync');
      return;
    }
    let recorded: RecordedEvent[] | null;
    try {
      const em = this.orm.em.fork({ clear: true, useContext: false });
      recorded = await eventsRecordedSince({ em }, new Date(since - this.maxTransactionMs), (xid) => this.delivered.has(xid), MAX_CATCH_UP_READINGS);
    } catch (error) {
      this.logger.error({ err: error }, 'readings missed while not listening could not be read');
      this.endAll(RESYNC(missed), 'resync');
      return;
    }
    if (recorded === null) {
      this.endAll(RESYNC('Too many readings were missed while the server was not listening'), 'resync');
      return;
    }
    for (const { xid } of recorded) this.remember(xid);
    this.logger.info({ deafMs: Date.now() - since, readings: recorded.length }, 'readings missed while not listening delivered');
    this.fanOut(recorded, Date.now() / 1000);
  }
}

/** One subscriber's readings, as an async iterator (what graphql-js's `subscribe` reads). */
class Subscription implements AsyncIterableIterator<Delivery> {
  /** Readings waiting, each with when it was written (Unix seconds). */
  private readonly queue: Array<{ delivery: Delivery; at: number }> = [];
  private waiting: ((result: IteratorResult<Delivery>) => void) | undefined;
  private ended = false;
  private delivered = 0;

  constructor(
    readonly hears: Audience,
    private readonly metrics: Metrics,
    private readonly socket: SubscriberSocket,
    private readonly onEnd: (endedBy: EndedBy, delivered: number) => void,
  ) {}

  push(delivery: Delivery, at: number): void {
    if (this.ended) return;
    if (this.waiting) this.hand({ delivery, at });
    else if (this.queue.length >= MAX_QUEUED_READINGS) this.fail(RESYNC('Too many readings were waiting for this subscriber'), 'slow');
    else this.queue.push({ delivery, at });
  }

  /** Delivers `error` after what is waiting (a subscriber too slow: instead of it, which is freed), then ends. */
  fail(error: GraphQLError, endedBy: EndedBy): void {
    if (this.ended) return;
    if (endedBy === 'slow') this.queue.length = 0;
    if (this.waiting) this.hand({ delivery: error, at: Date.now() / 1000 });
    else this.queue.push({ delivery: error, at: Date.now() / 1000 });
    this.finish(endedBy);
  }

  end(endedBy: EndedBy): void {
    if (this.ended) return;
    this.queue.length = 0;
    this.finish(endedBy);
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }

  next(): Promise<IteratorResult<Delivery>> {
    const next = this.queue.shift();
    if (next !== undefined) return Promise.resolve(this.handed(next));
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** graphql-ws ends it: its client stopped it or closed the socket, or the server closes the socket. */
  return(): Promise<IteratorResult<Delivery>> {
    this.end(this.socket.closingFor ?? 'client');
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Delivery> {
    return this;
  }

  private finish(endedBy: EndedBy): void {
    this.ended = true;
    this.onEnd(endedBy, this.delivered);
  }

  private hand(item: { delivery: Delivery; at: number }): void {
    const resolve = this.waiting!;
    this.waiting = undefined;
    resolve(this.handed(item));
  }

  /** A reading leaves the queue for the subscriber's socket: counted, and timed from its write. */
  private handed({ delivery, at }: { delivery: Delivery; at: number }): IteratorResult<Delivery> {
    if (!(delivery instanceof GraphQLError)) {
      this.delivered += 1;
      this.metrics.deliveries.inc();
      this.metrics.deliverySeconds.observe(Math.max(0, Date.now() / 1000 - at));
    }
    return { value: delivery, done: false };
  }
}
