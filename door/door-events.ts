/*
 * The door opener's event log: every opening, every rejected attempt and every ignored digit,
 * with the wall-clock time, the caller and the reason, in a ring of fixed size. Repeats of the
 * same ignored reason in the same call are counted on one entry, so a stream of stray digits
 * cannot push the openings out of the log. Entries never hold the code or any entered digits.
 */

import type { WallClock } from "../modules/ports.js";

/**
 * opened: the relay pulsed. wrong_code: a complete entry that did not match. locked_out: the
 * third wrong code of a call (that call takes no more digits). refused: a complete entry while
 * the door is locked out (not compared). lockout_started / lockout_ended: the lock-out across
 * calls (door-lockout.ts) began (after too many wrong codes, or at a restart that found it in
 * force) or ran out. ignored: a digit that could not count (its reason says why).
 */
export type DoorEventKind = "opened" | "wrong_code" | "locked_out" | "refused" | "lockout_started" | "lockout_ended" | "ignored";

export interface DoorEvent {
	kind: DoorEventKind;
	/** Wall-clock ms since 1970 (0 when the clock was not set). */
	at: number;
	/** ISO time, or null before the wall clock is set. */
	time: string | null;
	/** The caller (display name or URI), "" outside calls. */
	caller: string;
	/** The call's Call-ID, "" outside calls. */
	call_id: string;
	/** How the digits came: "rtp" (RFC 4733) or "info" (SIP INFO); "" for an event of no call. */
	via: string;
	reason: string;
	/** How many times this event happened in a row (ignored digits are folded together). */
	count: number;
}

export interface DoorEventInput {
	kind: DoorEventKind;
	caller: string;
	callId: string;
	via: string;
	reason: string;
}

export const DEFAULT_EVENT_CAPACITY = 50;
/** Wall-clock values below this (2001-09-09) mean the time has not been set yet. */
const CLOCK_SET = 1e12;

/** Caller names come from SIP headers: one line, bounded. */
function clean(text: string, max: number): string {
	const one = text.replace(/[\x00-\x1f\x7f]+/g, " ");
	return one.length > max ? one.slice(0, max - 1) + "…" : one;
}

export class DoorEventLog {
	#wallClock: WallClock;
	#capacity: number;
	#events: DoorEvent[] = [];
	/** Events recorded since start, also those that fell out of the ring. */
	total = 0;

	constructor(wallClock: WallClock, capacity = DEFAULT_EVENT_CAPACITY) {
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event log capacity must be a positive whole number, not ${capacity}`);
		this.#wallClock = wallClock;
		this.#capacity = capacity;
	}

	/** Records an event and returns it (or the earlier entry it was folded into). */
	add(input: DoorEventInput): DoorEvent {
		const at = this.#now();
		const time = at >= CLOCK_SET ? new Date(at).toISOString() : null;
		const caller = clean(input.caller, 80);
		const reason = clean(input.reason, 120);
		// A Call-ID is as long as its sender likes: bounded like the caller, so 50 entries stay small.
		const callId = clean(input.callId, 80);
		this.total++;
		const last = this.#events[this.#events.length - 1];
		if (input.kind === "ignored" && last && last.kind === "ignored" && last.reason === reason && last.call_id === callId && last.via === input.via) {
			last.count++;
			last.at = at;
			last.time = time;
			return last;
		}
		const event: DoorEvent = { kind: input.kind, at, time, caller, call_id: callId, via: input.via, reason, count: 1 };
		this.#events.push(event);
		if (this.#events.length > this.#capacity) this.#events.shift();
		return event;
	}

	/** The last `n` events, oldest first, as copies. */
	last(n: number): DoorEvent[] {
		const from = Math.max(0, this.#events.length - Math.max(0, n));
		return this.#events.slice(from).map((e) => ({ ...e }));
	}

	get size(): number {
		return this.#events.length;
	}

	#now(): number {
		try {
			const t = this.#wallClock();
			return typeof t === "number" && Number.isFinite(t) && t > 0 ? t : 0;
		} catch {
			return 0;
		}
	}
}
