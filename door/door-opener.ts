/*
 * The door opener: a code entered on a handset during an answered call with the PBX pulses the
 * door relay.
 *
 * Entry rule: the code is 1 to 16 keys of 0-9, * and # (a FRITZ!Fon's door key sends codes
 * such as "#9"). Keys collect into an entry; when the entry has as many keys as the code, it is
 * complete and compared (so "1 2 3" with code 123 opens at once, the way a FRITZ!Box sends its
 * "Zeichenfolge für Türöffner"), and the next key starts a new entry. A complete entry that does
 * not match is a wrong code. Entries never overlap: sliding over the latest keys, or keeping the
 * end of a wrong entry that begins the code, would either test several guesses for one wrong
 * code or tell a guesser (by when the next entry completes) how the code begins. A stray key
 * just before a FRITZ!Fon's door key therefore costs one wrong code, and the door key pressed
 * again opens. When the code holds neither * nor #, those keep their meaning: `*` clears the
 * entry, `#` completes a shorter entry early (a wrong code).
 * A pause of more than 2 s between keys drops the partial entry (for SIP INFO digits the pause
 * may be longer by the SIP retransmission time, see INFO_LATENESS_MS). The third wrong code
 * in a call locks the opener for the rest of that call (reject tone). Wrong codes also count
 * across calls (door-lockout.ts): too many lock the door out, and every complete entry is then
 * refused unread (reject tone). A match pulses the relay (confirm tone), at most `maxOpenings`
 * times per call; with `hangupAfterMs` the call is ended that long after an opening.
 *
 * Security: a digit counts only in an answered call whose signalling comes from the PBX the
 * user agent uses (its address and port); a SIP INFO digit only when the INFO itself came from
 * that address and port, and an RFC 4733 digit only when the packet came from the negotiated
 * RTP address and port. Everything else is ignored and logged with its reason. Neither the code
 * nor any entered digit is ever logged or kept in an event.
 */

import type { Clock, KeyValueStore, Logger } from "../modules/ports.js";
import type { RelayPulse } from "../hardware/relay-pulse.js";
import type { DoorEvent, DoorEventKind, DoorEventLog } from "./door-events.js";
import { DoorLockout, DEFAULT_LOCKOUT_TIMES, LOCKED_OUT_REASON, LOCKOUT_THRESHOLD, type LockoutStart, type LockoutTimes } from "./door-lockout.js";
import { DEFAULT_TIMERS } from "../sip/timers.js";

export interface DoorSettings {
	/** 1 to 16 keys of 0-9, * and #; "" disables the opener. */
	code: string;
	/** Relay pulse length in ms. */
	pulseMs: number;
	/** Openings allowed per call; 0 disables the opener. */
	maxOpenings: number;
	/** Hang up this long after an opening (ms); 0 keeps the call. */
	hangupAfterMs?: number;
}

export const DEFAULT_DOOR_SETTINGS: DoorSettings = Object.freeze({ code: "123", pulseMs: 800, maxOpenings: 1, hangupAfterMs: 0 });
/** The longest door code, in keys. */
const MAX_CODE_KEYS = 16;

/** Whether `code` can be a door code: 1 to MAX_CODE_KEYS keys of 0-9, * and #. A scan, since it runs for every digit a caller sends. */
export function isDoorCode(code: string): boolean {
	if (code.length < 1 || code.length > MAX_CODE_KEYS) return false;
	for (let i = 0; i < code.length; i++) {
		const c = code.charCodeAt(i);
		if ((c < 0x30 || c > 0x39) && c !== 0x2a && c !== 0x23) return false;
	}
	return true;
}
export const INTER_DIGIT_TIMEOUT_MS = 2000;
/**
 * How much later than its key press a SIP INFO digit may arrive: the INFO and the 200 OK each
 * cross the network, and a lost one is sent again after T1, 2·T1, 4·T1 and then every T2
 * (RFC 3261 Timer E: 0.5, 1, 2, 4 s). Four lost transmissions in a row (an INFO, or the 200 OK
 * of the digit before, without which the handset sends no further INFO) add 7.5 s to the pause.
 */
export const INFO_LATENESS_MS = (() => {
	const { T1, T2 } = DEFAULT_TIMERS;
	return T1 + 2 * T1 + 4 * T1 + Math.min(8 * T1, T2);
})();
export const MAX_WRONG_CODES = 3;
/** Events for DTMF from unexpected RTP sources, per call (the media session tells each source once). */
export const MAX_FOREIGN_DTMF_EVENTS = 5;

