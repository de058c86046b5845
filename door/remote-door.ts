/*
 * Remote door opening (over MQTT): off unless the user turns it on. A command must carry the
 * door code (the payload is the code, or JSON {"code": "123"}), so whoever may publish to the
 * broker still needs the code. Like codes typed on a handset it is limited: one attempt per
 * MIN_INTERVAL_MS (others are ignored), and after MAX_WRONG wrong codes remote opening is locked
 * for LOCK_MS. Every opening, wrong code, lock-out and ignored command is a door event with its
 * source; neither the code nor the payload is ever logged or kept. The reasons of refused and
 * ignored commands are fixed words (no time left in them), so a flood of commands is one event
 * with a count (home/events.ts folds the repeats) and cannot push the openings out of the history.
 */

import type { Clock, Logger } from "../modules/ports.js";
import type { RelayPulse } from "../hardware/relay-pulse.js";
import type { DoorEvent, DoorEventLog } from "./door-events.js";
import { isDoorCode, sameCode } from "./door-opener.js";
import { LOCKED_OUT_REASON } from "./door-lockout.js";

export const MIN_INTERVAL_MS = 2000;
export const MAX_WRONG = 3;
export const LOCK_MS = 5 * 60000;

export interface RemoteDoorOptions {
	clock: Clock;
	log: Logger;
	relay: RelayPulse;
	events: DoorEventLog;
	/** The door code and relay pulse of the `door` settings. */
	settings(): { code: string; pulseMs: number };
	/** Whether remote opening is on (the `mqtt` setting `door_open`). */
	enabled(): boolean;
	/** Whether the lock-out of the door opener as a whole (door-lockout.ts) holds: every code is refused then. */
	lockedOut?(): boolean;
	/** Counts a wrong code towards that lock-out; says why when it starts one. */
	wrong?(): string | undefined;
}

export type RemoteOutcome = "opened" | "wrong_code" | "locked_out" | "refused" | "ignored";

export class RemoteDoor {
	#o: RemoteDoorOptions;
	#lastAttempt = -Infinity;
	#wrong = 0;
	#lockedUntil = 0;

	constructor(options: RemoteDoorOptions) {
		this.#o = options;
	}

	/** A command from `source` ("mqtt"): the payload holds the code. */
	command(payload: string, source: string): RemoteOutcome {
		const o = this.#o;
		if (!o.enabled()) return this.#record("ignored", source, "remote opening is off");
		const now = o.clock.now();
		if (now < this.#lockedUntil) return this.#record("ignored", source, `remote opening locked after ${MAX_WRONG} wrong codes`);
		if (o.lockedOut?.()) return this.#record("refused", source, LOCKED_OUT_REASON);
		if (now - this.#lastAttempt < MIN_INTERVAL_MS) return this.#record("ignored", source, `more than one remote command within ${MIN_INTERVAL_MS / 1000} s`);
		this.#lastAttempt = now;
		const { code, pulseMs } = o.settings();
		if (!isDoorCode(code)) return this.#record("ignored", source, "door opener disabled");
		if (!sameCode(codeOf(payload), code)) {
			const started = o.wrong?.();
			if (started) {
				this.#wrong = 0;
				this.#record("lockout_started", source, started);
				return "locked_out";
			}
			this.#wrong++;
			if (this.#wrong < MAX_WRONG) return this.#record("wrong_code", source, `${this.#wrong} of ${MAX_WRONG}`);
			this.#wrong = 0;
			this.#lockedUntil = now + LOCK_MS;
			return this.#record("locked_out", source, `${MAX_WRONG} wrong codes: remote opening locked for ${LOCK_MS / 60000} min`);
		}
		this.#wrong = 0;
		let pulsed = false;
		try {
			pulsed = o.relay.pulse(pulseMs);
		} catch (error) {
			o.log.error(`door: relay pulse failed: ${(error as Error)?.message ?? error}`);
		}
		return this.#record("opened", source, pulsed ? `remote command accepted: relay pulsed ${pulseMs} ms` : "remote command accepted, but the relay did not pulse (already on or failed)");
	}

	#record(kind: RemoteOutcome | "lockout_started", source: string, reason: string): RemoteOutcome {
		const event = this.#o.events.add({ kind, caller: `remote (${source})`, callId: "", via: source, reason });
		if (event.count === 1) {
			const line = `door: ${kind.replace("_", " ")}: ${event.reason}; via ${source}`;
			if (kind === "opened") this.#o.log.info(line);
			else this.#o.log.warn(line);
		}
		return kind === "lockout_started" ? "locked_out" : kind;
	}
}

/** The code in a command: the payload itself, or the `code` of a JSON object. */
function codeOf(payload: string): string {
	const text = payload.trim();
	if (text[0] === "{") {
		try {
			const parsed = JSON.parse(text) as { code?: unknown };
			return typeof parsed.code === "string" || typeof parsed.code === "number" ? String(parsed.code) : "";
		} catch {
			return "";
		}
	}
	return text;
}
