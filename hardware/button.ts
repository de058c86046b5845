/*
 * The door button at the application level: the provider already debounces the contact, and
 * the user agent refuses a second ring while one is going on; this adds a cool-down so that a
 * chattering contact or a child hammering the button rings once, not once per press, after a
 * call has ended too. Active low: 0 is pressed.
 */

import type { Clock } from "../modules/ports.js";

export const DEFAULT_COOL_DOWN_MS = 1000;

export class ButtonPresses {
	#clock: Clock;
	#coolDownMs: number;
	#onPress: () => void;
	#pressed = false;
	#lastAccepted = -Infinity;
	/** Presses taken and presses dropped by the cool-down or as repeated levels. */
	accepted = 0;
	dropped = 0;

	constructor(clock: Clock, onPress: () => void, coolDownMs = DEFAULT_COOL_DOWN_MS) {
		if (!(coolDownMs >= 0) || !Number.isFinite(coolDownMs)) throw new RangeError(`button cool-down must be a number of ms >= 0, not ${coolDownMs}`);
		this.#clock = clock;
		this.#onPress = onPress;
		this.#coolDownMs = coolDownMs;
	}

	/** A level from the input: returns true when it made a press. */
	change(value: number): boolean {
		const pressed = value === 0;
		const edge = pressed && !this.#pressed;
		this.#pressed = pressed;
		if (!pressed) return false;
		const now = this.#clock.now();
		if (!edge || now - this.#lastAccepted < this.#coolDownMs) {
			this.dropped++;
			return false;
		}
		this.#lastAccepted = now;
		this.accepted++;
		this.#onPress();
		return true;
	}
}
