/*
 * The answers to requests refused without a transaction (403 to a sender that is not the PBX):
 * a small ring that lets a retransmission get the same answer again without being handled or
 * logged a second time. A refusal needs no state (RFC 3261 §8.2.7 allows a stateless UAS), so
 * an answer pushed out of the ring costs nothing but a fresh 403 built for the retransmission.
 */

/**
 * Answers kept at once. A 403 is about 350 bytes plus its key (~60 bytes) and a few slots:
 * 8 of them are under 4 KB on the device, and a stranger who retransmits (every 0.5 to 4 s)
 * is answered from here unless seven other refused requests came in between.
 */
export const MAX_REFUSED = 8;

export class RefusedAnswers {
	/** How long an answer is kept (64·T1, as Timer J keeps a non-INVITE transaction). */
	readonly keepMs: number;
	#keys: string[] = [];
	#answers: Uint8Array[] = [];
	#at: number[] = [];
	#next = 0;

	constructor(keepMs: number) {
		this.keepMs = keepMs;
	}

	/** The answer given to the request with this key, unless it is older than keepMs. */
	find(key: string, now: number): Uint8Array | undefined {
		const i = this.#keys.indexOf(key);
		return i >= 0 && now - this.#at[i] < this.keepMs ? this.#answers[i] : undefined;
	}

	/** Keeps an answer, in place of the oldest when full. */
	remember(key: string, answer: Uint8Array, now: number): void {
		const i = this.#next;
		this.#keys[i] = key;
		this.#answers[i] = answer;
		this.#at[i] = now;
		this.#next = (i + 1) % MAX_REFUSED;
	}

	/** Answers still within keepMs. */
	count(now: number): number {
		let n = 0;
		for (let i = 0; i < this.#keys.length; i++) if (now - this.#at[i] < this.keepMs) n++;
		return n;
	}
}
