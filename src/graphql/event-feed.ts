import { GraphQLError } from 'graphql';
import { listenForEvents, type AnnouncementListener, type EventAnnouncement } from '../db/event-announcements';
import type { Orm } from '../db/orm';
import type { EventRecord } from '../entities';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { announcedEvents, type AnnouncedEvent } from '../services/event.reads';

/** Readings a subscriber may have waiting before it counts as too slow and its subscription ends. */
export const MAX_QUEUED_READINGS = 20_000;

/** What a subscriber receives: a reading, or the error that ends its subscription. */
export type Delivery = EventRecord | GraphQLError;

/** Which announced readings a subscriber hears (services' `eventAudience`). */
export type Audience = (announced: AnnouncedEvent) => boolean;

/** Why a subscription ended: its client ended it, the server shut down, or the server dropped it. */
type EndedBy = 'client' | 'shutdown' | 'slow' | 'resync';

const RESYNC = (why: string) =>
  new GraphQLError(`${why}: page \`events\` from your last reading's cursor, then subscribe again`, { extensions: { code: 'RESYNC' } });

/**
 * The readings committed on the database, as this instance hears them (one listening connection), fanned
 * out to its subscribers: each announcement is read once, in order, whoever listens, and each
 * subscriber gets the readings its audience allows, in the order they were recorded.
 */
export class EventFeed {
  private readonly subscribers = new Set<Subscription>();
  private listener: AnnouncementListener | undefined;
  /** Announcements are read one after another, so that readings reach subscribers in commit order. */
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly orm: Orm,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    metrics.subscriptions.set(0);
  }

  /** Listens on `url` (the database every instance writes to). */
  start(url: string): void {
    let gaps = 0;
    this.listener = listenForEvents(url, this.logger, {
      onAnnouncement: (announcement) => {
        this.reading = this.reading.then(() => this.deliver(announcement));
      },
      // What was announced while nobody listened is lost to this instance: its subscribers must resync.
      onGap: () => {
        gaps += 1;
        this.endAll(RESYNC('Readings may have been missed (the server lost its connection to the database)'), 'resync');
      },
      onListening: () => {
        if (gaps > 0) this.metrics.listenerReconnects.inc();
      },
    });
  }

  /**
   * A new subscription to the readings `audience` allows, for `caller` (named in its log line);
   * `tooSlow` is called when readings pile up past MAX_QUEUED_READINGS for it (its client does not read).
   */
  subscribe(audience: Audience, about: { caller: string | null; deviceId: string | null }, tooSlow: () => void): AsyncIterableIterator<Delivery> {
    const started = performance.now();
    const subscription = new Subscription(audience, this.metrics, (endedBy, delivered) => {
      this.subscribers.delete(subscription);
      this.metrics.subscriptions.dec();
      if (endedBy === 'slow' || endedBy === 'resync') this.metrics.subscriptionsDropped.inc({ reason: endedBy });
      if (endedBy === 'slow') tooSlow();
      this.logger.info({ ...about, delivered, durationMs: Math.round(performance.now() - started), endedBy }, 'subscription');
    });
    this.subscribers.add(subscription);
    this.metrics.subscriptions.inc();
    return subscription;
  }

  get size(): number {
    return this.subscribers.size;
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
    if (this.subscribers.size === 0) return;
    let announced: AnnouncedEvent[];
    try {
      const em = this.orm.em.fork({ clear: true, useContext: false });
      announced = await announcedEvents({ em }, announcement);
    } catch (error) {
      this.logger.error({ err: error }, 'announced readings could not be read');
      this.endAll(RESYNC('Readings could not be delivered'), 'resync');
      return;
    }
    for (const subscription of this.subscribers) {
      for (const reading of announced) if (subscription.hears(reading)) subscription.push(reading.event, announcement.at);
    }
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

  return(): Promise<IteratorResult<Delivery>> {
    this.end('client');
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
