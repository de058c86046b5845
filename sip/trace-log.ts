/*
 * The last SIP messages in and out, for the diagnostics on the page and its .pcap download.
 * A message is kept as `traceText` shows it (no DTMF body, no digest response) and only up to
 * the end of its headers: the page shows first lines and headers, and an SDP body would triple
 * the memory. The device has little RAM, so the log holds at most TRACE_MAX_ENTRIES messages
 * and TRACE_MAX_STORED_CHARS characters as stored, whichever comes first, dropping the oldest.
 * A message is stored packed, in two steps. A header line that the message before it has too
 * (Via, From, To, Call-ID of an answer or of the next request of a transaction) is stored as a
 * reference to that line: DEL and a character for its index. Then the header names and values
 * every SIP message repeats (CRLF + "Via: SIP/2.0/UDP ", ";branch=z9hG4bK", a digest's
 * parameter names, …) are each one control character. SIP's header text contains neither; a
 * message that has such a character is stored as it is. The names and values alone keep about
 * half the characters, the references take 29 % off that (a FRITZ!Box call's messages and
 * OPTIONS). Unpacking gives back exactly the text. The oldest message kept never refers to one
 * before it: when its predecessor is dropped, it is stored again whole (usually by putting the
 * packed text of the lines it referred to in place of the references, see `spliced`).
 */

import { traceText } from "./trace-text.js";

/** Messages kept at the most. */
export const TRACE_MAX_ENTRIES = 50;
/**
 * Characters kept at the most, over all messages as stored (packed: about 8 KB of the device's
 * heap for some 20,000 characters of SIP text, about 50 messages of a call and OPTIONS; before
 * the header lines were referenced the bound was 10,000, before packing 16,000 as shown).
 */
export const TRACE_MAX_STORED_CHARS = 8000;
/** One message's headers are cut here (a FRITZ!Box INVITE's are about 700). */
const MAX_MESSAGE_CHARS = 1200;

export interface TraceEntry {
	/** Wall-clock time in ms since 1970, 0 when the clock was not set yet. */
	time: number;
	/** Monotonic time in ms (the clock port), for ordering and when the wall clock is unknown. */
	uptime: number;
	/** true: sent by the door. */
	out: boolean;
	/** The other end. */
	address: string;
	port: number;
	/** The door's own SIP port. */
	localPort: number;
	/** First line and headers, redacted, CRLF line ends; a note where the body was. */
	text: string;
}

export interface TraceLogOptions {
	now(): number;
	wallClock(): number;
}

export class SipTraceLog {
	#o: TraceLogOptions;
	/** Oldest first. */
	#entries: TraceEntry[] = [];
	#stored = 0;
	/** The newest message's text as shown, which the next one's references point into. */
	#newest: string | undefined;
	/** Messages dropped to stay within the bounds, since start. */
	dropped = 0;

	constructor(options: TraceLogOptions) {
		this.#o = options;
	}

