/*
 * Virtual GPIO for the simulator: buttons pressed (or held down) from the terminal or the web,
 * and a relay whose pulses are logged and kept for /sipDebug.
 */

import type { DigitalIn, DigitalOut, LevelOut, Logger } from "../ports.js";

export class VirtualButton implements DigitalIn {
	#value = 1; // pulled up: 1 is released
	onChange: ((value: number) => void) | undefined;

	read(): number {
		return this.#value;
	}

	/** A press and release, as the debounced input would report them. */
	press(): void {
		this.#set(0);
		this.#set(1);
	}

	/** Whether the button is held down (hold() without release() yet). */
	get held(): boolean {
		return this.#value === 0;
	}

	/** Pressed and kept down until release() (the BOOT button held). */
	hold(): void {
		this.#set(0);
	}

	release(): void {
		this.#set(1);
	}

	#set(value: number): void {
		if (value === this.#value) return;
		this.#value = value;
		this.onChange?.(value);
	}

	close(): void {
		this.onChange = undefined;
	}
}

export interface RelayPulse {
	/** Wall-clock start (ms since 1970) and length (ms). */
	at: number;
	ms: number;
}

export class VirtualRelay implements DigitalOut {
	#log: Logger;
	#name: string;
	#what: string;
	#on = 0;
	#since = 0;
	readonly pulses: RelayPulse[] = [];

	/** `name` and `what` for the log lines: "relay: ON (door opener energised)". */
	constructor(log: Logger, name = "relay", what = "door opener energised") {
		this.#log = log;
		this.#name = name;
		this.#what = what;
	}

	get value(): number {
		return this.#on;
	}

	write(value: number): void {
		const on = value ? 1 : 0;
		if (on === this.#on) return;
		this.#on = on;
		const now = Date.now();
		if (on) {
			this.#since = now;
			this.#log.info(`${this.#name}: ON (${this.#what})`);
		} else {
			const ms = now - this.#since;
			this.pulses.push({ at: this.#since, ms });
			if (this.pulses.length > 20) this.pulses.shift();
			this.#log.info(`${this.#name}: OFF after ${ms} ms`);
		}
	}

	close(): void {
		this.write(0);
	}
}

/** The status LED in the simulator: its level is kept for /sipDebug (the core logs each pattern). */
export class VirtualLed implements LevelOut {
	level = 0;
	writes = 0;

	write(level: number): void {
		this.level = level;
		this.writes++;
	}

	close(): void {
		this.level = 0;
	}
}
