/*
 * Parsers for the header values the user agent acts on: name-addr (From, To, Contact),
 * Via, CSeq, parameters and SIP URIs. Each returns undefined for a malformed value.
 */

import { WELL_KNOWN_METHODS } from "./methods.js";
import { digitsEnd, equalsIgnoringCase, hostEnd, isHostName, isSpace, isToken, isTokenChar, oneLine, paramValueEnd, quotedEnd, schemeColon, spaceEnd, spaceStart, tokenEnd } from "./scan.js";

export interface NameAddr {
	/** Display name without quotes or escapes ("" when absent). */
	display: string;
	/** The URI, without angle brackets. */
	uri: string;
	/** Header parameters after the URI (";tag=…;…"), as written. */
	params: string;
}

export interface Via {
	transport: string;
	host: string;
	port: number;
	branch: string;
	/** The whole parameter string, as written. */
	params: string;
}

export interface CSeq {
	seq: number;
	method: string;
}

export interface SipUri {
	scheme: string;
	user: string;
	host: string;
	port: number;
	params: string;
	headers: string;
}

const QUOTE = '"', BACKSLASH = "\\", LT = "<", GT = ">", SEMI = ";", EQ = "=", EMPTY = "";

/**
 * value.trim(), without the copy when there is nothing to take off: values from the parser are
 * trimmed already, and a printable ASCII character at each end means trim() would keep them all.
 */
export function trimLws(value: string): string {
	const first = value.charCodeAt(0), last = value.charCodeAt(value.length - 1);
	return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f ? value : value.trim();
}

/** Reads a quoted string starting at value[i] === '"'; returns [unescaped, index after] or undefined (unclosed). */
export function readQuoted(value: string, i: number): [string, number] | undefined {
	const close = value.indexOf(QUOTE, i + 1);
	if (close < 0) return undefined;
	const escape = value.indexOf(BACKSLASH, i + 1);
	// No escape inside: the quoted text is one slice.
	if (escape < 0 || escape > close) return [value.slice(i + 1, close), close + 1];
	let out = "";
	for (let j = i + 1; j < value.length; j++) {
		const c = value.charCodeAt(j);
		if (c === 0x5c) {
			if (j + 1 >= value.length) return undefined;
			out += value[++j];
		} else if (c === 0x22) return [out, j + 1];
		else out += value[j];
	}
	return undefined;
}

/**
 * Whether encodeURI keeps s as it is: then s has no white space, control, non-ASCII character
 * or any of < > " % ` [ ] { } | \ ^. One native call, where a loop would cost some thirty
 * computrons a character; false for text it cannot encode (a lone surrogate).
 */
function keptByEncodeUri(s: string): boolean {
	try {
		return encodeURI(s) === s;
	} catch {
		return false;
	}
}

/** Whether s[start, end) has none of the characters `bad` names, and no white space. */
function freeOf(s: string, start: number, end: number, bad: string): boolean {
	for (let i = start; i < end; i++) {
		const c = s.charCodeAt(i);
		if (isSpace(c) || bad.indexOf(s.charAt(i)) >= 0) return false;
	}
	return true;
}

/** Characters a URI in angle brackets may not hold (besides white space). */
const NOT_IN_URI = '<"', SIP_COLON = "sip:";

/** A URI as name-addr carries it: a scheme, and none of NOT_IN_URI nor white space (encodeURI changes each of them). */
function uriWellFormed(uri: string): boolean {
	return uri !== EMPTY && (uri.startsWith(SIP_COLON) || schemeColon(uri, 0, uri.length) > 0) && (keptByEncodeUri(uri) || freeOf(uri, 0, uri.length, NOT_IN_URI));
}

/** Whether s[start, end) is a display name of tokens, separated by SP or HT (trimmed already). */
function displayWords(s: string, start: number, end: number): boolean {
	for (let i = start; i < end; i++) {
		const c = s.charCodeAt(i);
		if (!isTokenChar(c) && c !== 0x20 && c !== 0x09) return false;
	}
	return true;
}

