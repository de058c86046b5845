/*
 * The doorbell's events: one model for the whole firmware, kept in a ring of the last 50 and
 * handed to whoever tells the home (MQTT, webhooks). Each event has a sequence number that only
 * grows, the monotonic clock's time and the wall-clock time once that is set.
 *
 * Door events carry the caller and the reason, never the code or a digit. Registration events
 * carry the reason in plain words. Ring events carry the bell button (1 to 4) they came from. The
 * admin password reset at the board (its BOOT button held) is an event too: whoever can open the
 * housing can do it, and the household should hear of it.
 */

import type { Clock, WallClock } from "../modules/ports.js";
import { cutText } from "../modules/text.js";

export type EventType =
	| "startup"
	| "ring"
	| "ring_answered"
	| "ring_not_answered"
	| "ring_cancelled"
	| "ring_failed"
	| "door_opened"
	| "door_wrong_code"
	| "door_locked_out"
	| "door_refused"
	| "door_lockout_started"
	| "door_lockout_ended"
	| "door_ignored"
	| "call_started"
	| "call_ended"
	| "registration_lost"
	| "registration_regained"
	| "admin_password_reset";

/** What a part of the firmware reports; the log adds the numbers and times. */
export interface EventInput {
	type: EventType;
	/** The bell button (1 to 4) of a ring and its outcome. */
	button?: number;
	/** What started it: "button", "web", "mqtt", "rtp" or "info" (DTMF). */
	source?: string;
	/** The other party: the caller of a door event or an inbound call, who answered a ring. */
	peer?: string;
	call_id?: string;
	/** Plain words: why (not ringing, registration lost, call ended, digits ignored; at start-up, the last reset). */
	reason?: string;
	/** Seconds a call lasted. */
	duration_s?: number;
}

export interface HomeEvent extends EventInput {
	/** Grows by one with every event since start-up. */
	seq: number;
	/** Monotonic clock ms since start-up. */
	uptime_ms: number;
	/** Wall-clock ISO time, or null before the clock is set. */
	time: string | null;
	/** Repeats folded into this entry (ignored digits or refused codes of one call or source and reason). */
	count: number;
}

export const EVENT_CAPACITY = 50;
/** Wall-clock values below this (2001-09-09) mean the time has not been set yet. */
const CLOCK_SET = 1e12;
const MAX_PEER = 80;
const MAX_REASON = 160;

/** Text from SIP headers or error messages: one line, bounded. */
function oneLine(text: string, max: number): string {
	const one = String(text).replace(/[\x00-\x1f\x7f]+/g, " ");
	return cutText(one, max);
}

export type EventListener = (event: HomeEvent) => void;

export interface EventLogOptions {
	clock: Clock;
	wallClock: WallClock;
	capacity?: number;
	/** A listener that throws is reported here and never stops the others. */
	onListenerError?(error: unknown): void;
}

export class EventLog {
	#o: EventLogOptions;
	#capacity: number;
	#events: HomeEvent[] = [];
	#listeners: EventListener[] = [];
	#seq = 0;

	constructor(options: EventLogOptions) {
		const capacity = options.capacity ?? EVENT_CAPACITY;
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event log capacity must be a positive whole number, not ${capacity}`);
		this.#o = options;
		this.#capacity = capacity;
	}

	/** Hears every event after it is recorded (folded repeats included, with their new count). */
	listen(listener: EventListener): void {
		this.#listeners.push(listener);
	}

	/** Events recorded since start-up, also those that fell out of the ring. */
	get total(): number {
		return this.#seq;
	}

	get size(): number {
		return this.#events.length;
	}

	/** Records an event and tells the listeners; returns it (or the entry it was folded into). */
	record(input: EventInput): HomeEvent {
		const at = this.#wall();
		const time = at >= CLOCK_SET ? new Date(at).toISOString() : null;
		const uptime = Math.max(0, Math.round(this.#o.clock.now()));
		const clean: EventInput = { type: input.type };
		if (input.button !== undefined) clean.button = input.button;
		if (input.source !== undefined) clean.source = oneLine(input.source, 16);
		if (input.peer !== undefined) clean.peer = oneLine(input.peer, MAX_PEER);
		if (input.call_id !== undefined) clean.call_id = oneLine(input.call_id, MAX_PEER);
		if (input.reason !== undefined) clean.reason = oneLine(input.reason, MAX_REASON);
		if (input.duration_s !== undefined) clean.duration_s = input.duration_s;
		const last = this.#events[this.#events.length - 1];
		let event: HomeEvent;
		// Repeats of an ignored digit or a refused code (one call or source, one reason, one after
		// another) count on one entry, so a flood of them cannot push the openings out.
		if ((clean.type === "door_ignored" || clean.type === "door_refused") && last && last.type === clean.type && last.reason === clean.reason && last.call_id === clean.call_id && last.source === clean.source) {
			last.count++;
			last.uptime_ms = uptime;
			last.time = time;
			event = last;
		} else {
			event = { seq: ++this.#seq, uptime_ms: uptime, time, count: 1, ...clean };
			this.#events.push(event);
			if (this.#events.length > this.#capacity) this.#events.shift();
		}
		for (const listener of this.#listeners) {
			try {
				listener({ ...event });
			} catch (error) {
				this.#o.onListenerError?.(error);
			}
		}
		return event;
	}

	/** The last `n` events (of the types `wanted` takes, when given) as copies, newest first. */
	newest(n = this.#capacity, wanted?: (type: EventType) => boolean): HomeEvent[] {
		const out: HomeEvent[] = [];
		for (let i = this.#events.length - 1; i >= 0 && out.length < n; i--) if (!wanted || wanted(this.#events[i].type)) out.push({ ...this.#events[i] });
		return out;
	}

	#wall(): number {
		try {
			const t = this.#o.wallClock();
			return typeof t === "number" && Number.isFinite(t) && t > 0 ? t : 0;
		} catch {
			return 0;
		}
	}
}
