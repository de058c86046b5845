/** Random identifiers for branches, tags and Call-IDs (RFC 3261 §8.1.1.4, §8.1.1.7, §19.3). */

import type { RandomBytes } from "../modules/ports.js";

const MAGIC = "z9hG4bK", AT = "@";
const ZERO = "0";

/*
 * Formatting: six random bytes at a time read as one number (two native DataView reads) and
 * written in hex by Number#toString and padded with zeros by padStart, which hands the string
 * back as it is when no zero is missing (one string instead of the two of a leading 1 cut off).
 * On XS a string grown a character at a time costs a new string and some twenty computrons a step.
 */

/** What a new binding or dialog starts with: Call-ID, local tag, a random 31-bit number. */
export interface Binding {
	callId: string;
	tag: string;
	int31: number;
}

export class IdSource {
	#random: RandomBytes;
	#bytes = new Uint8Array(16);
	#view = new DataView(this.#bytes.buffer);
	#wide: Uint8Array | undefined;
	#wideView: DataView | undefined;

	constructor(random: RandomBytes) {
		this.#random = random;
	}

	/** `count` random bytes as 2 × count lowercase hex characters. */
	hex(count: number): string {
		const bytes = count <= 16 ? this.#bytes : new Uint8Array(count);
		this.#random(bytes);
		const view = bytes === this.#bytes ? this.#view : new DataView(bytes.buffer);
		let out = "";
		let i = 0;
		for (; i + 6 <= count; i += 6) out += hex48(view, i);
		if (i < count) {
			let n = 1;
			for (; i < count; i++) n = n * 256 + bytes[i];
			out += n.toString(16).slice(1);
		}
		return out;
	}

	branch(): string {
		this.#random(this.#bytes);
		const view = this.#view;
		return MAGIC.concat(hex48(view, 0), view.getUint32(6).toString(16).padStart(8, ZERO));
	}

	tag(): string {
		this.#random(this.#bytes);
		return hex48(this.#view, 0);
	}

	callId(host: string): string {
		this.#random(this.#bytes);
		return hex48(this.#view, 0).concat(hex48(this.#view, 6), AT, host);
	}

	/**
	 * callId(host), tag() and int31() from one fill of 24 bytes: bytes 0–11 make the Call-ID,
	 * 12–17 the tag, 18–21 the number (one native call instead of three).
	 */
	binding(host: string): Binding {
		const bytes = this.#wide ??= new Uint8Array(24);
		const view = this.#wideView ??= new DataView(bytes.buffer);
		this.#random(bytes);
		return { callId: hex48(view, 0).concat(hex48(view, 6), AT, host), tag: hex48(view, 12), int31: view.getUint32(18) & 0x7fffffff };
	}

	/** A random integer in [0, 2^31). */
	int31(): number {
		this.#random(this.#bytes);
		// The first four bytes big-endian, the top bit cleared: one native read.
		return this.#view.getUint32(0) & 0x7fffffff;
	}
}

/** Bytes offset … offset + 5 as 12 hex digits. */
function hex48(view: DataView, offset: number): string {
	return (view.getUint32(offset) * 65536 + view.getUint16(offset + 4)).toString(16).padStart(12, ZERO);
}
