/** Random identifiers for branches, tags and Call-IDs (RFC 3261 §8.1.1.4, §8.1.1.7, §19.3). */

import type { RandomBytes } from "../modules/ports.js";

const HEX = "0123456789abcdef";

export class IdSource {
	#random: RandomBytes;
	#bytes = new Uint8Array(16);

	constructor(random: RandomBytes) {
		this.#random = random;
	}

	/** `count` random bytes as 2 × count lowercase hex characters. */
	hex(count: number): string {
		const bytes = count <= 16 ? this.#bytes : new Uint8Array(count);
		this.#random(bytes);
		let out = "";
		for (let i = 0; i < count; i++) out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
		return out;
	}

	branch(): string {
		return "z9hG4bK" + this.hex(10);
	}

	tag(): string {
		return this.hex(6);
	}

	callId(host: string): string {
		return `${this.hex(12)}@${host}`;
	}

	/** A random integer in [0, 2^31). */
	int31(): number {
		this.#random(this.#bytes);
		return ((this.#bytes[0] & 0x7f) << 24 | this.#bytes[1] << 16 | this.#bytes[2] << 8 | this.#bytes[3]) >>> 0;
	}
}
