/*
 * The last SIP messages in and out, for the diagnostics on the page and its .pcap download.
 * A message is kept as `traceText` shows it (no DTMF body, no digest response) and only up to
 * the end of its headers: the page shows first lines and headers, and an SDP body would triple
 * the memory. The device has little RAM, so the log holds at most MAX_ENTRIES messages and
 * MAX_CHARS characters of text, whichever comes first, dropping the oldest.
 */

import { traceText } from "./trace-text.js";

/** Messages kept at the most. */
export const TRACE_MAX_ENTRIES = 50;
/** Characters kept at the most, over all messages (about 16 KB of the device's heap). */
export const TRACE_MAX_CHARS = 16000;
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
	#chars = 0;
	/** Messages dropped to stay within the bounds, since start. */
	dropped = 0;

	constructor(options: TraceLogOptions) {
		this.#o = options;
	}

	/** Keeps one datagram (sent or received). */
	add(out: boolean, bytes: Uint8Array, address: string, port: number, localPort: number): void {
		const text = headersOnly(traceText(bytes));
		const entries = this.#entries;
		entries.push({ time: this.#o.wallClock(), uptime: this.#o.now(), out, address, port, localPort, text });
		this.#chars += text.length;
		while (entries.length > TRACE_MAX_ENTRIES || (this.#chars > TRACE_MAX_CHARS && entries.length > 1)) {
			this.#chars -= entries.shift()!.text.length;
			this.dropped++;
		}
	}

	/** The kept messages, oldest first (the array is the log's own: do not change it). */
	get entries(): readonly TraceEntry[] {
		return this.#entries;
	}
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
