/*
 * The status LED (GPIO2 on the reference wiring, PWM), as the earlier firmware drove it: what the
 * door is doing, from across the room. Highest first:
 *   admin_reset   very fast blink  (the BOOT button reset the admin password and is still held:
 *                                   let go; 100 ms on, 100 ms off)
 *   call          steady on        (a handset is talking with the door)
 *   ringing       fast blink       (the door rings the handsets: 200 ms on, 200 ms off)
 *   access_point  slow breathing   (the set-up access point is open: 0 to 1 and back in 2 s)
 *   unregistered  short flash      (no registration with the PBX: 100 ms every 2 s)
 *   idle          off
 * The state is read every TICK_MS from `state()`; the output is written only when its level
 * changes, and a change of pattern is logged once.
 */

import type { Clock, LevelOut, Logger, TimerId } from "../modules/ports.js";

export type LedPattern = "admin_reset" | "call" | "ringing" | "access_point" | "unregistered" | "idle";

export const TICK_MS = 100;

export interface LedInputs {
	registered: boolean;
	/** The call's state ("calling", "ringing", "answered" …) and direction, or undefined. */
	call?: { state: string; direction: string };
	accessPoint: boolean;
	/** The BOOT button is still held after it reset the admin password. */
	adminReset?: boolean;
}

/** The pattern for a state: the highest that applies. */
export function patternFor(inputs: LedInputs): LedPattern {
	const call = inputs.call;
	if (inputs.adminReset) return "admin_reset";
	if (call?.state === "answered") return "call";
	if (call && call.direction === "outbound" && (call.state === "calling" || call.state === "ringing")) return "ringing";
	if (inputs.accessPoint) return "access_point";
	if (!inputs.registered) return "unregistered";
	return "idle";
}

/** The pattern's level at `tick` ticks after it began. */
export function levelAt(pattern: LedPattern, tick: number): number {
	switch (pattern) {
		case "admin_reset":
			return tick % 2 === 0 ? 1 : 0;
		case "call":
			return 1;
		case "ringing":
			return tick % 4 < 2 ? 1 : 0;
		case "access_point": {
			const phase = tick % 20;
			return phase <= 10 ? phase / 10 : (20 - phase) / 10;
		}
		case "unregistered":
			return tick % 20 === 0 ? 1 : 0;
		default:
			return 0;
	}
}

export class StatusLed {
	#out: LevelOut;
	#clock: Clock;
	#log: Logger;
	#state: () => LedInputs;
	#timer: TimerId | undefined;
	#pattern: LedPattern | undefined;
	#tick = 0;
	#level = -1;

	constructor(out: LevelOut, clock: Clock, log: Logger, state: () => LedInputs) {
		this.#out = out;
		this.#clock = clock;
		this.#log = log;
		this.#state = state;
		this.#write(0);
	}

	get pattern(): LedPattern | undefined {
		return this.#pattern;
	}

	get level(): number {
		return Math.max(0, this.#level);
	}

	start(): void {
		if (this.#timer !== undefined) return;
		this.#timer = this.#clock.setInterval(this.update.bind(this), TICK_MS);
		this.update();
	}

	/** Reads the state and writes the level for now (the timer calls it; tests may too). */
	update(): void {
		let pattern: LedPattern;
		try {
			pattern = patternFor(this.#state());
		} catch (error) {
			this.#log.error(`status LED: ${(error as Error)?.message ?? error}`);
			return;
		}
		if (pattern !== this.#pattern) {
			this.#pattern = pattern;
			this.#tick = 0;
			this.#log.info(`status LED: ${pattern.replace("_", " ")}`);
		} else this.#tick++;
		this.#write(levelAt(pattern, this.#tick));
	}

	/** Stops the pattern and switches the LED off. */
	close(): void {
		if (this.#timer !== undefined) this.#clock.clearInterval(this.#timer);
		this.#timer = undefined;
		this.#write(0);
		try {
			this.#out.close();
		} catch (error) {
			this.#log.error(`status LED: close failed: ${(error as Error)?.message ?? error}`);
		}
	}

	#write(level: number): void {
		if (level === this.#level) return;
		this.#level = level;
		try {
			this.#out.write(level);
		} catch (error) {
			this.#log.error(`status LED: ${(error as Error)?.message ?? error}`);
		}
	}
}
