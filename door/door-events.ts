/*
 * The door opener's events: every opening, every rejected attempt and every ignored digit, with
 * the wall-clock time, the caller and the reason. They are kept once, in the doorbell's event log
 * (home/events.ts: one ring of 50 for everything the home hears about), and read back from
 * there in the door's own shape for /sipDebug and the page. Repeats of the same ignored or
 * refused reason in the same call (or from the same remote source) are counted on one entry, so
 * a stream of stray digits or codes cannot push the openings out. Entries never hold the code or any entered digits.
 */

import type { EventLog, EventType, HomeEvent } from "../home/events.js";

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
	/** How many times this event happened in a row (ignored digits and refused codes are folded together). */
	count: number;
}

export interface DoorEventInput {
	kind: DoorEventKind;
	caller: string;
	callId: string;
	via: string;
	reason: string;
}

/** The event log's type of each door event kind. */
const TYPES: Record<DoorEventKind, EventType> = Object.freeze({
	opened: "door_opened", wrong_code: "door_wrong_code", locked_out: "door_locked_out", refused: "door_refused",
	lockout_started: "door_lockout_started", lockout_ended: "door_lockout_ended", ignored: "door_ignored",
});
const KINDS = new Map<string, DoorEventKind>(Object.entries(TYPES).map(([kind, type]) => [type, kind as DoorEventKind]));

function doorEvent(event: HomeEvent, kind: DoorEventKind): DoorEvent {
	return { kind, at: event.time ? Date.parse(event.time) : 0, time: event.time, caller: event.peer ?? "", call_id: event.call_id ?? "", via: event.source ?? "", reason: event.reason ?? "", count: event.count };
}

export class DoorEventLog {
	#log: EventLog;
	/** Door events recorded since start, also those that fell out of the ring. */
	total = 0;

	constructor(log: EventLog) {
		this.#log = log;
	}

	/** Records an event (the log tells its listeners: MQTT, webhooks) and returns it as recorded, or the earlier entry it was folded into. */
	add(input: DoorEventInput): DoorEvent {
		this.total++;
		return doorEvent(this.#log.record({ type: TYPES[input.kind], peer: input.caller, call_id: input.callId, source: input.via, reason: input.reason }), input.kind);
	}

	/** The last `n` door events still in the log, oldest first, as copies. */
	last(n: number): DoorEvent[] {
		return this.#log.newest(Math.max(0, n), (type) => KINDS.has(type)).reverse().map((event) => doorEvent(event, KINDS.get(event.type)!));
	}
}
