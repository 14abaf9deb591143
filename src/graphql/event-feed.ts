import { GraphQLError } from 'graphql';
import { listenForEvents, type AnnouncementListener, type EventAnnouncement } from '../db/event-announcements';
import type { Orm } from '../db/orm';
import type { EventRecord } from '../entities';
import type { Logger } from '../logger';
import { announcedEvents, type AnnouncedEvent } from '../services/event.reads';

/** Readings a subscriber may have waiting before it counts as too slow and its subscription ends. */
export const MAX_QUEUED_READINGS = 20_000;

/** What a subscriber receives: a reading, or the error that ends its subscription. */
export type Delivery = EventRecord | GraphQLError;

/** Which announced readings a subscriber hears (services' `eventAudience`). */
export type Audience = (announced: AnnouncedEvent) => boolean;

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
  ) {}

  /** Listens on `url` (the database every instance writes to). */
  start(url: string): void {
    this.listener = listenForEvents(url, this.logger, {
      onAnnouncement: (announcement) => {
        this.reading = this.reading.then(() => this.deliver(announcement));
      },
      // What was announced while nobody listened is lost to this instance: its subscribers must resync.
      onGap: () =>
        this.endAll(
          new GraphQLError('Readings may have been missed (the server lost its connection to the database): page `events` from your last cursor, then subscribe again', {
            extensions: { code: 'RESYNC' },
          }),
        ),
    });
  }

  /** A new subscription to the readings `audience` allows; ends when iterated to `return`. */
  subscribe(audience: Audience): AsyncIterableIterator<Delivery> {
    const subscription = new Subscription(audience, () => this.subscribers.delete(subscription));
    this.subscribers.add(subscription);
    return subscription;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Stops listening and ends every subscription (shutdown). */
  async stop(): Promise<void> {
    await this.listener?.stop();
    for (const subscription of this.subscribers) subscription.end();
    await this.reading;
  }

  private endAll(error: GraphQLError): void {
    for (const subscription of this.subscribers) subscription.fail(error);
  }

  private async deliver(announcement: EventAnnouncement): Promise<void> {
    if (this.subscribers.size === 0) return;
    let announced: AnnouncedEvent[];
    try {
      const em = this.orm.em.fork({ clear: true, useContext: false });
      announced = await announcedEvents({ em }, announcement);
    } catch (error) {
      this.logger.error({ err: error }, 'announced readings could not be read');
      this.endAll(new GraphQLError('Readings could not be delivered: page `events` from your last cursor, then subscribe again', { extensions: { code: 'RESYNC' } }));
      return;
    }
    for (const subscription of this.subscribers) {
      for (const reading of announced) if (subscription.hears(reading)) subscription.push(reading.event);
    }
  }
}

/** One subscriber's readings, as an async iterator (what graphql-js's `subscribe` reads). */
class Subscription implements AsyncIterableIterator<Delivery> {
  private readonly queue: Delivery[] = [];
  private waiting: ((result: IteratorResult<Delivery>) => void) | undefined;
  private ended = false;

  constructor(
    readonly hears: Audience,
    private readonly onEnd: () => void,
  ) {}

  push(delivery: Delivery): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: delivery, done: false });
    } else if (this.queue.length >= MAX_QUEUED_READINGS) {
      this.fail(new GraphQLError('Too many readings were waiting for this subscriber: page `events` from your last cursor, then subscribe again', { extensions: { code: 'RESYNC' } }));
    } else {
      this.queue.push(delivery);
    }
  }

  /** Delivers `error` after what is queued, then ends. */
  fail(error: GraphQLError): void {
    if (this.ended) return;
    if (this.waiting) {
      this.waiting({ value: error, done: false });
      this.waiting = undefined;
    } else {
      this.queue.push(error);
    }
    // Nothing after the error is delivered.
    this.ended = true;
    this.onEnd();
  }

  end(): void {
    this.ended = true;
    this.queue.length = 0;
    this.onEnd();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }

  next(): Promise<IteratorResult<Delivery>> {
    const next = this.queue.shift();
    if (next !== undefined) return Promise.resolve({ value: next, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<Delivery>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Delivery> {
    return this;
  }
}
