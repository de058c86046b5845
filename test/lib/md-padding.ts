/*
 * The message padding MD5 (RFC 1321 §3.1-3.2) and SHA-256 (FIPS 180-4 §5.1.1) share: the UTF-8
 * bytes, a 1 bit, zeros to 56 bytes past a 64-byte boundary, then the length in bits as 64 bits,
 * least significant byte first for MD5 and most significant first for SHA-256.
 */

import { encodeUtf8 } from "../../modules/text.js";

export function padded(text: string, bigEndianLength: boolean): Uint8Array {
	const input = encodeUtf8(text);
	const length = ((input.length + 8) >>> 6) * 64 + 64;
	const bytes = new Uint8Array(length);
	bytes.set(input);
	bytes[input.length] = 0x80;
	const bits = input.length * 8;
	for (let i = 0; i < 4; i++) bytes[bigEndianLength ? length - 1 - i : length - 8 + i] = (bits >>> (8 * i)) & 0xff;
	return bytes;
}
