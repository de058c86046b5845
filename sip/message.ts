/*
 * A received SIP message, parsed lazily: the start line is split at once and the header
 * section is indexed (offsets into one string); header values are cut out only when asked.
 */

import { decodeUtf8 } from "./text.js";

/** Compact header forms (RFC 3261 §7.3.3 and extensions). */
const COMPACT: Record<string, string> = {
	i: "call-id", m: "contact", e: "content-encoding", l: "content-length", c: "content-type",
	f: "from", s: "subject", k: "supported", t: "to", v: "via", o: "event", r: "refer-to",
	u: "allow-events", x: "session-expires", b: "referred-by", a: "accept-contact",
	j: "reject-contact", d: "request-disposition", y: "identity", n: "identity-info",
};

/** Why a datagram was refused, with the status to answer when an answer is possible. */
export class SipParseError extends Error {
	readonly status: number;
	/** The message as far as it could be indexed, to build an error response from. */
	readonly partial: SipMessage | undefined;
	constructor(message: string, status = 400, partial?: SipMessage) {
		super(message);
		this.name = "SipParseError";
		this.status = status;
		this.partial = partial;
	}
}

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

export class SipMessage {
	/** Request method, or "" for a response. */
	readonly method: string;
	/** Request-URI, or "" for a response. */
	readonly uri: string;
	/** Status code, or 0 for a request. */
	readonly status: number;
	readonly reason: string;
	/** SIP version of the start line, e.g. "SIP/2.0". */
	readonly version: string;
	/** The header section as one string (start line included). */
	readonly #text: string;
	/** Four offsets per header line: name start, name end, value start, value end. */
	readonly #index: Uint16Array;
	readonly #count: number;
	#bodyBytes: Uint8Array;
	#body: string | undefined;

	constructor(text: string, index: Uint16Array, count: number, bodyBytes: Uint8Array, startLine: string[]) {
		this.#text = text;
		this.#index = index;
		this.#count = count;
		this.#bodyBytes = bodyBytes;
		if (startLine[0].startsWith("SIP/")) {
			this.version = startLine[0];
			this.status = Number(startLine[1]);
			this.reason = startLine[2];
			this.method = "";
			this.uri = "";
		} else {
			this.method = startLine[0];
			this.uri = startLine[1];
			this.version = startLine[2];
			this.status = 0;
			this.reason = "";
		}
	}

	get isRequest(): boolean {
		return this.status === 0;
	}

	/** The body octets (a view into the datagram, framed by Content-Length). */
	get bodyBytes(): Uint8Array {
		return this.#bodyBytes;
	}

	/** The body as text (decoded once, on first use). */
	get body(): string {
		this.#body ??= this.#bodyBytes.length ? decodeUtf8(this.#bodyBytes) : "";
		return this.#body;
	}

	/** Cuts the body to `length` octets (Content-Length shorter than the datagram). */
	limitBody(length: number): void {
		this.#bodyBytes = this.#bodyBytes.subarray(0, length);
		this.#body = undefined;
	}