/** Parses `"Display" <uri>;params`, `Display <uri>;params`, `<uri>;params` or `uri;params`. */
export function parseNameAddr(value: string): NameAddr | undefined {
	let i = 0;
	let c = value.charCodeAt(0);
	// `c <= 0x20` first: one comparison for the usual character instead of four.
	if (c <= 0x20) while (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) c = value.charCodeAt(++i);
	let display = EMPTY;
	if (c === 0x22) {
		const q = readQuoted(value, i);
		if (!q) return undefined;
		display = q[0];
		i = q[1];
		c = value.charCodeAt(i);
		while (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) c = value.charCodeAt(++i);
		if (c !== 0x3c) return undefined;
	}
	const open = value.indexOf(LT, i);
	if (open >= 0) {
		if (!display && open > i) {
			const end = spaceStart(value, i, open), start = spaceEnd(value, i, end);
			if (start < end) {
				if (!displayWords(value, start, end)) return undefined;
				display = value.slice(start, end);
			}
		}
		const close = value.indexOf(GT, open);
		if (close < 0) return undefined;
		const uri = value.slice(open + 1, close);
		if (!uriWellFormed(uri)) return undefined;
		const params = close + 1 < value.length ? trimLws(value.slice(close + 1)) : EMPTY;
		if (params && params.charCodeAt(0) !== 0x3b) return undefined;
		return { display, uri, params };
	}
	// addr-spec: parameters after the first ';' belong to the header, and no '?' headers are allowed.
	const rest = trimLws(i === 0 ? value : value.slice(i));
	const semi = rest.indexOf(SEMI);
	const uri = semi < 0 ? rest : trimLws(rest.slice(0, semi));
	// An addr-spec's URI holds no ',' or '?' either (and no '<': the value has none from i on).
	if (uri.indexOf(COMMA) >= 0 || uri.indexOf(QUESTION) >= 0 || !uriWellFormed(uri)) return undefined;
	return { display: EMPTY, uri, params: semi < 0 ? EMPTY : rest.slice(semi) };
}

/**
 * The value of parameter `name` (lowercase) in a ";a=b;c" string: the value, "" for a parameter
 * without one, or undefined when absent. LWS around ';' and '=' is allowed; the quotes around a
 * quoted value are removed. Only the value is cut out of the string.
 */
export function param(params: string, name: string): string | undefined {
	const n = params.length, quoted = params.indexOf(QUOTE) >= 0;
	let semi = params.indexOf(SEMI);
	// The first '=' after an item's start: searched for once, and kept until an item reaches it.
	let eq = semi < 0 ? -1 : params.indexOf(EQ, semi + 1);
	while (semi >= 0) {
		// The item runs to the next ';' outside a quoted string.
		let next = params.indexOf(SEMI, semi + 1);
		if (quoted) {
			for (next = semi + 1; next < n; next++) {
				const c = params.charCodeAt(next);
				if (c === 0x22) {
					const after = quotedEnd(params, next, n);
					next = (after < 0 ? n : after) - 1;
				} else if (c === 0x3b) break;
			}
			if (next >= n) next = -1;
		}
		const itemEnd = next < 0 ? n : next;
		if (eq >= 0 && eq < semi) eq = params.indexOf(EQ, semi + 1);
		const itemEq = eq < itemEnd ? eq : -1;
		// Blanks around the name are rare: scanned only when there are some, in a key longer than
		// the name (a shorter one stays shorter without them).
		let keyStart = semi + 1, keyEnd = itemEq < 0 ? itemEnd : itemEq;
		if (keyEnd - keyStart > name.length && (params.charCodeAt(keyStart) <= 0x20 || params.charCodeAt(keyEnd - 1) <= 0x20 || params.charCodeAt(keyEnd - 1) >= 0x7f || params.charCodeAt(keyStart) >= 0x7f)) {
			keyStart = spaceEnd(params, keyStart, keyEnd);
			keyEnd = spaceStart(params, keyStart, keyEnd);
		}
		if (keyEnd - keyStart === name.length && (params.startsWith(name, keyStart) || equalsIgnoringCase(params, keyStart, keyEnd, name))) {
			if (itemEq < 0) return EMPTY;
			let start = itemEq + 1, end = itemEnd;
			// The usual value: printable ASCII at both ends, no quote; cut out as it is.
			const first = params.charCodeAt(start), last = params.charCodeAt(end - 1);
			if (end > start && first > 0x20 && first < 0x7f && first !== 0x22 && last > 0x20 && last < 0x7f) return params.slice(start, end);
			if (isSpace(params.charCodeAt(end - 1))) end = spaceStart(params, start, end);
			if (isSpace(params.charCodeAt(start))) start = spaceEnd(params, start, end);
			if (end - start >= 2 && params.charCodeAt(start) === 0x22 && params.charCodeAt(end - 1) === 0x22) return params.slice(start + 1, end - 1);
			return params.slice(start, end);
		}
		semi = next;
	}
	return undefined;
}

