/*
 * The doorbell's MQTT connection: connects to the broker of the `mqtt` settings with a last
 * will of `offline` on the availability topic, says `online`, publishes the Home Assistant
 * discovery configs and the retained states, then every event. A lost or refused connection is
 * retried with back-off (1 s doubling to 60 s).
 *
 * Never in the way: events go into a small outbox that is sent from a timer of its own, so no
 * socket work happens on the path of a ring or of the relay; while the broker is unreachable
 * events are counted as dropped (the retained states are sent again on connecting).
 */

import type { Clock, Logger, MqttClient, MqttFactory, TimerId } from "../modules/ports.js";
import type { HomeEvent } from "./events.js";
import { OFFLINE, ONLINE, discoveryPublications, discoveryRemovals, eventPublications, lastEventText, topicNames, type DeviceInfo, type Publication, type TopicNames } from "./topics.js";

export interface MqttSettings {
	/** Broker host name or address; "" turns MQTT off. */
	host: string;
	port: number;
	user: string;
	password: string;
	prefix: string;
	/** Home Assistant discovery prefix; "" publishes no discovery. */
	discovery: string;
	/** Remote door opening by `<base>/door/open`. */
	remoteDoor: boolean;
}

export interface MqttLinkOptions {
	connect: MqttFactory;
	clock: Clock;
	log: Logger;
	deviceId: string;
	/** The device's name and version for discovery. */
	device(): DeviceInfo;
	/** The bell buttons in use (1 to 4). */
	buttons(): readonly number[];
	/** Whether the PBX registration holds. */
	registered(): boolean;
	lastEvent(): HomeEvent | undefined;
	/** A message on the remote opening topic (only subscribed when remote opening is on). */
	onDoorCommand?(payload: string): void;
}

export const MIN_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 60000;
/** A connection attempt not accepted within this is abandoned and retried. */
export const CONNECT_TIMEOUT_MS = 10000;
export const KEEPALIVE_S = 30;
/** Event messages waiting for the next send turn; the oldest goes first when full. */
export const OUTBOX_SIZE = 16;

export class MqttLink {
	#o: MqttLinkOptions;
	#settings: MqttSettings;
	#topics: TopicNames;
	#client: MqttClient | undefined;
	#connected = false;
	#backoff = MIN_BACKOFF_MS;
	#retryTimer: TimerId | undefined;
	#connectTimer: TimerId | undefined;
	#flushTimer: TimerId | undefined;
	#outbox: Publication[] = [];
	#running = false;
	/** Clock time (ms) when the last connection attempt began. */
	#attemptAt = -Infinity;
	#lastRegistered: boolean | undefined;
	/**
	 * The discovery prefix the configs were last published under ("" for none): once the setting
	 * changes, they are emptied there on the next connection: retained, they would keep the
	 * entities in a Home Assistant that reads that prefix after discovery was turned off or moved.
	 */
	#announced = "";
	published = 0;
	dropped = 0;
	connects = 0;
	lastError = "";

	constructor(options: MqttLinkOptions, settings: MqttSettings) {
		this.#o = options;
		this.#settings = { ...settings };
		this.#topics = topicNames(settings.prefix, options.deviceId);
	}

	get topics(): TopicNames {
		return this.#topics;
	}

	get connected(): boolean {
		return this.#connected;
	}

	get enabled(): boolean {
		return this.#settings.host !== "";
	}

	start(): void {
		this.#running = true;
		if (this.enabled) this.#connect();
	}

	/** Ends the connection (a DISCONNECT: the broker keeps `online` until told otherwise, so `offline` is published first). */
	stop(): void {
		this.#running = false;
		this.#drop(true);
	}