export type DigitVia = "rtp" | "info";
export type DoorTone = "confirm" | "reject";

export interface DigitSource {
	address: string;
	port: number;
}

/** What the opener needs of a call (sip/call.ts `Call` has it). */
export interface DoorCall {
	readonly state: string;
	readonly peer: string;
	readonly peerAddress: string;
	/** Source port of the peer's signalling. */
	readonly peerPort: number;
	readonly callId: string;
	readonly media?: { remoteAddress: string; remotePort: number } | undefined;
}

export interface DoorOpenerPorts {
	clock: Clock;
	log: Logger;
	relay: RelayPulse;
	events: DoorEventLog;
	/** Where a lock-out across calls is kept over a restart. */
	store: KeyValueStore;
	/** The PBX the user agent talks to, once resolved. */
	pbx(): { address: string; port: number } | undefined;
	/** Ends `call` if it is still going on (the hang-up after an opening). */
	hangup?(call: DoorCall, reason: string): void;
}

/** What a digit did. */
export type DigitOutcome = "ignored" | "entered" | "cleared" | "opened" | "wrong_code" | "locked_out" | "refused";

interface CallState {
	call: DoorCall;
	entry: string;
	lastDigitAt: number;
	wrong: number;
	openings: number;
	locked: boolean;
}

const DIGITS = "0123456789*#ABCD";

export class DoorOpener {
	#ports: DoorOpenerPorts;
	#settings: DoorSettings;
	#state: CallState | undefined;
	/** Wrong codes across calls, and the lock-out they lead to. */
	readonly lockout: DoorLockout;
	/** The call whose foreign-DTMF events are counted, and how many it had. */
	#foreignCall: DoorCall | undefined;
	#foreignEvents = 0;
	/** Asked to play a tone into the call (the media session provides it). */
	playTone: ((kind: DoorTone) => void) | undefined;

