/*
 * The door's lock-out across calls: wrong codes are counted over all calls, and after
 * LOCKOUT_THRESHOLD of them within the counting window the door refuses every code, the right
 * one too, for a while: 5 minutes the first time, doubling with each further lock-out of the
 * series up to 1 hour. A guesser who calls again and again gets at most about 10 guesses an
 * hour (README, "Door opener").
 *
 * The window is one hour, stricter than "10 in 15 minutes": a guesser staying just under 10 per
 * 15 minutes would otherwise get 36 guesses an hour without ever being locked out.
 *
 * What survives a restart: the device has no wall clock it can trust at boot, only a monotonic
 * clock that starts again at zero. So the store keeps no times, only levels, written when a
 * lock-out starts and when it ends (never per wrong code, to spare the flash):
 *   locked  the level of the lock-out in force (0 when none). A lock-out found at boot starts
 *           again with its full duration, so pulling the plug never shortens one.
 *   level   how many lock-outs the series has had, once the last one is over.
 * Writes go in an order in which a reset between two of them errs towards locking. The wrong
 * codes of the current window are kept in memory only: a restart forgets fewer than 10 of them.
 * The series starts over when a day has passed since the last lock-out ended (counted on the
 * monotonic clock, so from boot after a restart). An opening with the right code changes
 * nothing: a resident's opening must not hand a guesser a fresh series.
 */

import type { Clock, KeyValueStore, Logger, TimerId } from "../modules/ports.js";

export interface LockoutTimes {
	/** Wrong codes count towards a lock-out for this long (ms). */
	windowMs: number;
	/** The first lock-out of a series (ms); each further one is twice as long … */
	firstMs: number;
	/** … up to this (ms). */
	maxMs: number;
	/** A series ends after this long without a lock-out (ms). */
	seriesMs: number;
}

/** Wrong codes within the window that start a lock-out. */
export const LOCKOUT_THRESHOLD = 10;
export const DEFAULT_LOCKOUT_TIMES: LockoutTimes = Object.freeze({ windowMs: 60 * 60_000, firstMs: 5 * 60_000, maxMs: 60 * 60_000, seriesMs: 24 * 60 * 60_000 });
/** The store's namespace for the lock-out (not a setting: the web page never writes it). */
export const LOCKOUT_NAMESPACE = "door_lockout";
/**
 * Why a code is refused while a lock-out holds: the same words every time, so a caller or an MQTT
 * publisher trying code after code makes one event with a count (home/events.ts), not one each;
 * the time left is in status().
 */
export const LOCKED_OUT_REASON = "the door is locked out after too many wrong codes: every code is refused until the lock-out ends";
/** Levels beyond this add nothing (the duration reached its maximum long before). */
const MAX_LEVEL = 30;

/** A lock-out that has just started. */
export interface LockoutStart {
	level: number;
	durationMs: number;
	/** Why: the wrong codes that caused it, or a restart that found it in force. */
	restored: boolean;
}

export interface DoorLockoutPorts {
	clock: Clock;
	store: KeyValueStore;
	log: Logger;
	/** Called when a lock-out ends by itself. */
	onEnd?(level: number): void;
}

export class DoorLockout {
	readonly times: LockoutTimes;
	#ports: DoorLockoutPorts;
	/** Times (monotonic ms) of the wrong codes in the window, oldest first; at most LOCKOUT_THRESHOLD. */
	#wrong: number[] = [];
	/** Lock-outs in the current series. */
	#level = 0;
	/** The lock-out in force: its level and end (monotonic ms), or level 0. */
	#lockedLevel = 0;
	#until = 0;
	#timer: TimerId | undefined;
	/** When the last lock-out ended (monotonic ms; boot for one from before a restart). */
	#endedAt = 0;
	/** A lock-out found in the store at construction, for the caller to announce. */
	readonly restored: LockoutStart | undefined;

	constructor(ports: DoorLockoutPorts, times: LockoutTimes = DEFAULT_LOCKOUT_TIMES) {
		for (const key of ["windowMs", "firstMs", "maxMs", "seriesMs"] as const) {
			if (!(times[key] > 0)) throw new RangeError(`lock-out ${key} must be above 0, not ${times[key]}`);
		}
		this.#ports = ports;
		this.times = { ...times };
		const locked = this.#read("locked");
		this.#level = Math.max(this.#read("level"), locked);
		this.#endedAt = ports.clock.now();
		if (locked > 0) this.restored = this.#lock(locked, true);
	}