	/** New settings: a changed broker, account or prefix reconnects; the rest applies at once. */
	set settings(settings: MqttSettings) {
		const old = this.#settings;
		this.#settings = { ...settings };
		const same = old.host === settings.host && old.port === settings.port && old.user === settings.user && old.password === settings.password && old.prefix === settings.prefix && old.discovery === settings.discovery && old.remoteDoor === settings.remoteDoor;
		if (same) return;
		this.#drop(true);
		this.#topics = topicNames(settings.prefix, this.#o.deviceId);
		this.#backoff = MIN_BACKOFF_MS;
		if (this.#running && this.enabled) this.#connect();
	}

	/**
	 * The door's network came up or changed (a new address): a link that is not connected tries
	 * now, its back-off from the start again, instead of waiting out a pause that grew while there
	 * was no network; an attempt in flight (begun over no network or the old one) is abandoned for
	 * it. Not sooner than MIN_BACKOFF_MS after the last attempt began, so a flapping network costs
	 * the broker at most one attempt a second.
	 */
	networkChanged(): void {
		if (!this.#running || !this.enabled || this.#connected) return;
		this.#drop(false);
		this.#backoff = MIN_BACKOFF_MS;
		const wait = this.#attemptAt + MIN_BACKOFF_MS - this.#o.clock.now();
		if (wait > 0) this.#retryTimer = this.#o.clock.setTimeout(this.#retryDue.bind(this), wait);
		else this.#connect();
	}

	/** An event to publish from the next timer turn (never from the caller's). */
	event(event: HomeEvent): void {
		if (!this.enabled) return;
		if (!this.#connected) {
			this.dropped++;
			return;
		}
		for (const publication of eventPublications(event, this.#topics, this.#o.deviceId)) this.#queue(publication);
	}

	/** The entities changed (bell buttons set up or removed): the discovery configs again. */
	rediscover(): void {
		const s = this.#settings;
		if (!this.#connected || !s.discovery) return;
		for (const p of discoveryPublications(s.discovery, this.#topics, this.#o.device(), this.#o.buttons())) this.#queue(p);
	}

	/** The registration changed: its retained state. */
	registration(registered: boolean): void {
		if (this.#lastRegistered === registered) return;
		this.#lastRegistered = registered;
		if (this.#connected) this.#queue({ topic: this.#topics.registration, payload: registered ? "ON" : "OFF", retain: true });
	}

	status(): Record<string, unknown> {
		const s = this.#settings;
		return {
			enabled: this.enabled,
			connected: this.#connected,
			broker: this.enabled ? `${s.host}:${s.port}` : "",
			topic: this.#topics.base,
			discovery: s.discovery,
			remote_door: s.remoteDoor,
			published: this.published,
			dropped: this.dropped,
			connects: this.connects,
			last_error: this.lastError,
		};
	}

	#queue(publication: Publication): void {
		if (this.#outbox.length >= OUTBOX_SIZE) {
			this.#outbox.shift();
			this.dropped++;
		}
		this.#outbox.push(publication);
		if (this.#flushTimer === undefined) this.#flushTimer = this.#o.clock.setTimeout(() => this.#flush(), 0);
	}

	#flush(): void {
		this.#flushTimer = undefined;
		const client = this.#client;
		const list = this.#outbox;
		this.#outbox = [];
		for (const p of list) {
			if (client && this.#connected && client.publish(p.topic, p.payload, p.retain)) this.published++;
			else this.dropped++;
		}
	}

	#connect(): void {
		const s = this.#settings;
		const o = this.#o;
		this.#attemptAt = o.clock.now();
		let client: MqttClient | undefined;
		const closed = (reason: string) => {
			if (this.#client !== client || !client) return;
			const was = this.#connected;
			this.#drop(false);
			this.lastError = reason;
			o.log.warn(`MQTT: ${was ? "connection to" : "cannot connect to"} ${s.host}:${s.port} ${was ? "lost" : "failed"} (${reason}); retrying in ${Math.round(this.#backoff / 1000)} s`);
			this.#retry();
		};
		try {
			client = o.connect({
				host: s.host,
				port: s.port,
				clientId: `klingel-${o.deviceId}`,
				user: s.user || undefined,
				// MQTT 3.1.1 allows no password without a user (MQTT-3.1.2-22); one stored alone is not sent.
				password: (s.user && s.password) || undefined,
				will: { topic: this.#topics.availability, payload: OFFLINE, retain: true },
				keepAliveS: KEEPALIVE_S,
				onConnect: () => {
					if (this.#client === client) this.#online();
				},
				onMessage: (topic, payload) => {
					if (this.#client === client) this.#message(topic, payload);
				},
				onClose: (reason) => closed(reason),
			});
		} catch (error) {
			this.lastError = String((error as Error)?.message ?? error);
			o.log.warn(`MQTT: cannot connect to ${s.host}:${s.port} (${this.lastError}); retrying in ${Math.round(this.#backoff / 1000)} s`);
			this.#retry();
			return;
		}
		this.#client = client;
		this.#connectTimer = o.clock.setTimeout(() => {
			this.#connectTimer = undefined;
			if (!this.#connected) closed(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`);
		}, CONNECT_TIMEOUT_MS);
	}

	#online(): void {
		const o = this.#o;
		const s = this.#settings;
		const client = this.#client!;
		this.#clearConnectTimer();
		this.#connected = true;
		this.#backoff = MIN_BACKOFF_MS;
		this.connects++;
		this.lastError = "";
		o.log.info(`MQTT: connected to ${s.host}:${s.port}; topics under ${this.#topics.base}/`);
		const now: Publication[] = [{ topic: this.#topics.availability, payload: ONLINE, retain: true }];
		if (this.#announced && this.#announced !== s.discovery) now.push(...discoveryRemovals(this.#announced, this.#topics, o.device()));
		this.#announced = s.discovery;
		if (s.discovery) now.push(...discoveryPublications(s.discovery, this.#topics, o.device(), o.buttons()));
		const registered = o.registered();
		this.#lastRegistered = registered;
		now.push({ topic: this.#topics.registration, payload: registered ? "ON" : "OFF", retain: true });
		const last = o.lastEvent();
		if (last) now.push({ topic: this.#topics.lastEvent, payload: lastEventText(last), retain: true });
		// A retained command would open the door at every reconnect: it is cleared before subscribing
		// (the broker handles one connection's packets in order), and empty payloads are ignored.
		now.push({ topic: this.#topics.doorOpen, payload: "", retain: true });
		for (const p of now) {
			if (client.publish(p.topic, p.payload, p.retain)) this.published++;
			else this.dropped++;
		}
		if (s.remoteDoor) {
			try {
				client.subscribe(this.#topics.doorOpen);
			} catch (error) {
				o.log.warn(`MQTT: cannot subscribe to ${this.#topics.doorOpen}: ${(error as Error)?.message ?? error}`);
			}
		}
	}

	#message(topic: string, payload: string): void {
		if (topic !== this.#topics.doorOpen || payload === "" || !this.#settings.remoteDoor) return;
		this.#o.onDoorCommand?.(payload);
	}

	#retry(): void {
		if (!this.#running || !this.enabled) return;
		const wait = this.#backoff;
		this.#backoff = Math.min(MAX_BACKOFF_MS, this.#backoff * 2);
		this.#retryTimer = this.#o.clock.setTimeout(this.#retryDue.bind(this), wait);
	}

	#retryDue(): void {
		this.#retryTimer = undefined;
		if (this.#running && this.enabled && !this.#client) this.#connect();
	}

	#clearConnectTimer(): void {
		if (this.#connectTimer !== undefined) this.#o.clock.clearTimeout(this.#connectTimer);
		this.#connectTimer = undefined;
	}

	/**
	 * Forgets the client and ends it. With `disconnect` a connected one says `offline` and sends
	 * DISCONNECT; any other is abandoned (closed without DISCONNECT): an attempt left open could
	 * still connect later under the same client id, and the broker would then drop the live session.
	 */
	#drop(disconnect: boolean): void {
		this.#clearConnectTimer();
		if (this.#retryTimer !== undefined) this.#o.clock.clearTimeout(this.#retryTimer);
		this.#retryTimer = undefined;
		if (this.#flushTimer !== undefined) this.#o.clock.clearTimeout(this.#flushTimer);
		this.#flushTimer = undefined;
		this.dropped += this.#outbox.length;
		this.#outbox = [];
		const client = this.#client;
		const was = this.#connected;
		this.#client = undefined;
		this.#connected = false;
		if (!client) return;
		try {
			if (disconnect && was) {
				client.publish(this.#topics.availability, OFFLINE, true);
				client.close();
			} else client.close(true);
		} catch {
			// Closing a connection that already failed.
		}
	}
}
