/*
 * MD5 (SIP digest) and SHA-256 (SIP digest, admin password hashes, sessions) over Moddable's `crypt`
 * Digest, and random bytes. `Math.random` on the ESP32 is the chip's hardware random number
 * generator (esp_random, as the XS platform layer defines it), the best source the SDK offers;
 * its output is mixed with a xorshift stream seeded from the boot time, which matters only on
 * the Linux simulator build, where it is the C library's rand().
 */

import { Digest } from "crypt";
import type { Md5, RandomBytes, Sha256, Sha256Stream } from "../ports.js";

const HEX = "0123456789abcdef";

function hex(buffer: ArrayBuffer): string {
	const bytes = new Uint8Array(buffer);
	// XS 14 and later have Uint8Array.prototype.toHex: one native call instead of 64 concatenations.
	const native = (bytes as Uint8Array & { toHex?: () => string }).toHex;
	if (typeof native === "function") return native.call(bytes);
	let out = "";
	for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
	return out;
}

function digest(type: "MD5" | "SHA256", text: string): string {
	const d = new Digest(type);
	d.write(ArrayBuffer.fromString(text));
	return hex(d.close());
}

export const deviceMd5: Md5 = (text) => digest("MD5", text);

export const deviceSha256: Sha256 = (text) => digest("SHA256", text);

export function deviceSha256Stream(): Sha256Stream {
	const d = new Digest("SHA256");
	return {
		write(piece) {
			d.write(piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength ? (piece.buffer as ArrayBuffer) : piece.slice().buffer);
		},
		close: () => hex(d.close()),
	};
}

let mix = (Date.now() ^ 0x9e3779b9) | 1;

export const deviceRandom: RandomBytes = (target) => {
	for (let i = 0; i < target.length; i += 2) {
		mix ^= mix << 13;
		mix ^= mix >>> 17;
		mix ^= mix << 5;
		const value = (Math.floor(Math.random() * 65536) ^ mix) & 0xffff;
		target[i] = value & 0xff;
		if (i + 1 < target.length) target[i + 1] = value >> 8;
	}
};
