/*
 * The button and the door-opener relay over ECMA-419 `embedded:io/digital`.
 *
 * Button: input with pull-up (released = 1, pressed = 0), an interrupt on both edges, and a
 * settle-time debounce: every edge (re)starts a short timer, and only a level that is still
 * there when it runs, and differs from the last reported one, reaches `onChange`. Contact
 * bounce of a few ms therefore never rings twice, and a press is never missed while the
 * application is busy (the edge interrupt is queued).
 *
 * Relay: output driven inactive at construction (active-high by default, so 0 = off), so that a
 * reboot never leaves the door opener energised.
 */

import Digital from "embedded:io/digital";
import PWM from "embedded:io/pwm";
import type { Clock, DigitalIn, DigitalOut, LevelOut, Logger, TimerId } from "../ports.js";

export interface ButtonOptions {
	pin: number;
	/** Settle time in ms. */
	debounceMs: number;
	clock: Clock;
}

export class DeviceButton implements DigitalIn {
	#pin: Digital | undefined;
	#clock: Clock;
	#debounceMs: number;
	#timer: TimerId | undefined;
	#stable: number;
	onChange: ((value: number) => void) | undefined;

	constructor(options: ButtonOptions) {
		this.#clock = options.clock;
		this.#debounceMs = options.debounceMs;
		this.#pin = new Digital({
			pin: options.pin,
			mode: Digital.InputPullUp,
			edge: Digital.Rising | Digital.Falling,
			onReadable: () => this.#edge(),
		});
		this.#stable = this.#pin.read();
	}

	read(): number {
		return this.#stable;
	}

	#edge(): void {
		if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
		this.#timer = this.#clock.setTimeout(() => this.#settled(), this.#debounceMs);
	}

	#settled(): void {
		this.#timer = undefined;
		const pin = this.#pin;
		if (!pin) return;
		const value = pin.read();
		if (value === this.#stable) return;
		this.#stable = value;
		this.onChange?.(value);
	}

	close(): void {
		if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
		this.#timer = undefined;
		this.onChange = undefined;
		this.#pin?.close();
		this.#pin = undefined;
	}
}

export interface RelayOptions {
	pin: number;
	/** The relay module switches on a low level. */
	activeLow: boolean;
	log: Logger;
}

export class DeviceRelay implements DigitalOut {
	#pin: Digital | undefined;
	#activeLow: boolean;
	#log: Logger;

	constructor(options: RelayOptions) {
		this.#activeLow = options.activeLow;
		this.#log = options.log;
		this.#pin = new Digital({ pin: options.pin, mode: Digital.Output });
		this.write(0);
	}

	write(value: number): void {
		const pin = this.#pin;
		if (!pin) {
			this.#log.warn("relay: write after close ignored");
			return;
		}
		const on = value ? 1 : 0;
		pin.write(on === 1 ? (this.#activeLow ? 0 : 1) : this.#activeLow ? 1 : 0);
	}

	close(): void {
		if (!this.#pin) return;
		this.write(0);
		this.#pin.close();
		this.#pin = undefined;
	}
}

export interface LedOptions {
	pin: number;
	/**
	 * PWM (dimmable) or a plain output (on from level 0.5). The camera's clock takes LEDC timer 0,
	 * which the SDK's PWM does not know of and may hand out: with the camera, the LED is digital.
	 */
	pwm: boolean;
}

/**
 * The SDK's PWM as its ESP32 and lin implementations are (modules/io/pwm/esp32/_pwm.c): the
 * SDK's own typings for embedded:io/pwm omit the `resolution` option and `close`, and mcconfig
 * checks this file against them.
 */
interface PwmOut {
	readonly resolution: number;
	write(value: number): void;
	close(): void;
}
const Pwm = PWM as unknown as new (options: { pin: number; hz: number; resolution: number }) => PwmOut;

/** The status LED: PWM at 1 kHz with 10 bits, or a digital output. Off at construction. */
export class DeviceLed implements LevelOut {
	#pwm: PwmOut | undefined;
	#pin: Digital | undefined;
	#max = 0;

	constructor(options: LedOptions) {
		if (options.pwm) {
			this.#pwm = new Pwm({ pin: options.pin, hz: 1000, resolution: 10 });
			this.#max = (1 << this.#pwm.resolution) - 1;
		} else this.#pin = new Digital({ pin: options.pin, mode: Digital.Output });
		this.write(0);
	}

	write(level: number): void {
		const clamped = level > 1 ? 1 : level > 0 ? level : 0;
		if (this.#pwm) this.#pwm.write(Math.round(clamped * this.#max));
		else this.#pin?.write(clamped >= 0.5 ? 1 : 0);
	}

	close(): void {
		this.write(0);
		this.#pwm?.close();
		this.#pin?.close();
		this.#pwm = undefined;
		this.#pin = undefined;
	}
}
