/*
 * Character classes of SIP and SDP text (RFC 3261 §25.1, RFC 4566 §9), read by charCodeAt
 * instead of RegExps. On the device a RegExp is compiled where it is used (see the README,
 * "Memory: modules in flash"), and its code and match data are chunks every message would
 * allocate; these scans allocate nothing. A loop turn costs XS some thirty computrons, a
 * native search or compare a fraction of a loop over its text: callers keep loops to short
 * spans and take native shortcuts where they can.
 * Each scan reads s[i, end) and answers the offset where its class of characters stops.
 */

/** Whether c is white space as a RegExp's \s means it (and String#trim() takes off). */
export function isSpace(c: number): boolean {
	if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
	return c >= 0xa0 && (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff);
}

/** The end of white space (as isSpace) from i. */
export function spaceEnd(s: string, i: number, end: number): number {
	for (; i < end; i++) {
		// Printable ASCII first: one comparison pair, no call, for the usual character.
		const c = s.charCodeAt(i);
		if ((c > 0x20 && c < 0xa0) || !isSpace(c)) break;
	}
	return i;
}

/** The start of the white space (as isSpace) that ends s[start, end): `end` trimmed back. */
export function spaceStart(s: string, start: number, end: number): number {
	for (; end > start; end--) {
		const c = s.charCodeAt(end - 1);
		if ((c > 0x20 && c < 0xa0) || !isSpace(c)) break;
	}
	return end;
}

/** The end of characters other than white space (as isSpace) from i. */
export function wordEnd(s: string, i: number, end: number): number {
	for (; i < end; i++) {
		const c = s.charCodeAt(i);
		if ((c <= 0x20 || c >= 0xa0) && isSpace(c)) break;
	}
	return i;
}

/** Whether s[i, end) has no line terminator (what a RegExp's '.' does not match). */
export function oneLine(s: string, i: number, end: number): boolean {
	for (; i < end; i++) {
		const c = s.charCodeAt(i);
		if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) return false;
	}
	return true;
}

/** Whether c is a token character: letters, digits and - . ! % * _ + ` ' ~ (RFC 3261 §25.1). */
export function isTokenChar(c: number): boolean {
	if (c >= 0x61) return c <= 0x7a || c === 0x7e;
	if (c >= 0x41) return c <= 0x5a || c === 0x5f || c === 0x60;
	if (c >= 0x30) return c <= 0x39;
	return c === 0x2d || c === 0x2e || c === 0x21 || c === 0x25 || c === 0x2a || c === 0x2b || c === 0x27;
}

/** The end of token characters from i. */
export function tokenEnd(s: string, i: number, end: number): number {
	while (i < end && isTokenChar(s.charCodeAt(i))) i++;
	return i;
}

/** Whether s[start, end) is a token: not empty, token characters only. */
export function isToken(s: string, start: number, end: number): boolean {
	return end > start && tokenEnd(s, start, end) === end;
}

/** The end of a parameter value's characters from i: token characters and ':', '[', ']' (an IPv6 reference). */
export function paramValueEnd(s: string, i: number, end: number): number {
	for (; i < end; i++) {
		const c = s.charCodeAt(i);
		if (!isTokenChar(c) && c !== 0x3a && c !== 0x5b && c !== 0x5d) break;
	}
	return i;
}

/** The end of ASCII digits from i. */
export function digitsEnd(s: string, i: number, end: number): number {
	for (let c = s.charCodeAt(i); i < end && c >= 0x30 && c <= 0x39; c = s.charCodeAt(++i));
	return i;
}

/** Whether s[start, end) is 1 to `most` ASCII digits. */
export function isDigits(s: string, start: number, end: number, most: number): boolean {
	return end > start && end - start <= most && digitsEnd(s, start, end) === end;
}

/** Whether s[start, end) is ASCII digits, any number of them but at least one. */
export function isAllDigits(s: string, start: number, end: number): boolean {
	return end > start && digitsEnd(s, start, end) === end;
}

