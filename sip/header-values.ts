/*
 * Parsers for the header values the user agent acts on: name-addr (From, To, Contact),
 * Via, CSeq, parameters and SIP URIs. Each returns undefined for a malformed value.
 */

import { WELL_KNOWN_METHODS } from "./methods.js";

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

const TOKEN_CHARS = (): RegExp => /^[A-Za-z0-9\-.!%*_+`'~]+$/;
// Each pattern is a function that makes its RegExp where it is used: the SDK's XS leaks a block at
// every match of a RegExp made while preloading, and a collection during the match corrupts memory
// (README, "Memory: modules in flash").
const LWS_RUN = (): RegExp => /[ \t]+/;
const URI_SCHEME = (): RegExp => /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** URI_SCHEME without the capture, for a test: a capture costs a match array on XS. */
const URI_SCHEME_START = (): RegExp => /^[A-Za-z][A-Za-z0-9+.-]*:/;
const BAD_IN_URI = (): RegExp => /[\s<"]/;
const BAD_IN_ADDR_SPEC = (): RegExp => /[\s,?"]/;
const PARAM_VALUE = (): RegExp => /^[A-Za-z0-9\-.!%*_+`'~:\[\]]+$/;
const VIA = (): RegExp => /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:\s*:\s*([0-9]{1,5}))?\s*(;.*)?$/s;
const CSEQ = (): RegExp => /^([0-9]{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/;
const SIP_URI = (): RegExp => /^(sips?):(?:([^@;?]*(?:;[^@?]*)?)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?::([0-9]{1,5}))?((?:;[^?]*)?)((?:\?.*)?)$/i;
const QUOTE = '"', BACKSLASH = "\\", LT = "<", GT = ">", SEMI = ";", EQ = "=", EMPTY = "";

/**
 * value.trim(), without the copy when there is nothing to take off: values from the parser are
 * trimmed already, and a printable ASCII character at each end means trim() would keep them all.
 */
export function trimLws(value: string): string {
	const first = value.charCodeAt(0), last = value.charCodeAt(value.length - 1);
	return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f ? value : value.trim();
}

function isSpace(c: number): boolean {
	return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Reads a quoted string starting at value[i] === '"'; returns [unescaped, index after] or undefined. */
function readQuoted(value: string, i: number): [string, number] | undefined {
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
		while (c <= 0x20 && isSpace(c)) c = value.charCodeAt(++i);
		if (c !== 0x3c) return undefined;
	}
	const open = value.indexOf(LT, i);
	if (open >= 0) {
		if (!display) {
			const words = open === i ? EMPTY : value.slice(i, open).trim();
			const token = TOKEN_CHARS();
			if (words && !token.test(words) && !words.split(LWS_RUN()).every((w) => token.test(w))) return undefined;
			display = words;
		}
		const close = value.indexOf(GT, open);
		if (close < 0) return undefined;
		const uri = value.slice(open + 1, close);
		if (!uri || BAD_IN_URI().test(uri) || !URI_SCHEME_START().test(uri)) return undefined;
		const params = close + 1 < value.length ? trimLws(value.slice(close + 1)) : EMPTY;
		if (params && params.charCodeAt(0) !== 0x3b) return undefined;
		return { display, uri, params };
	}
	// addr-spec: parameters after the first ';' belong to the header, and no '?' headers are allowed.
	const rest = trimLws(i === 0 ? value : value.slice(i));
	const semi = rest.indexOf(SEMI);
	const uri = semi < 0 ? rest : trimLws(rest.slice(0, semi));
	if (!uri || BAD_IN_ADDR_SPEC().test(uri) || !URI_SCHEME_START().test(uri)) return undefined;
	return { display: EMPTY, uri, params: semi < 0 ? EMPTY : rest.slice(semi) };
}

/**
 * The value of parameter `name` in a ";a=b;c" string: the value, "" for a parameter without
 * one, or undefined when absent. LWS around ';' and '=' is allowed; quotes are removed.
 */
export function param(params: string, name: string): string | undefined {
	if (params.indexOf(QUOTE) < 0) return plainParam(params, name);
	let i = 0;
	const n = params.length;
	while (i < n) {
		const semi = params.indexOf(";", i);
		if (semi < 0) return undefined;
		let end = semi + 1;
		let quoted = false;
		while (end < n) {
			const c = params.charCodeAt(end);
			if (quoted) {
				if (c === 0x5c) end++;
				else if (c === 0x22) quoted = false;
			} else if (c === 0x22) quoted = true;
			else if (c === 0x3b) break;
			end++;
		}
		const item = params.slice(semi + 1, end);
		const eq = item.indexOf("=");
		const key = (eq < 0 ? item : item.slice(0, eq)).trim();
		if (key.toLowerCase() === name) {
			if (eq < 0) return "";
			const v = item.slice(eq + 1).trim();
			return v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"' ? v.slice(1, -1) : v;
		}
		i = end;
	}
	return undefined;
}

/** `param` for a parameter string without quoted strings: native searches, no character walk. */
function plainParam(params: string, name: string): string | undefined {
	const first = params.indexOf(SEMI);
	if (first < 0) return undefined;
	// The usual case: the parameter comes first, written `;name=value`.
	if (params.startsWith(name, first + 1) && params.charCodeAt(first + 1 + name.length) === 0x3d) {
		const start = first + 2 + name.length;
		const next = params.indexOf(SEMI, start);
		return (next < 0 ? params.slice(start) : params.slice(start, next)).trim();
	}
	for (let semi = first; semi >= 0;) {
		const next = params.indexOf(SEMI, semi + 1);
		const item = next < 0 ? params.slice(semi + 1) : params.slice(semi + 1, next);
		const eq = item.indexOf(EQ);
		const key = (eq < 0 ? item : item.slice(0, eq)).trim();
		if (key.length === name.length && key.toLowerCase() === name) return eq < 0 ? "" : item.slice(eq + 1).trim();
		semi = next;
	}
	return undefined;
}

/** Whether every parameter in a ";a=b;c" string is a well-formed token (or token=value). */
export function paramsWellFormed(params: string): boolean {
	// Without quoted strings: one anchored RegExp over all of them (see PLAIN_PARAMS).
	if (params.indexOf(QUOTE) < 0) return PLAIN_PARAMS().test(trimLws(params));
	// With quoted strings: item by item (the quote makes the text non-empty).
	const trimmed = params.trim();
	if (trimmed.charCodeAt(0) !== 0x3b) return false;
	const items = trimmed.split(SEMI);
	const token = TOKEN_CHARS(), paramValue = PARAM_VALUE();
	for (let i = 1; i < items.length; i++) {
		const item = items[i];
		const eq = item.indexOf(EQ);
		if (!token.test(trimLws(eq < 0 ? item : item.slice(0, eq)))) return false;
		if (eq >= 0) {
			const v = item.slice(eq + 1).trim();
			if (!v) return false;
			if (v.charCodeAt(0) !== 0x22 && !paramValue.test(v)) return false;
		}
	}
	return true;
}

/** Parses one Via value: `SIP/2.0/UDP host[:port];params`, with LWS allowed around '/'. */
export function parseVia(value: string): Via | undefined {
	const trimmed = trimLws(value);
	const fast = plainVia(trimmed);
	if (fast !== undefined) return fast || undefined;
	const m = VIA().exec(trimmed);
	if (!m) return undefined;
	const params = m[4] ?? "";
	if (!paramsWellFormed(params)) return undefined;
	const port = m[3] ? Number(m[3]) : 0;
	if (port > 65535) return undefined;
	return { transport: m[1].toUpperCase(), host: m[2], port, branch: param(params, "branch") ?? "", params };
}

const VIA_PREFIX = "SIP/2.0/";
const HOST_PORT = (): RegExp => /^[A-Za-z0-9\-.]+(?::[0-9]{1,5})?$/;
/** Parameters without quoted strings, each well-formed as plainVia() once checked them one by one (\s: what trim() takes off). */
const PLAIN_PARAMS = (): RegExp => /^(?:;\s*[A-Za-z0-9\-.!%*_+`'~]+\s*(?:=\s*[A-Za-z0-9\-.!%*_+`'~:\[\]]+\s*)?)*$/;
const SP = " ", COLON = ":", BRANCH = "branch", BRANCH_EQ = ";branch=", UDP = "UDP";

/**
 * The usual Via, `SIP/2.0/UDP host:port;params` with single spaces, read with native searches
 * and two anchored RegExp tests (on XS a RegExp costs about a computron per character, a native
 * search a fraction of that, a call some ten to twenty).
 * Answers the Via, null when it is malformed, undefined when the general parser must decide.
 */
function plainVia(v: string): Via | null | undefined {
	if (!v.startsWith(VIA_PREFIX)) return undefined;
	const space = v.indexOf(SP, VIA_PREFIX.length);
	if (space < 0) return undefined;
	const semi = v.indexOf(SEMI, space);
	const transport = v.slice(VIA_PREFIX.length, space);
	const hostPort = semi < 0 ? v.slice(space + 1) : v.slice(space + 1, semi);
	if (transport !== UDP && (hostPort.charCodeAt(0) === 0x5b || !TOKEN_CHARS().test(transport))) return undefined; // [IPv6]: the general parser
	if (!HOST_PORT().test(hostPort)) return undefined;
	const colon = hostPort.indexOf(COLON);
	const host = colon < 0 ? hostPort : hostPort.slice(0, colon);
	const port = colon < 0 ? 0 : Number(hostPort.slice(colon + 1));
	if (port > 65535) return null;
	const params = semi < 0 ? EMPTY : v.slice(semi);
	const upper = transport === UDP ? UDP : transport.toUpperCase();
	if (params.indexOf(QUOTE) >= 0) {
		if (!paramsWellFormed(params)) return null;
		return { transport: upper, host, port, branch: param(params, BRANCH) ?? "", params };
	}
	if (!PLAIN_PARAMS().test(params)) return null;
	return { transport: upper, host, port, branch: plainBranch(params), params };
}

/** The first branch parameter of well-formed parameters without quotes ("" when there is none or it has no value). */
function plainBranch(params: string): string {
	const at = params.indexOf(BRANCH_EQ);
	// `;branch=` as written, and no other spelling of the name before it: no more searching.
	if (at >= 0 && (at === 0 || params.slice(0, at).toLowerCase().indexOf(BRANCH) < 0)) {
		const start = at + BRANCH_EQ.length;
		const next = params.indexOf(SEMI, start);
		return (next < 0 ? params.slice(start) : params.slice(start, next)).trim();
	}
	return plainParam(params, BRANCH) ?? EMPTY;
}

/** Parses `CSeq: 123 INVITE`; the number must fit 31 bits (RFC 3261 §8.1.1.5). */
export function parseCSeq(value: string): CSeq | undefined {
	const v = trimLws(value);
	// The usual `123 METHOD`: a number that prints back as written and a method name this
	// stack knows, without the RegExp and its match array.
	const space = v.indexOf(SP);
	if (space > 0 && space <= 10) {
		const digits = v.slice(0, space), method = v.slice(space + 1);
		const seq = Number(digits);
		if (seq >= 0 && seq <= 0x7fffffff && (seq | 0) === seq && String(seq) === digits && WELL_KNOWN_METHODS.has(method)) return { seq, method };
	}
	const m = CSEQ().exec(v);
	if (!m) return undefined;
	const seq = Number(m[1]);
	if (seq > 0x7fffffff) return undefined;
	return { seq, method: m[2] };
}

/** Parses a sip: or sips: URI; undefined for other schemes or a malformed one. */
export function parseSipUri(uri: string): SipUri | undefined {
	const m = SIP_URI().exec(uri);
	if (!m) return undefined;
	const port = m[4] ? Number(m[4]) : 0;
	if (port > 65535) return undefined;
	return { scheme: m[1].toLowerCase(), user: m[2] ?? "", host: m[3], port, params: m[5], headers: m[6] };
}

/** The scheme of any URI, lowercase ("" when there is none). */
export function uriScheme(uri: string): string {
	const m = URI_SCHEME().exec(uri);
	return m ? m[1].toLowerCase() : "";
}
