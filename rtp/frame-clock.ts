/*
 * The 20 ms frame clock. Frame n is due at start + n · period, computed from clock.now() each
 * time, so the error never adds up: a timer that fires late makes its frames late, not the next
 * ones. When the event loop was held up, the missed frames run at once, at most `maxBurst` of
 * them; frames older than that are skipped (their numbers are passed over, so RTP timestamps
 * stay on the sender's time line). One timer at a time, re-armed for the next due frame.
 */

import type { Clock, TimerId } from "../modules/ports.js";

export type FrameHandler = (frame: number) => void;

export class FrameClock {
	readonly periodMs: number;
	readonly maxBurst: number;
	#clock: Clock;
	#onFrame: FrameHandler | undefined;
	#timer: TimerId | undefined;
	#start = 0;
	#next = 0;
	#running = false;
	/** Frames run, frames skipped, and how late frames ran (ms). */
	ran = 0;
	skipped = 0;
	lateMax = 0;
	lateTotal = 0;
	/** Timer callbacks that ran more than one frame. */
	bursts = 0;
	/** Frames whose handler threw (the clock keeps going), and the last such error. */
	errors = 0;
	lastError: unknown = undefined;
	readonly #fire = this.#tick.bind(this);

	constructor(clock: Clock, periodMs = 20, maxBurst = 5) {
		this.#clock = clock;
		this.periodMs = periodMs;
		this.maxBurst = maxBurst;
	}

	get running(): boolean {
		return this.#running;
	}

	/** When frame 0 was due. */
	get startedAt(): number {
		return this.#start;
	}

	/** Runs `onFrame(n)` for frame 0 now (or at `startAt`) and every period after. */
	start(onFrame: FrameHandler, startAt = this.#clock.now()): void {
		this.stop();
		this.#onFrame = onFrame;
		this.#start = startAt;
		this.#next = 0;
		this.#running = true;
		this.ran = this.skipped = this.lateMax = this.lateTotal = this.bursts = 0;
		this.#tick();
	}

	/**
	 * Runs every later frame `ms` sooner (0 < ms < period), once the caller knows its frames
	 * could run closer to when their input arrives; frame numbers go on as before.
	 */
	advance(ms: number): void {
		if (!this.#running || !(ms > 0) || ms >= this.periodMs) return;
		this.#start -= ms;
		// Outside a tick the timer is re-armed for the new due time (a tick re-arms it itself).
		if (this.#timer === undefined) return;
		this.#clock.clearTimeout(this.#timer);
		const wait = this.#start + this.#next * this.periodMs - this.#clock.now();
		this.#timer = this.#clock.setTimeout(this.#fire, wait > 0 ? wait : 0);
	}

	stop(): void {
		this.#running = false;
		if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	#tick(): void {
		this.#timer = undefined;
		if (!this.#running) return;
		const now = this.#clock.now();
		const period = this.periodMs;
		const due = Math.floor((now - this.#start) / period) + 1 - this.#next;
		if (due > this.maxBurst) {
			this.skipped += due - this.maxBurst;
			this.#next += due - this.maxBurst;
		}
		let ran = 0;
		while (this.#running && this.#start + this.#next * period <= now) {
			const late = now - (this.#start + this.#next * period);
			if (late > this.lateMax) this.lateMax = late;
			this.lateTotal += late;
			const frame = this.#next++;
			this.ran++;
			ran++;
			try {
				this.#onFrame!(frame);
			} catch (error) {
				this.errors++;
				this.lastError = error;
			}
		}
		if (ran > 1) this.bursts++;
		if (!this.#running) return;
		const wait = this.#start + this.#next * period - this.#clock.now();
		this.#timer = this.#clock.setTimeout(this.#fire, wait > 0 ? wait : 0);
	}
}
