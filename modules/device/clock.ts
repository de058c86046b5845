/*
 * The clock port over Moddable's `timer` and `time`. `Time.ticks` is a 32-bit millisecond
 * counter on the ESP32 that wraps after 24.8 days (as a signed number); `now()` adds up the
 * unsigned differences so that it only grows. A callback that throws is logged, never lost in
 * the timer task.
 */

import Timer from "timer";
import Time from "time";
import type { Clock, Logger, TimerId } from "../ports.js";

type Handle = Parameters<typeof Timer.clear>[0];

export class DeviceClock implements Clock {
	#last = Time.ticks;
	#total = 0;
	#log: Logger | undefined;

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
		return Timer.set(() => this.#run(callback), Math.max(0, ms | 0));
	}

	clearTimeout(id: TimerId): void {
		if (id) Timer.clear(id as Handle);
	}

	setInterval(callback: () => void, ms: number): TimerId {
		return Timer.repeat(() => this.#run(callback), Math.max(1, ms | 0));
	}

	clearInterval(id: TimerId): void {
		if (id) Timer.clear(id as Handle);
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
