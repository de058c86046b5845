import type { Clock, TimerId } from "../../modules/ports.js";

interface Pending {
	id: number;
	at: number;
	every: number;
	callback: () => void;
}

/** A Clock whose time moves only when the test says so. */
export class FakeClock implements Clock {
	#now = 0;
	#next = 1;
	#pending: Pending[] = [];

	now(): number {
		return this.#now;
	}
	setTimeout(callback: () => void, ms: number): TimerId {
		return this.#add(callback, ms, 0);
	}
	setInterval(callback: () => void, ms: number): TimerId {
		return this.#add(callback, ms, Math.max(1, ms));
	}
	clearTimeout(id: TimerId): void {
		this.#pending = this.#pending.filter((p) => p.id !== id);
	}
	clearInterval(id: TimerId): void {
		this.clearTimeout(id);
	}
	/** Number of timers still pending. */
	get pending(): number {
		return this.#pending.length;
	}
	/** Moves time forward, firing due timers in order. */
	advance(ms: number): void {
		const end = this.#now + ms;
		for (;;) {
			let first: Pending | undefined;
			for (const p of this.#pending) if (p.at <= end && (!first || p.at < first.at || (p.at === first.at && p.id < first.id))) first = p;
			if (!first) break;
			this.#now = first.at;
			if (first.every) first.at += first.every;
			else this.#pending = this.#pending.filter((p) => p !== first);
			first.callback();
		}
		this.#now = end;
	}
	#add(callback: () => void, ms: number, every: number): number {
		const id = this.#next++;
		this.#pending.push({ id, at: this.#now + Math.max(0, ms), every, callback });
		return id;
	}
}