	constructor(ports: DoorOpenerPorts, settings: DoorSettings = DEFAULT_DOOR_SETTINGS, lockoutTimes: LockoutTimes = DEFAULT_LOCKOUT_TIMES) {
		this.#ports = ports;
		this.#settings = { ...settings };
		this.lockout = new DoorLockout({ clock: ports.clock, store: ports.store, log: ports.log, onEnd: this.#lockoutEnded.bind(this) }, lockoutTimes);
		if (this.lockout.restored) this.#lockoutStarted(this.lockout.restored, undefined, "");
	}

	get settings(): DoorSettings {
		return { ...this.#settings };
	}

	/** New settings apply from the next digit; an entry in progress is dropped. */
	set settings(settings: DoorSettings) {
		this.#settings = { ...settings };
		if (this.#state) this.#state.entry = "";
	}

	/** For /sipDebug: the last `n` events and the settings, never the code. */
	status(n = 20): Record<string, unknown> {
		const { code, pulseMs, maxOpenings } = this.#settings;
		const state = this.#state;
		const current = state && state.call.state === "answered" ? state : undefined;
		return {
			door_enabled: isDoorCode(code) && maxOpenings >= 1,
			door_pulse_ms: pulseMs,
			door_max_openings: maxOpenings,
			door_relay_on: this.#ports.relay.on,
			door_call: current ? { openings: current.openings, wrong_codes: current.wrong, locked_out: current.locked } : null,
			door_lockout: this.lockout.status(),
			door_warning: code === DEFAULT_DOOR_SETTINGS.code ? `the door code is still the default ${DEFAULT_DOOR_SETTINGS.code}: anyone who knows it can open the door; set your own` : code.length > 0 && code.length < 3 ? `the door code has only ${code.length} key${code.length === 1 ? "" : "s"}: a guesser needs few tries (the lock-out still allows about 10 an hour); a longer code is safer` : null,
			door_events_total: this.#ports.events.total,
			door_events: this.#ports.events.last(n),
		};
	}

	/** A digit from a handset: RFC 4733 ("rtp", with the packet's source) or SIP INFO ("info"). */
	digit(call: DoorCall | undefined, digit: string, via: DigitVia, source?: DigitSource): DigitOutcome {
		const refusal = this.#refusal(call, digit, via, source);
		if (refusal !== undefined) {
			this.#record("ignored", call, via, refusal);
			return "ignored";
		}
		const state = this.#stateFor(call!);
		if (state.locked) {
			this.#record("ignored", call, via, `locked out after ${MAX_WRONG_CODES} wrong codes`);
			return "ignored";
		}
		const { code, maxOpenings } = this.#settings;
		if (state.openings >= maxOpenings) {
			this.#record("ignored", call, via, `already opened ${state.openings} time${state.openings === 1 ? "" : "s"} in this call (limit ${maxOpenings})`);
			return "ignored";
		}
		const now = this.#ports.clock.now();
		const pause = via === "info" ? INTER_DIGIT_TIMEOUT_MS + INFO_LATENESS_MS : INTER_DIGIT_TIMEOUT_MS;
		if (state.entry && now - state.lastDigitAt > pause) {
			this.#ports.log.info(`door: entry of ${state.entry.length} digit${state.entry.length === 1 ? "" : "s"} dropped after a pause of more than ${pause / 1000} s`);
			state.entry = "";
		}
		state.lastDigitAt = now;
		// * and # are keys of the code when it holds them; else * clears and # ends an entry early.
		const controls = !/[*#]/.test(code);
		if (controls && digit === "*") {
			state.entry = "";
			return "cleared";
		}
		if (controls && digit === "#") {
			if (!state.entry) return "cleared";
		} else {
			state.entry += digit;
			if (state.entry.length < code.length) return "entered";
		}
		const entry = state.entry;
		state.entry = "";
		if (this.lockout.active) return this.#refuse(state, via);
		return sameCode(entry, code) ? this.#open(state, via) : this.#wrong(state, via);
	}

	/**
	 * RFC 4733 DTMF that came from an RTP source other than the call's negotiated peer: the media
	 * session dropped it unread, and it is recorded as an ignored attempt with the source (never
	 * the digit). At most MAX_FOREIGN_DTMF_EVENTS per call, so a flood cannot push the openings
	 * out of the event log; `more` means further sources, told once together.
	 */
	foreignDtmf(call: DoorCall, source: DigitSource, more: boolean): void {
		if (this.#foreignCall !== call) {
			this.#foreignCall = call;
			this.#foreignEvents = 0;
		}
		if (this.#foreignEvents >= MAX_FOREIGN_DTMF_EVENTS) return;
		this.#foreignEvents++;
		const media = call.media;
		const peer = media ? `${media.remoteAddress}:${media.remotePort}` : "none";
		const from = `${source.address}:${source.port}`;
		const last = this.#foreignEvents === MAX_FOREIGN_DTMF_EVENTS;
		const reason = more || last
			? `DTMF from further unexpected RTP sources (last ${from}); no more are recorded in this call`
			: `DTMF from an unexpected RTP source ${from} (negotiated peer ${peer})`;
		this.#record("ignored", call, "rtp", reason);
	}

	/** Why a digit cannot count at all, or undefined when it may. */
	#refusal(call: DoorCall | undefined, digit: string, via: DigitVia, source: DigitSource | undefined): string | undefined {
		if (typeof digit !== "string" || digit.length !== 1 || !DIGITS.includes(digit)) return "not a DTMF digit";
		if (!call || call.state !== "answered") return "no answered call";
		const pbx = this.#ports.pbx();
		if (!pbx || call.peerAddress !== pbx.address || call.peerPort !== pbx.port) return `call not with the PBX (signalling from ${call.peerAddress ? `${call.peerAddress}:${call.peerPort}` : "unknown"})`;
		if (via === "info") {
			// Whatever allow_any_src lets in: a digit only from the dialog's own signalling peer.
			if (!source) return "INFO digit without a source address";
			if (source.address !== call.peerAddress || source.port !== call.peerPort) return `INFO from ${source.address}:${source.port}, not the call's signalling peer ${call.peerAddress}:${call.peerPort}`;
		} else if (via === "rtp") {
			const media = call.media;
			if (!media) return "no negotiated RTP peer";
			if (!source) return "RTP digit without a source address";
			if (source.address !== media.remoteAddress || source.port !== media.remotePort) return `RTP from ${source.address}:${source.port}, not the negotiated peer ${media.remoteAddress}:${media.remotePort}`;
		} else {
			return "unknown DTMF transport";
		}
		const { code, maxOpenings } = this.#settings;
		if (!isDoorCode(code) || !(maxOpenings >= 1)) return "door opener disabled";
		return undefined;
	}

	#stateFor(call: DoorCall): CallState {
		if (this.#state?.call !== call) this.#state = { call, entry: "", lastDigitAt: 0, wrong: 0, openings: 0, locked: false };
		return this.#state;
	}

	#open(state: CallState, via: DigitVia): DigitOutcome {
		state.openings++;
		const { pulseMs, maxOpenings } = this.#settings;
		let pulsed = false;
		try {
			pulsed = this.#ports.relay.pulse(pulseMs);
		} catch (error) {
			this.#ports.log.error(`door: relay pulse failed: ${(error as Error)?.message ?? error}`);
		}
		const reason = pulsed
			? `code accepted: relay pulsed ${pulseMs} ms (opening ${state.openings} of ${maxOpenings})`
			: `code accepted, but the relay did not pulse (already on or failed; opening ${state.openings} of ${maxOpenings})`;
		this.#record("opened", state.call, via, reason);
		this.#tone("confirm");
		const after = this.#settings.hangupAfterMs ?? 0;
		if (after > 0 && this.#ports.hangup) {
			const call = state.call;
			this.#ports.clock.setTimeout(() => {
				if (call.state === "answered") this.#ports.hangup?.(call, `hung up ${after / 1000} s after the door opened`);
			}, after);
		}
		return "opened";
	}

	#wrong(state: CallState, via: DigitVia): DigitOutcome {
		state.wrong++;
		const lockout = this.lockout.wrong();
		let outcome: DigitOutcome;
		if (state.wrong < MAX_WRONG_CODES) {
			this.#record("wrong_code", state.call, via, `${state.wrong} of ${MAX_WRONG_CODES} in this call`);
			outcome = "wrong_code";
		} else {
			state.locked = true;
			this.#record("locked_out", state.call, via, `${state.wrong} wrong codes in this call: further digits in it are ignored`);
			outcome = "locked_out";
		}
		if (lockout) {
			this.#lockoutStarted(lockout, state.call, via);
			outcome = "locked_out";
		}
		if (outcome === "locked_out") this.#tone("reject");
		return outcome;
	}

	/** A complete entry while the door is locked out: refused without comparing, and not counted. */
	#refuse(state: CallState, via: DigitVia): DigitOutcome {
		this.#record("refused", state.call, via, LOCKED_OUT_REASON);
		this.#tone("reject");
		return "refused";
	}

