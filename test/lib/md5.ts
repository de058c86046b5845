/*
 * MD5 (RFC 1321) of a UTF-8 string in plain JavaScript, so specs that need digests run on XS
 * as well as on Node.
 */

import type { Md5 } from "../../modules/ports.js";
import { padded } from "./md-padding.js";

const S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) | 0;

export const md5: Md5 = (text) => {
	const bytes = padded(text, false);
	const length = bytes.length;
	let a0 = 0x67452301, b0 = 0xefcdab89 | 0, c0 = 0x98badcfe | 0, d0 = 0x10325476;
	const m = new Int32Array(16);
	for (let block = 0; block < length; block += 64) {
		for (let i = 0; i < 16; i++) {
			const o = block + i * 4;
			m[i] = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
		}
		let a = a0, b = b0, c = c0, d = d0;
		for (let i = 0; i < 64; i++) {
			let f: number, g: number;
			if (i < 16) { f = (b & c) | (~b & d); g = i; }
			else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
			else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
			else { f = c ^ (b | ~d); g = (7 * i) & 15; }
			const t = d;
			d = c;
			c = b;
			const x = (a + f + K[i] + m[g]) | 0;
			b = (b + ((x << S[i]) | (x >>> (32 - S[i])))) | 0;
			a = t;
		}
		a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
	}
	let out = "";
	for (const word of [a0, b0, c0, d0]) for (let i = 0; i < 4; i++) out += ((word >>> (i * 8)) & 0xff).toString(16).padStart(2, "0");
	return out;
};