	get active(): boolean {
		return this.#lockedLevel > 0;
	}

	/** ms until the lock-out in force ends (0 when none). */
	get remainingMs(): number {
		return this.#lockedLevel > 0 ? Math.max(0, this.#until - this.#ports.clock.now()) : 0;
	}

	/** The duration of a lock-out of this level. */
	durationOf(level: number): number {
		const { firstMs, maxMs } = this.times;
		return Math.min(maxMs, firstMs * Math.pow(2, Math.max(0, level - 1)));
	}

	/** Records a wrong code; returns the lock-out it starts, if it is the one too many. */
	wrong(): LockoutStart | undefined {
		if (this.#lockedLevel > 0) return undefined;
		const now = this.#ports.clock.now();
		this.#prune(now);
		this.#wrong.push(now);
		if (this.#wrong.length < LOCKOUT_THRESHOLD) return undefined;
		this.#wrong = [];
		if (this.#level > 0 && now - this.#endedAt >= this.times.seriesMs) {
			this.#level = 0;
			this.#write("level", 0);
		}
		return this.#lock(Math.min(MAX_LEVEL, this.#level + 1), false);
	}

	/** Wrong codes that count now (within the window). */
	get recentWrong(): number {
		this.#prune(this.#ports.clock.now());
		return this.#wrong.length;
	}

	status(): Record<string, unknown> {
		return {
			active: this.active,
			remaining_s: Math.ceil(this.remainingMs / 1000),
			level: this.#level,
			wrong_codes: this.recentWrong,
			limit: LOCKOUT_THRESHOLD,
			window_s: Math.round(this.times.windowMs / 1000),
			next_lockout_s: Math.round(this.durationOf(Math.min(MAX_LEVEL, this.#level + 1)) / 1000),
		};
	}

	/** Stops the timer (the application is stopping); the stored lock-out stays. */
	close(): void {
		if (this.#timer !== undefined) this.#ports.clock.clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	#lock(level: number, restored: boolean): LockoutStart {
		const { clock } = this.#ports;
		const durationMs = this.durationOf(level);
		this.#level = level;
		this.#lockedLevel = level;
		this.#until = clock.now() + durationMs;
		if (!restored) this.#write("locked", level);
		this.#timer = clock.setTimeout(() => this.#end(), durationMs);
		return { level, durationMs, restored };
	}

	#end(): void {
		const level = this.#lockedLevel;
		this.#timer = undefined;
		this.#lockedLevel = 0;
		this.#until = 0;
		this.#endedAt = this.#ports.clock.now();
		// The series level first: a reset between the two writes leaves the lock-out in force.
		this.#write("level", level);
		this.#write("locked", 0);
		try {
			this.#ports.onEnd?.(level);
		} catch (error) {
			this.#ports.log.error(`door: a lock-out listener threw: ${(error as Error)?.message ?? error}`);
		}
	}

	#prune(now: number): void {
		const from = now - this.times.windowMs;
		let drop = 0;
		while (drop < this.#wrong.length && this.#wrong[drop] <= from) drop++;
		if (drop) this.#wrong.splice(0, drop);
	}

	#read(key: string): number {
		let value: unknown;
		try {
			value = this.#ports.store.get(LOCKOUT_NAMESPACE, key);
		} catch (error) {
			this.#ports.log.error(`door: cannot read the stored lock-out (${key}): ${(error as Error)?.message ?? error}`);
			return 0;
		}
		if (value === undefined) return 0;
		if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
			// A damaged value must not unlock the door: it counts as the longest lock-out.
			this.#ports.log.warn(`door: stored lock-out ${key} is ${JSON.stringify(value)}, not a level; taken as the highest`);
			return MAX_LEVEL;
		}
		return Math.min(MAX_LEVEL, value);
	}

	#write(key: string, value: number): void {
		try {
			this.#ports.store.set(LOCKOUT_NAMESPACE, key, value);
		} catch (error) {
			this.#ports.log.error(`door: cannot store the lock-out (${key}): ${(error as Error)?.message ?? error}; it holds until a restart`);
		}
	}
}