/** The end of host-name characters from i: letters, digits, '-' and '.'. */
function hostNameEnd(s: string, i: number, end: number): number {
	for (; i < end; i++) {
		const c = s.charCodeAt(i);
		if (c >= 0x61 ? c > 0x7a : c >= 0x41 ? c > 0x5a : c >= 0x30 ? c > 0x39 : c !== 0x2d && c !== 0x2e) break;
	}
	return i;
}

/**
 * Whether h is a host name or IPv4 address: letters, digits, '-' and '.', not empty. Of the rest,
 * encodeURIComponent keeps only _ ! ~ * ' ( ): one native call and seven searches instead of a
 * loop over the characters (false for text it cannot encode, a lone surrogate).
 */
export function isHostName(h: string): boolean {
	try {
		if (h === "" || encodeURIComponent(h) !== h) return false;
	} catch {
		return false;
	}
	return h.indexOf(UNDERSCORE) < 0 && h.indexOf(BANG) < 0 && h.indexOf(TILDE) < 0 && h.indexOf(STAR) < 0 && h.indexOf(APOSTROPHE) < 0 && h.indexOf(OPEN) < 0 && h.indexOf(CLOSE) < 0;
}
const UNDERSCORE = "_", BANG = "!", TILDE = "~", STAR = "*", APOSTROPHE = "'", OPEN = "(", CLOSE = ")";

/** The end of the characters of an IPv6 address (a reference's inside) from i: hex digits, ':' and '.'. */
export function ipv6End(s: string, i: number, end: number): number {
	for (; i < end; i++) {
		const c = s.charCodeAt(i);
		if (!((c >= 0x30 && c <= 0x3a) || c === 0x2e || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66))) break;
	}
	return i;
}

/**
 * The end of a host from i: an IPv6 reference `[hex:...]` or host-name characters; i when
 * there is none (an unclosed or empty reference included).
 */
export function hostEnd(s: string, i: number, end: number): number {
	if (s.charCodeAt(i) !== 0x5b) return hostNameEnd(s, i, end);
	const close = ipv6End(s, i + 1, end);
	return close > i + 1 && close < end && s.charCodeAt(close) === 0x5d ? close + 1 : i;
}

/**
 * The end of a URI scheme at i: the offset of the ':' after `ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")`
 * (RFC 3986 §3.1), or -1 when s[i, end) does not start with one.
 */
export function schemeColon(s: string, i: number, end: number): number {
	let c = s.charCodeAt(i) | 0x20;
	if (i >= end || c < 0x61 || c > 0x7a) return -1;
	for (i++; i < end; i++) {
		c = s.charCodeAt(i);
		if (c === 0x3a) return i;
		if (!((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) && !(c >= 0x30 && c <= 0x39) && c !== 0x2b && c !== 0x2d && c !== 0x2e) return -1;
	}
	return -1;
}

/** Whether s[start, end) equals `lower` with ASCII letters in any case (`lower` is lowercase). */
export function equalsIgnoringCase(s: string, start: number, end: number, lower: string): boolean {
	if (end - start !== lower.length) return false;
	if (s.startsWith(lower, start)) return true;
	for (let j = 0; j < lower.length; j++) {
		const a = s.charCodeAt(start + j), b = lower.charCodeAt(j);
		if (a !== b && ((a | 0x20) !== b || b < 0x61 || b > 0x7a)) return false;
	}
	return true;
}

/** The end of a quoted string that opens at i (s[i] is '"'), after its closing quote; -1 when it does not close. A backslash escapes the next character. */
export function quotedEnd(s: string, i: number, end: number): number {
	for (i++; i < end; i++) {
		const c = s.charCodeAt(i);
		if (c === 0x22) return i + 1;
		if (c === 0x5c) i++;
	}
	return -1;
}