	#lockoutStarted(lockout: LockoutStart, call: DoorCall | undefined, via: DigitVia | ""): void {
		const { windowMs } = this.lockout.times;
		const reason = lockout.restored
			? `lock-out ${lockout.level} was in force at a restart: every code is refused for ${minutes(lockout.durationMs)} from now`
			: `${LOCKOUT_THRESHOLD} wrong codes within ${minutes(windowMs)}: every code is refused for ${minutes(lockout.durationMs)} (lock-out ${lockout.level} in a row)`;
		this.#record("lockout_started", call, via, reason);
	}

	#lockoutEnded(level: number): void {
		this.#record("lockout_ended", undefined, "", `lock-out ${level} is over: codes are taken again`);
	}

	#record(kind: DoorEventKind, call: DoorCall | undefined, via: DigitVia | "", reason: string): void {
		const event = this.#ports.events.add({ kind, caller: call?.peer ?? "", callId: call?.callId ?? "", via, reason });
		// Folded repeats (ignored digits, refused codes) are logged once, on their first occurrence.
		if (event.count === 1) {
			const line = `door: ${kind.replace("_", " ")}: ${event.reason}${call ? `; caller ${JSON.stringify(event.caller)} via ${via}` : ""}`;
			if (kind === "opened") this.#ports.log.info(line);
			else this.#ports.log.warn(line);
		}
	}

	#tone(kind: DoorTone): void {
		try {
			this.playTone?.(kind);
		} catch (error) {
			this.#ports.log.error(`door: the ${kind} tone failed: ${(error as Error)?.message ?? error}`);
		}
	}
}

/** A duration in whole minutes (rounded up), or seconds below one minute. */
function minutes(ms: number): string {
	if (ms < 60_000) return `${Math.max(1, Math.ceil(ms / 1000))} s`;
	const m = Math.ceil(ms / 60_000);
	return `${m} min`;
}

/** Compares without stopping at the first difference. */
export function sameCode(entry: string, code: string): boolean {
	let diff = entry.length ^ code.length;
	for (let i = 0; i < code.length; i++) diff |= (entry.charCodeAt(i) | 0) ^ code.charCodeAt(i);
	return diff === 0;
}
