/*
 * Privacy at the door: a handset's call to the door is answered at once, so whoever stands at
 * the door could be overheard without knowing it. A short tone at the door's speaker says so
 * when such a call is answered and again every INTERVAL_MS while it lasts. It cannot be turned
 * off (door stations from other makers do the same); a household that does not want it turns
 * the auto-answer off instead.
 */

import type { Clock, TimerId } from "../modules/ports.js";

export const INTERVAL_MS = 30000;

export class PrivacyTone {
	#clock: Clock;
	#play: () => void;
	#timer: TimerId | undefined;
	/** Tones played in all calls. */
	played = 0;

	constructor(clock: Clock, play: () => void) {
		this.#clock = clock;
		this.#play = play;
	}

	get running(): boolean {
		return this.#timer !== undefined;
	}

	/** A listening call began: a tone now and every INTERVAL_MS (a second start changes nothing). */
	start(): void {
		if (this.#timer !== undefined) return;
		this.#timer = this.#clock.setInterval(() => this.#tone(), INTERVAL_MS);
		this.#tone();
	}

	stop(): void {
		if (this.#timer === undefined) return;
		this.#clock.clearInterval(this.#timer);
		this.#timer = undefined;
	}

	#tone(): void {
		this.played++;
		this.#play();
	}
}
