/*
 * UTF-8 between bytes and strings. Uses the global TextEncoder/TextDecoder, which XS hosts,
 * Node and the device provider (from Moddable's text modules) all install.
 */

interface Decoder { decode(input: Uint8Array): string }
interface Encoder { encode(input: string): Uint8Array }

type Coders = { TextDecoder: new () => Decoder; TextEncoder: new () => Encoder };

// A coder is made per call, and the global is looked up per call too: the module is preloaded into
// flash, where nothing may change after load, and the device installs the coders as globals only
// at run time. A module-level `globalThis` taken while preloading is the preloading machine's
// global, which does not have them.
export function decodeUtf8(bytes: Uint8Array): string {
	return new (globalThis as unknown as Coders).TextDecoder().decode(bytes);
}

export function encodeUtf8(text: string): Uint8Array {
	return new (globalThis as unknown as Coders).TextEncoder().encode(text);
}

/** Byte length of a string in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
	let n = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) n += 1;
		else if (c < 0x800) n += 2;
		else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) { n += 4; i++; }
		else n += 3;
	}
	return n;
}

/**
 * A URL's path and query as they may go into a request line: every character outside printable
 * ASCII (a control, space, DEL, anything beyond U+007E) percent-encoded as its UTF-8 bytes, as a
 * browser sends them (RFC 3986 §2.1); the rest as it is, so an encoded path stays the same.
 * Throws a URIError for a lone surrogate, which has no UTF-8.
 */
export function percentEncode(path: string): string {
	return path.replace(/[^\x21-\x7e]+/g, encodeURIComponent);
}

/**
 * `text` at most `max` UTF-16 units long: cut, with "…" as its last, where it is longer. Never
 * between the two halves of a character outside the BMP (an emoji), whose lone half has no
 * UTF-8: a bound text goes on to MQTT, webhooks and the page.
 */
export function cutText(text: string, max: number): string {
	if (text.length <= max) return text;
	let end = max - 1;
	const last = text.charCodeAt(end - 1);
	if (last >= 0xd800 && last < 0xdc00) end--;
	return text.slice(0, end) + "…";
}
