/*
 * The last SIP messages in and out, for the diagnostics on the page and its .pcap download.
 * A message is kept as `traceText` shows it (no DTMF body, no digest response) and only up to
 * the end of its headers: the page shows first lines and headers, and an SDP body would triple
 * the memory. The device has little RAM, so the log holds at most TRACE_MAX_ENTRIES messages
 * and TRACE_MAX_STORED_CHARS characters as stored, whichever comes first, dropping the oldest.
 * A message is stored packed: the header names and values every SIP message repeats (CRLF +
 * "Via: SIP/2.0/UDP ", ";branch=z9hG4bK", a digest's parameter names, …) are each one control
 * character, which SIP's header text never contains; this keeps about half the characters. A
 * message that has such a character is stored as it is. Unpacking gives back exactly the text.
 */

import { traceText } from "./trace-text.js";

/** Messages kept at the most. */
export const TRACE_MAX_ENTRIES = 50;
/**
 * Characters kept at the most, over all messages as stored (packed: about 10 KB of the device's
 * heap for some 20,000 characters of SIP text; before packing the bound was 16,000 as shown).
 */
export const TRACE_MAX_STORED_CHARS = 10000;
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
	/** Messages dropped to stay within the bounds, since start. */
	dropped = 0;

	constructor(options: TraceLogOptions) {
		this.#o = options;
	}

	/** Keeps one datagram (sent or received). */
	add(out: boolean, bytes: Uint8Array, address: string, port: number, localPort: number): void {
		const text = pack(headersOnly(traceText(bytes)));
		const entries = this.#entries;
		entries.push({ time: this.#o.wallClock(), uptime: this.#o.now(), out, address, port, localPort, text });
		this.#stored += text.length;
		while (entries.length > TRACE_MAX_ENTRIES || (this.#stored > TRACE_MAX_STORED_CHARS && entries.length > 1)) {
			this.#stored -= entries.shift()!.text.length;
			this.dropped++;
		}
	}

	/** The kept messages, oldest first, their texts unpacked (made for each call). */
	get entries(): TraceEntry[] {
		return this.#entries.map(unpacked);
	}

	/** The characters kept, as stored. */
	get storedChars(): number {
		return this.#stored;
	}
}

/*
 * What a control character stands for in a packed text, by its code (0 marks a text stored as
 * it is; tab, LF and CR stand for themselves). Longer strings come first where one contains
 * another's start, since they are replaced in this order.
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

/** A control character other than tab, LF and CR: a text with one is stored as it is. */
const CONTROL = (): RegExp => /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

function pack(text: string): string {
	if (CONTROL().test(text)) return "\x00" + text;
	let packed = text;
	for (let code = 1; code < TOKENS.length; code++) {
		const token = TOKENS[code];
		if (token) packed = packed.split(token).join(String.fromCharCode(code));
	}
	return packed;
}

function unpack(packed: string): string {
	if (packed.charCodeAt(0) === 0) return packed.slice(1);
	let text = "";
	let from = 0;
	for (let i = 0; i < packed.length; i++) {
		const code = packed.charCodeAt(i);
		if (code >= TOKENS.length || !TOKENS[code]) continue;
		text += packed.slice(from, i) + TOKENS[code];
		from = i + 1;
	}
	return text + packed.slice(from);
}

function unpacked(entry: TraceEntry): TraceEntry {
	return { ...entry, text: unpack(entry.text) };
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
