/*
 * A timed pulse on a relay output (the door opener on GPIO1). The pulse ends on time whatever
 * the rest of the program does: the off-timer is armed before the relay turns on, the output is
 * switched before any listener hears of it, a listener that throws is caught and logged, and a
 * failing write(0) is retried until it succeeds. A pulse asked for while one is running extends
 * nothing (unless `extend` says so). The relay is forced off at construction and on close.
 */

import type { Clock, DigitalOut, Logger, TimerId } from "../modules/ports.js";

/** No pulse is ever longer than this, whatever the caller asks for. */
export const MAX_PULSE_MS = 10000;
/** Delay between attempts to switch off a relay whose write(0) threw. */
export const OFF_RETRY_MS = 10;

export type RelayListener = (on: boolean) => void;

export interface PulseOptions {
	/** When a pulse is already running: end it `ms` from now instead of at its own end. */
	extend?: boolean;
}

export class RelayPulse {
	#out: DigitalOut;
	#clock: Clock;
	#log: Logger;
	#timer: TimerId | undefined;
	#on = false;
	#endsAt = 0;
	#closed = false;
	#listeners: RelayListener[] = [];
	/** Pulses started (not counting refused or extended ones). */
	pulses = 0;

	constructor(out: DigitalOut, clock: Clock, log: Logger) {
		this.#out = out;
		this.#clock = clock;
		this.#log = log;
		this.#switchOff();
	}

	get on(): boolean {
		return this.#on;
	}

	/** Clock time at which the running pulse ends (0 when off). */
	get endsAt(): number {
		return this.#on ? this.#endsAt : 0;
	}

	/** Hears every change of the relay, after the output has been switched. */
	listen(listener: RelayListener): void {
		this.#listeners.push(listener);
	}

	/**
	 * Energises the relay for `ms` (clamped to 1…MAX_PULSE_MS). Returns false, changing nothing,
	 * when closed or when a pulse is running and `extend` is not set. Throws RangeError for a
	 * length that is not a number.
	 */
	pulse(ms: number, options: PulseOptions = {}): boolean {
		if (typeof ms !== "number" || !Number.isFinite(ms)) throw new RangeError(`relay pulse length must be a finite number of ms, not ${String(ms)}`);
		if (this.#closed) return false;
		const length = Math.min(MAX_PULSE_MS, Math.max(1, Math.round(ms)));
		if (this.#on && !options.extend) return false;
		// The way back to off exists before the relay is on.
		this.#arm(length);
		if (this.#on) return true;
		try {
			this.#out.write(1);
		} catch (error) {
			this.#log.error(`relay: cannot switch on: ${(error as Error)?.message ?? error}`);
			this.#cancel();
			this.#switchOff();
			return false;
		}
		this.#on = true;
		this.pulses++;
		this.#tell(true);
		return true;
	}

	/** Ends a running pulse now. */
	off(): void {
		this.#cancel();
		this.#switchOff();
	}

	/** Forces the relay off and releases the output. Later pulses are refused. */
	close(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.off();
		try {
			this.#out.close();
		} catch (error) {
			this.#log.error(`relay: close failed: ${(error as Error)?.message ?? error}`);
		}
		this.#listeners.length = 0;
	}

	#arm(ms: number): void {
		this.#cancel();
		this.#endsAt = this.#clock.now() + ms;
		this.#timer = this.#clock.setTimeout(() => {
			this.#timer = undefined;
			this.#switchOff();
		}, ms);
	}

	#cancel(): void {
		if (this.#timer === undefined) return;
		this.#clock.clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	/** write(0); when that throws, tries again every OFF_RETRY_MS until it works. */
	#switchOff(): void {
		try {
			this.#out.write(0);
		} catch (error) {
			this.#log.error(`relay: cannot switch off (${(error as Error)?.message ?? error}); retrying in ${OFF_RETRY_MS} ms`);
			this.#cancel();
			this.#timer = this.#clock.setTimeout(() => {
				this.#timer = undefined;
				this.#switchOff();
			}, OFF_RETRY_MS);
			return;
		}
		const was = this.#on;
		this.#on = false;
		this.#endsAt = 0;
		if (was) this.#tell(false);
	}

	#tell(on: boolean): void {
		for (const listener of this.#listeners.slice()) {
			try {
				listener(on);
			} catch (error) {
				this.#log.error(`relay: a listener threw: ${(error as Error)?.message ?? error}`);
			}
		}
	}
}