/** Characters encodeURI keeps that a parameter may not hold (';', '=' and ':' are checked by place). */
const COMMA = ",", SLASH = "/", QUESTION = "?", AT = "@", AMPERSAND = "&", DOLLAR = "$", OPEN = "(", CLOSE = ")", HASH = "#", COLON = ":";

/**
 * paramsWellFormed() for the usual parameters, e.g. `;rport;branch=z9hG4bK…`, by native calls
 * only: true when they are well-formed, false when only the character scan can tell.
 */
function plainParamsWellFormed(p: string): boolean {
	if (p.charCodeAt(0) !== 0x3b || !keptByEncodeUri(p)) return false;
	if (p.indexOf(COMMA) >= 0 || p.indexOf(SLASH) >= 0 || p.indexOf(QUESTION) >= 0 || p.indexOf(AT) >= 0 || p.indexOf(AMPERSAND) >= 0) return false;
	if (p.indexOf(DOLLAR) >= 0 || p.indexOf(OPEN) >= 0 || p.indexOf(CLOSE) >= 0 || p.indexOf(HASH) >= 0) return false;
	// Item by item: a name, without ':'; a value after '=', without another '='. Each search
	// runs once over the string: the next '=' or ':' is kept until an item reaches it.
	let eq = p.indexOf(EQ), colon = p.indexOf(COLON);
	for (let semi = 0; semi >= 0;) {
		const next = p.indexOf(SEMI, semi + 1), end = next < 0 ? p.length : next;
		const nameEnd = eq >= 0 && eq < end ? eq : end;
		if (nameEnd === semi + 1 || (colon >= 0 && colon < nameEnd)) return false;
		if (nameEnd < end) {
			if (eq + 1 === end) return false;
			eq = p.indexOf(EQ, eq + 1);
			if (eq >= 0 && eq < end) return false;
		}
		if (colon >= 0 && colon < end) colon = p.indexOf(COLON, end);
		semi = next;
	}
	return true;
}

/**
 * Whether every parameter in a ";a=b;c" string is well-formed: `;` name [ `=` value ], the name a
 * token, the value a token (':', '[' and ']' allowed too) or a quoted string, LWS around ';'
 * and '=', white space before and after the whole.
 */
export function paramsWellFormed(params: string): boolean {
	if (plainParamsWellFormed(params)) return true;
	const end = spaceStart(params, 0, params.length);
	let i = spaceEnd(params, 0, end);
	while (i < end) {
		if (params.charCodeAt(i) !== 0x3b) return false;
		i = spaceEnd(params, i + 1, end);
		const name = tokenEnd(params, i, end);
		if (name === i) return false;
		i = spaceEnd(params, name, end);
		if (i < end && params.charCodeAt(i) === 0x3d) {
			i = spaceEnd(params, i + 1, end);
			const value = params.charCodeAt(i) === 0x22 ? quotedEnd(params, i, end) : paramValueEnd(params, i, end);
			if (value <= i) return false;
			i = spaceEnd(params, value, end);
		}
	}
	return true;
}

