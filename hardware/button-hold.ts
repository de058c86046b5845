/*
 * A button held down for a while (the board's BOOT button, which resets the admin password):
 * `onHeld` runs once when the button has stayed down for `holdMs`, however much longer it is
 * held; a shorter press does nothing. Active low: 0 is pressed. The provider already debounces the
 * contact, and a level repeated without a change in between is taken once, so a bounce that gets
 * through neither restarts the time nor adds a second hold.
 *
 * Only a press that begins while the door runs counts: a button that is already down at start (a
 * pin held low by a fault or a wire) must be let go first, or such a pin would repeat the hold
 * at every start.
 */

import type { Clock, TimerId } from "../modules/ports.js";

/** How long the BOOT button is held to reset the admin password. */
export const BOOT_HOLD_MS = 10_000;

export interface ButtonHoldOptions {
	clock: Clock;
	/** The button has been held down for `holdMs`; once per press. */
	onHeld(): void;
	/** BOOT_HOLD_MS when absent. */
	holdMs?: number;
	/** The input's level when it is opened (1 when absent): 0 counts only after a release. */
	level?: number;
}

export class ButtonHold {
	#clock: Clock;
	#onHeld: () => void;
	#holdMs: number;
	#pressed: boolean;
	#timer: TimerId | undefined;
	#reached = false;
	#closed = false;
	/** Bound once: a timer's callback is a method of the object, not a closure made per press. */
	#held: () => void;

	constructor(options: ButtonHoldOptions) {
		const holdMs = options.holdMs ?? BOOT_HOLD_MS;
		if (!(holdMs > 0) || !Number.isFinite(holdMs)) throw new RangeError(`button hold must be a number of ms > 0, not ${holdMs}`);
		this.#clock = options.clock;
		this.#onHeld = options.onHeld;
		this.#holdMs = holdMs;
		this.#pressed = options.level === 0;
		this.#held = this.#expired.bind(this);
	}

	/** Whether the button is still down after its hold was taken (the status LED tells the user to let go). */
	get reached(): boolean {
		return this.#reached;
	}

	/** A level from the input; none counts after close(). */
	change(value: number): void {
		if (this.#closed) return;
		const pressed = value === 0;
		if (pressed === this.#pressed) return;
		this.#pressed = pressed;
		if (pressed) this.#timer = this.#clock.setTimeout(this.#held, this.#holdMs);
		else {
			this.#stop();
			this.#reached = false;
		}
	}

	/**
	 * Ends it for good: the input may go on reporting (the door stopping waits up to 32 s for the
	 * PBX's answer to its un-REGISTER), and a hold then must not reset the password.
	 */
	close(): void {
		this.#closed = true;
		this.#stop();
		this.#reached = false;
	}

	#stop(): void {
		if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
		this.#timer = undefined;
	}

	#expired(): void {
		this.#timer = undefined;
		this.#reached = true;
		this.#onHeld();
	}
}