	/** Number of header lines with this name (a full lowercase name; case and compact forms on the wire ignored). */
	count(name: string): number {
		let n = 0;
		for (let i = 0; i < this.#count; i++) if (this.#is(i, name)) n++;
		return n;
	}

	/** Value of the first header line with this name, or undefined. */
	header(name: string): string | undefined {
		for (let i = 0; i < this.#count; i++) if (this.#is(i, name)) return this.#value(i);
		return undefined;
	}

	/** Values of every header line with this name, one entry a line. */
	headerLines(name: string): string[] {
		const out: string[] = [];
		for (let i = 0; i < this.#count; i++) if (this.#is(i, name)) out.push(this.#value(i));
		return out;
	}

	/** Every value of a list header (Via, Contact, Route, Allow…), lines split at top-level commas. */
	values(name: string): string[] {
		const out: string[] = [];
		for (let i = 0; i < this.#count; i++) if (this.#is(i, name)) splitList(this.#value(i), out);
		return out;
	}

	/** Every header as [name as written, value], in order. */
	entries(): Array<[string, string]> {
		const out: Array<[string, string]> = [];
		for (let i = 0; i < this.#count; i++) {
			const k = i * 4;
			out.push([this.#text.slice(this.#index[k], this.#index[k + 1]), this.#value(i)]);
		}
		return out;
	}

	/** The raw value of header line i, with folding replaced by a single space. */
	#value(i: number): string {
		const k = i * 4;
		const v = this.#text.slice(this.#index[k + 2], this.#index[k + 3]);
		return v.indexOf("\n") < 0 ? v : v.replace(/\r?\n[ \t]+/g, " ");
	}

	/** Whether header line i has the given full name (compact forms on the wire are expanded). */
	#is(i: number, name: string): boolean {
		const text = this.#text, k = i * 4;
		const start = this.#index[k], end = this.#index[k + 1];
		if (end - start === 1) {
			const full = COMPACT[String.fromCharCode(text.charCodeAt(start) | 0x20)];
			if (full !== undefined) return sameName(full, 0, full.length, name);
		}
		return sameName(text, start, end, name);
	}
}

/** Case-insensitive compare of text[start, end) with name (ASCII letters fold). */
function sameName(text: string, start: number, end: number, name: string): boolean {
	if (end - start !== name.length) return false;
	for (let j = 0; j < name.length; j++) {
		const a = text.charCodeAt(start + j), b = name.charCodeAt(j);
		if (a !== b && ((a | 0x20) !== (b | 0x20) || (a | 0x20) < 0x61 || (a | 0x20) > 0x7a)) return false;
	}
	return true;
}

/** Splits a list header value at commas that are outside quotes and angle brackets. */
export function splitList(value: string, out: string[] = []): string[] {
	let start = 0, quoted = false, angle = false;
	for (let i = 0; i < value.length; i++) {
		const c = value.charCodeAt(i);
		if (quoted) {
			if (c === 0x5c) i++;
			else if (c === 0x22) quoted = false;
		} else if (c === 0x22) quoted = true;
		else if (c === 0x3c) angle = true;
		else if (c === 0x3e) angle = false;
		else if (c === 0x2c && !angle) {
			out.push(value.slice(start, i).trim());
			start = i + 1;
		}
	}
	out.push(value.slice(start).trim());
	return out;
}

function findHeaderEnd(bytes: Uint8Array): { end: number; body: number } {
	for (let i = 0; i + 1 < bytes.length; i++) {
		if (bytes[i] !== 10) continue;
		if (bytes[i + 1] === 10) return { end: i, body: i + 2 };
		if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return { end: i, body: i + 3 };
	}
	return { end: -1, body: -1 };
}

/**
 * Frames and indexes one datagram. Throws SipParseError when it is not a SIP message;
 * `validate()` then checks what a transaction needs.
 */
export function parseSip(data: Uint8Array): SipMessage {
	// Leading CRLFs are keep-alives or noise (RFC 3261 §7.5).
	let first = 0;
	while (first < data.length && (data[first] === 13 || data[first] === 10)) first++;
	if (first >= data.length) throw new SipParseError("empty datagram", 0);
	const bytes = first ? data.subarray(first) : data;
	const { end, body } = findHeaderEnd(bytes);
	if (end < 0) throw new SipParseError("no empty line after the header section", 0);
	if (end > 0xfff0) throw new SipParseError("header section too large", 0);
	const text = decodeUtf8(bytes.subarray(0, end));

	const lineEnd = text.indexOf("\n");
	const startText = (lineEnd < 0 ? text : text.slice(0, lineEnd)).replace(/\r$/, "");
	const startLine = splitStartLine(startText);

	let lines = 0;
	for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
	const index = new Uint16Array(lines * 4 + 4);
	let count = 0;
	let pos = lineEnd < 0 ? text.length : lineEnd + 1;
	let badHeader = "";
	while (pos < text.length) {
		let next = text.indexOf("\n", pos);
		if (next < 0) next = text.length;
		const lineStop = next > pos && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
		const c = text.charCodeAt(pos);
		if (c === 0x20 || c === 0x09) {
			// A folded continuation of the previous header.
			if (count === 0) badHeader ||= "continuation line before any header";
			else index[(count - 1) * 4 + 3] = trimEnd(text, pos, lineStop);
		} else {
			const colon = text.indexOf(":", pos);
			if (colon < 0 || colon > lineStop) {
				badHeader ||= `header line without a colon: ${JSON.stringify(text.slice(pos, Math.min(lineStop, pos + 40)))}`;
			} else {
				const nameEnd = trimEnd(text, pos, colon);
				const name = text.slice(pos, nameEnd);
				if (!TOKEN.test(name)) badHeader ||= `invalid header name ${JSON.stringify(name)}`;
				const k = count * 4;
				index[k] = pos;
				index[k + 1] = nameEnd;
				index[k + 2] = trimStart(text, colon + 1, lineStop);
				index[k + 3] = trimEnd(text, index[k + 2], lineStop);
				count++;
			}
		}
		pos = next + 1;
	}
	const message = new SipMessage(text, index, count, bytes.subarray(body), startLine ?? ["", "", ""]);
	if (!startLine) throw new SipParseError(`malformed start line ${JSON.stringify(startText.slice(0, 60))}`, 400, message);
	if (badHeader) throw new SipParseError(badHeader, 400, message);
	return frameBody(message, bytes, body);
}

function trimStart(text: string, from: number, to: number): number {
	while (from < to && (text.charCodeAt(from) === 0x20 || text.charCodeAt(from) === 0x09 || text.charCodeAt(from) === 13 || text.charCodeAt(from) === 10)) from++;
	return from;
}

function trimEnd(text: string, from: number, to: number): number {
	while (to > from && (text.charCodeAt(to - 1) === 0x20 || text.charCodeAt(to - 1) === 0x09 || text.charCodeAt(to - 1) === 13)) to--;
	return to;
}

/** Request-Line or Status-Line, split on single spaces exactly as RFC 3261 §7.1/§7.2 writes them. */
function splitStartLine(line: string): string[] | undefined {
	if (line.startsWith("SIP/")) {
		const a = line.indexOf(" ");
		if (a < 0) return undefined;
		const b = line.indexOf(" ", a + 1);
		const code = b < 0 ? line.slice(a + 1) : line.slice(a + 1, b);
		if (!/^[1-6][0-9][0-9]$/.test(code)) return undefined;
		return [line.slice(0, a), code, b < 0 ? "" : line.slice(b + 1)];
	}
	const parts = line.split(" ");
	if (parts.length !== 3 || !TOKEN.test(parts[0]) || parts[1] === "" || !/^SIP\/\d+\.\d+$/i.test(parts[2])) return undefined;
	if (/[\x00-\x20<>]/.test(parts[1])) return undefined;
	return parts;
}

/** Applies Content-Length to a datagram (RFC 3261 §18.3): extra octets are dropped, missing ones are an error. */
function frameBody(message: SipMessage, bytes: Uint8Array, body: number): SipMessage {
	const lengths = message.headerLines("content-length");
	if (lengths.length === 0) return message;
	let length = -1;
	for (const v of lengths) {
		if (!/^[0-9]{1,9}$/.test(v)) throw new SipParseError(`invalid Content-Length ${JSON.stringify(v)}`, 400, message);
		const n = Number(v);
		if (length >= 0 && n !== length) throw new SipParseError("conflicting Content-Length values", 400, message);
		length = n;
	}
	const available = bytes.length - body;
	if (length > available) throw new SipParseError(`Content-Length ${length} is longer than the ${available} octets received`, 400, message);
	if (length < available) message.limitBody(length);
	return message;
}