const VIA_PREFIX = "SIP/2.0/", SIP = "SIP", VERSION_2_0 = "2.0", UDP = "UDP", UDP_SP = "UDP ", BRANCH = "branch";

/**
 * Parses one Via value: `SIP/2.0/UDP host[:port];params` (RFC 3261 §20.42), with LWS allowed
 * around '/' and ':', the host a name, an IPv4 address or an IPv6 reference.
 */
export function parseVia(value: string): Via | undefined {
	const v = trimLws(value), n = v.length;
	let i: number;
	if (v.startsWith(VIA_PREFIX)) {
		i = VIA_PREFIX.length;
		if (isSpace(v.charCodeAt(i))) i = spaceEnd(v, i, n);
	} else {
		// `SIP / 2.0 / UDP`: white space around each '/'.
		if (!v.startsWith(SIP)) return undefined;
		i = spaceEnd(v, 3, n);
		if (v.charCodeAt(i) !== 0x2f) return undefined;
		i = spaceEnd(v, i + 1, n);
		if (!v.startsWith(VERSION_2_0, i)) return undefined;
		i = spaceEnd(v, i + 3, n);
		if (v.charCodeAt(i) !== 0x2f) return undefined;
		i = spaceEnd(v, i + 1, n);
	}
	// `UDP host`, one space: compared, not scanned.
	const transportStart = i, udp = v.startsWith(UDP_SP, i);
	i = udp ? i + 3 : tokenEnd(v, i, n);
	if (i === transportStart) return undefined;
	const transport = udp ? UDP : v.slice(transportStart, i).toUpperCase();
	const hostStart = udp && !isSpace(v.charCodeAt(i + 1)) ? i + 1 : spaceEnd(v, i, n);
	if (hostStart === i) return undefined;
	let hostStop: number, host: string;
	if (v.charCodeAt(hostStart) === 0x5b) {
		hostStop = hostEnd(v, hostStart, n);
		if (hostStop === hostStart) return undefined;
		host = v.slice(hostStart, hostStop);
	} else {
		// A name or IPv4 address runs to ':', ';' or the end, white space before them taken off.
		const semi = v.indexOf(SEMI, hostStart), colon = v.indexOf(COLON, hostStart);
		hostStop = colon >= 0 && (semi < 0 || colon < semi) ? colon : semi < 0 ? n : semi;
		if (isSpace(v.charCodeAt(hostStop - 1))) hostStop = spaceStart(v, hostStart, hostStop);
		host = v.slice(hostStart, hostStop);
		if (!isHostName(host)) return undefined;
	}
	i = isSpace(v.charCodeAt(hostStop)) ? spaceEnd(v, hostStop, n) : hostStop;
	let port = 0;
	if (v.charCodeAt(i) === 0x3a) {
		const digits = isSpace(v.charCodeAt(i + 1)) ? spaceEnd(v, i + 1, n) : i + 1;
		i = digitsEnd(v, digits, n);
		if (i === digits || i - digits > 5) return undefined;
		port = Number(v.slice(digits, i));
		if (port > 65535) return undefined;
		if (isSpace(v.charCodeAt(i))) i = spaceEnd(v, i, n);
	}
	if (i < n && v.charCodeAt(i) !== 0x3b) return undefined;
	const params = i < n ? v.slice(i) : EMPTY;
	if (!paramsWellFormed(params)) return undefined;
	return { transport, host, port, branch: param(params, BRANCH) ?? EMPTY, params };
}

const SP = " ";