	/** Keeps one datagram (sent or received). */
	add(out: boolean, bytes: Uint8Array, address: string, port: number, localPort: number): void {
		const shown = headersOnly(traceText(bytes));
		const text = pack(shown, this.#entries.length ? this.#newest : undefined);
		this.#newest = shown;
		const entries = this.#entries;
		entries.push({ time: this.#o.wallClock(), uptime: this.#o.now(), out, address, port, localPort, text });
		this.#stored += text.length;
		while (entries.length > TRACE_MAX_ENTRIES || (this.#stored > TRACE_MAX_STORED_CHARS && entries.length > 1)) this.#dropOldest();
	}

	/** The kept messages, oldest first, their texts unpacked (made for each call). */
	get entries(): TraceEntry[] {
		const shown: TraceEntry[] = [];
		let before: string | undefined;
		for (const entry of this.#entries) {
			const text = unpack(entry.text, before);
			shown.push({ ...entry, text });
			before = text;
		}
		return shown;
	}

	/** Drops the oldest message; the next one, now the oldest, is stored whole if it referred to it. */
	#dropOldest(): void {
		const entries = this.#entries;
		const oldest = entries.shift()!;
		this.#stored -= oldest.text.length;
		this.dropped++;
		const next = entries[0];
		if (!next || !hasReferences(next.text)) return;
		const whole = spliced(next.text, oldest.text) ?? pack(unpack(next.text, unpack(oldest.text, undefined)), undefined);
		this.#stored += whole.length - next.text.length;
		entries[0] = { ...next, text: whole };
	}

	/** The characters kept, as stored. */
	get storedChars(): number {
		return this.#stored;
	}
}

/*
 * What a control character stands for in a packed text, by its code (0 marks a text stored as
 * it is; tab, LF and CR stand for themselves). Longer strings come first where one contains
 * another's start, since they are replaced in this order. CRLF is only ever a token's start, so
 * in a packed text each line after the first begins with a code whose token starts with CRLF.
 */
const TOKENS: readonly string[] = Object.freeze([
	"",
	"\r\nVia: SIP/2.0/UDP ",
	";branch=z9hG4bK",
	"\r\nFrom: ",
	"\r\nTo: ",
	"\r\nCall-ID: ",
	"\r\nCSeq: ",
	"\r\nContact: ",
	"\r\nMax-Forwards: ",
	"", // tab
	"", // LF
	"\r\nContent-Length: ",
	"\r\nContent-Type: application/sdp",
	"", // CR
	"\r\nUser-Agent: ",
	"\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE",
	"\r\nSupported: ",
	"\r\nExpires: ",
	"\r\nWWW-Authenticate: Digest realm=\"",
	"\r\nProxy-Authenticate: Digest realm=\"",
	"\r\nAuthorization: Digest username=\"",
	"\r\nProxy-Authorization: Digest username=\"",
	", nonce=\"",
	"\", uri=\"sip:",
	"\", response=\"(not shown)\"",
	" SIP/2.0",
	"SIP/2.0 ",
	"<sip:",
	";tag=",
	"\r\nRecord-Route: ",
	"\r\nServer: ",
	"\r\n",
]);

const CRLF = "\r\n";
/** A line stored as a reference: DEL, then the referred line's index plus FIRST_INDEX (printable, one UTF-8 byte). */
const REFERENCE = "\x7f", FIRST_INDEX = 0x20, LAST_INDEX = 0x7e;
/** The code of the token CRLF alone. */
const CRLF_TOKEN = TOKENS.indexOf(CRLF);

/** The text packed; `before` is the text of the message before it, whose lines it may refer to. */
function pack(text: string, before: string | undefined): string {
	if (hasControl(text)) return "\x00" + text;
	let packed = before === undefined ? text : referenced(text, before);
	for (let code = 1; code < TOKENS.length; code++) {
		const token = TOKENS[code];
		if (token && packed.indexOf(token) >= 0) packed = packed.split(token).join(String.fromCharCode(code));
	}
	return packed;
}

/** A control character other than tab, LF and CR, or DEL: a text with one is stored as it is. */
function hasControl(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 ? code !== 0x09 && code !== 0x0a && code !== 0x0d : code === 0x7f) return true;
	}
	return false;
}

/**
 * Each header line that `before` has too (and longer than a reference) as a reference to it.
 * The message before is kept as its text, not its lines: between datagrams that is one string
 * in the device's heap instead of an array and a string per line.
 */
function referenced(text: string, before: string): string {
	const lines = text.split(CRLF);
	const earlier = before.split(CRLF);
	for (let i = 1; i < lines.length; i++) {
		const line = lines[i];
		if (line.length <= 2) continue;
		const index = earlier.indexOf(line);
		if (index >= 0 && FIRST_INDEX + index <= LAST_INDEX) lines[i] = REFERENCE + String.fromCharCode(FIRST_INDEX + index);
	}
	return lines.join(CRLF);
}

/** The text as shown; `before` is the text of the message before it (undefined for the oldest). */
function unpack(packed: string, before: string | undefined): string {
	if (packed.charCodeAt(0) === 0) return packed.slice(1);
	let text = "";
	let from = 0;
	for (let i = 0; i < packed.length; i++) {
		const code = packed.charCodeAt(i);
		if (code >= TOKENS.length || !TOKENS[code]) continue;
		text += packed.slice(from, i) + TOKENS[code];
		from = i + 1;
	}
	text += packed.slice(from);
	if (before === undefined || text.indexOf(REFERENCE) < 0) return text;
	const lines = text.split(CRLF);
	const earlier = before.split(CRLF);
	for (let i = 1; i < lines.length; i++) {
		const line = lines[i];
		if (line.length === 2 && line.charAt(0) === REFERENCE) lines[i] = earlier[line.charCodeAt(1) - FIRST_INDEX];
	}
	return lines.join(CRLF);
}

/** Whether `code` in a packed text stands for a token that starts a line (one starting with CRLF). */
function startsLine(code: number): boolean {
	return code < TOKENS.length && TOKENS[code].startsWith(CRLF);
}

/** The codes for which startsLine holds, as one string. */
const LINE_STARTS = TOKENS.map((_, code) => (startsLine(code) ? String.fromCharCode(code) : "")).join("");

/**
 * Where each line's packed text starts: at one of LINE_STARTS. Made where it is used, as every
 * RegExp of a preloaded module (a split by RegExp costs a fifth fewer computrons than a
 * character loop here, and holds fewer slots).
 */
const LINE_START = (): RegExp => new RegExp(`(?=[${LINE_STARTS}])`);

/**
 * `packed` stored whole, without unpacking and packing again, when its references all point to
 * lines after the first of `before`, and `before` is packed without references and its first
 * line is not empty (split at the line starts, it then gives one piece a line): each reference
 * (CRLF token, DEL, index) becomes the referred line's packed text in `before`, which is what
 * packing the line gives, since no token reaches across a CRLF. Undefined otherwise (then the
 * caller unpacks and packs again).
 */
function spliced(packed: string, before: string): string | undefined {
	const first = before.charCodeAt(0);
	if (first === 0 || startsLine(first) || hasReferences(before)) return undefined;
	const lines = before.split(LINE_START());
	let whole = "", from = 0;
	for (let at = packed.indexOf(REFERENCE); at >= 0; at = packed.indexOf(REFERENCE, at + 2)) {
		const index = packed.charCodeAt(at + 1) - FIRST_INDEX;
		if (index < 1 || index >= lines.length || packed.charCodeAt(at - 1) !== CRLF_TOKEN) return undefined;
		whole += packed.slice(from, at - 1) + lines[index];
		from = at + 2;
	}
	return whole + packed.slice(from);
}

function hasReferences(packed: string): boolean {
	return packed.charCodeAt(0) !== 0 && packed.indexOf(REFERENCE) >= 0;
}

/** The first line and headers of a trace text, with the body's size in a note. */
function headersOnly(text: string): string {
	let end = text.indexOf("\r\n\r\n");
	let gap = 4;
	if (end < 0) {
		end = text.indexOf("\n\n");
		gap = 2;
	}
	let head = end < 0 ? text : text.slice(0, end);
	const body = end < 0 ? 0 : text.length - end - gap;
	if (head.length > MAX_MESSAGE_CHARS) head = head.slice(0, MAX_MESSAGE_CHARS) + "\r\n[headers cut]";
	if (body <= 0) return head + "\r\n\r\n";
	// traceText's own note where it left a DTMF body out; the body's size otherwise.
	const rest = text.slice(end + gap);
	const note = rest.startsWith("[body of ") && rest.endsWith("it may carry DTMF]") ? rest : `[body of ${body} characters not kept]`;
	return head + "\r\n\r\n" + note;
}
