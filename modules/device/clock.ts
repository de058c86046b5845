/*
 * The clock port over Moddable's `timer` and `time`. `Time.ticks` is a 32-bit millisecond
 * counter on the ESP32 that wraps after 24.8 days (as a signed number); `now()` adds up the
 * unsigned differences so that it only grows. A callback that throws is logged, never lost in
 * the timer task. The SDK's timer calls its callback with the timer's handle: the callback to run
 * is kept on the handle and one bound method serves every timer, because a function this
 * preloaded module made per timer (a closure) would cost a copy of its code in the XS heap.
 */

import Timer from "timer";
import Time from "time";
import type { Clock, Logger, TimerId } from "../ports.js";

type Handle = ReturnType<typeof Timer.set>;
/** What a timer's handle keeps besides: the callback it runs. */
interface Pending {
	callback?: () => void;
}

function pending(timer: Handle): Pending {
	return timer as unknown as Pending;
}

export class DeviceClock implements Clock {
	#last = Time.ticks;
	#total = 0;
	#log: Logger | undefined;
	#once = this.#firedOnce.bind(this);
	#repeated = this.#fired.bind(this);

	/** Logs exceptions thrown by timer callbacks to this logger. */
	set log(log: Logger) {
		this.#log = log;
	}

	now(): number {
		const ticks = Time.ticks;
		this.#total += (ticks - this.#last) >>> 0;
		this.#last = ticks;
		return this.#total;
	}

	setTimeout(callback: () => void, ms: number): TimerId {
		// Rounded up: the ticks count whole ms, and 0.5 ms cut to 0 fired before its time (the
		// frame clock, its due times moved by parts of a ms, re-armed it so until the tick changed).
		const whole = Math.ceil(ms);
		const timer = Timer.set(this.#once, whole > 0 ? whole : 0);
		pending(timer).callback = callback;
		return timer;
	}

	clearTimeout(id: TimerId): void {
		if (id) this.#clear(id as Handle);
	}

	setInterval(callback: () => void, ms: number): TimerId {
		const timer = Timer.repeat(this.#repeated, Math.max(1, ms | 0));
		pending(timer).callback = callback;
		return timer;
	}

	clearInterval(id: TimerId): void {
		if (id) this.#clear(id as Handle);
	}

	#clear(timer: Handle): void {
		Timer.clear(timer);
		// The handle may be kept after this: it no longer keeps the callback (and what it holds).
		pending(timer).callback = undefined;
	}

	/** A one-shot timer fired: its handle lets the callback go before it runs. */
	#firedOnce(timer: Handle): void {
		const callback = pending(timer).callback;
		pending(timer).callback = undefined;
		if (callback) this.#run(callback);
	}

	#fired(timer: Handle): void {
		const callback = pending(timer).callback;
		if (callback) this.#run(callback);
	}

	#run(callback: () => void): void {
		try {
			callback();
		} catch (error) {
			const text = (error as Error)?.stack ?? String(error);
			if (this.#log) this.#log.error(`timer callback: ${text}`);
			else trace(`timer callback: ${text}\n`);
		}
	}
}

/** Wall-clock time in ms since 1970; before SNTP has set it, the device's idea (near 1970). */
export const deviceWallClock = (): number => Date.now();