/** Parses `CSeq: 123 INVITE`; the number must fit 31 bits (RFC 3261 §8.1.1.5). */
export function parseCSeq(value: string): CSeq | undefined {
	const v = trimLws(value);
	// The usual `123 METHOD`: a number that prints back as written and a method name this
	// stack knows, without a character scan.
	const space = v.indexOf(SP);
	if (space > 0 && space <= 10) {
		const digits = v.slice(0, space), method = v.slice(space + 1);
		const seq = Number(digits);
		if (seq >= 0 && seq <= 0x7fffffff && (seq | 0) === seq && String(seq) === digits && WELL_KNOWN_METHODS.has(method)) return { seq, method };
	}
	// 1 to 10 digits, white space, a token.
	const n = v.length, digits = digitsEnd(v, 0, n);
	if (digits === 0 || digits > 10) return undefined;
	const method = spaceEnd(v, digits, n);
	if (method === digits || !isToken(v, method, n)) return undefined;
	const seq = Number(v.slice(0, digits));
	if (seq > 0x7fffffff) return undefined;
	return { seq, method: v.slice(method) };
}

const SIP_SCHEME = "sip", SIPS_SCHEME = "sips";

/** The host, port, parameters and headers of a SIP URI from `start` (after any userinfo); undefined when malformed (the port's range is checked by the caller). */
function sipUriRest(uri: string, scheme: string, user: string, start: number): SipUri | undefined {
	const n = uri.length, hostStop = hostEnd(uri, start, n);
	if (hostStop === start) return undefined;
	let i = hostStop, port = 0;
	if (uri.charCodeAt(i) === 0x3a) {
		i = digitsEnd(uri, hostStop + 1, n);
		if (i === hostStop + 1 || i - hostStop - 1 > 5) return undefined;
		port = Number(uri.slice(hostStop + 1, i));
	}
	const paramsStart = i;
	if (uri.charCodeAt(i) === 0x3b) {
		const q = uri.indexOf("?", i);
		i = q < 0 ? n : q;
	}
	if (i < n && (uri.charCodeAt(i) !== 0x3f || !oneLine(uri, i, n))) return undefined;
	return { scheme, user, host: uri.slice(start, hostStop), port, params: uri.slice(paramsStart, i), headers: uri.slice(i) };
}

/** The offset of the ':' after a sip or sips scheme (in any case) that starts uri: 3 or 4; -1 for another scheme or none. */
export function sipSchemeColon(uri: string): number {
	const colon = uri.charCodeAt(3) === 0x3a ? 3 : 4;
	return uri.charCodeAt(colon) === 0x3a && equalsIgnoringCase(uri, 0, colon, colon === 3 ? SIP_SCHEME : SIPS_SCHEME) ? colon : -1;
}

/** Parses a sip: or sips: URI (RFC 3261 §19.1.1); undefined for other schemes or a malformed one. */
export function parseSipUri(uri: string): SipUri | undefined {
	const colon = sipSchemeColon(uri);
	if (colon < 0) return undefined;
	const scheme = colon === 3 ? SIP_SCHEME : SIPS_SCHEME;
	// Userinfo runs to the first '@' when no '?' comes before it; a URI it does not fit is read again without it.
	const at = uri.indexOf("@", colon + 1), question = uri.indexOf("?", colon + 1);
	let parsed: SipUri | undefined;
	if (at >= 0 && (question < 0 || question > at)) parsed = sipUriRest(uri, scheme, uri.slice(colon + 1, at), at + 1);
	parsed ??= sipUriRest(uri, scheme, EMPTY, colon + 1);
	// A port out of range makes the URI malformed, whichever way it was read.
	return parsed && parsed.port <= 65535 ? parsed : undefined;
}

/** The scheme of any URI, lowercase ("" when there is none). */
export function uriScheme(uri: string): string {
	if (uri.startsWith(SIP_COLON)) return SIP_SCHEME;
	const colon = schemeColon(uri, 0, uri.length);
	return colon < 0 ? EMPTY : uri.slice(0, colon).toLowerCase();
}
