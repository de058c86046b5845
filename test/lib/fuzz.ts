/*
 * A mutation fuzzer for what the door reads from the network: SIP datagrams (parser, validator,
 * the answers built from them, INFO digits, digest challenges), SDP bodies (parser, offer/answer)
 * and RTP packets (header parser, telephone-events). Portable: the bounded run in
 * test/core/fuzz.spec.ts runs it on Node and inside XS, and `npm run fuzz` (scripts/fuzz.ts) runs
 * it long on V8 and through the XS test host.
 *
 * Inputs grow from seeds (the RFC 4475 messages and the FRITZ!Box messages of the tests) by
 * mutations, truncations and splices, from a seeded generator: the same seed gives the same
 * inputs on every engine. Each input is counted as one of
 *   - an unexpected exception: anything thrown but the parser's own SipParseError / SdpError;
 *   - an invariant break: a result that contradicts the input or the layers above (see below);
 *   - slow: taking longer than SLOW_MS twice in a row (only when a clock is given; no test
 *     asserts on time).
 *
 * Invariants, SIP: a request line has a method token, a URI and a version without spaces; a
 * status is 100-699; every header value has no CR or LF and no surrounding blanks; the body is
 * a view into the datagram and its length is the Content-Length when one is given; whatever
 * inspect() accepts has a Call-ID of visible characters equal to the header, a CSeq number below
 * 2^32 and its method, a top Via with a host; written again (start line, the headers the UA
 * reads, the body) it parses to the same facts; a 200 answer to an accepted request parses and
 * passes inspect() with the same Call-ID, CSeq and Vias; an INFO digit is one of 0-9 * # A-D; a
 * digest challenge's realm and nonce hold no CR or LF. SDP: every connection address is a
 * dotted-quad IPv4 address, an IPv6 address or a host name; ports are 0-65535; an answer the
 * door would send parses again, and the address it would send RTP to is a dotted-quad IPv4
 * address (or none). RTP: the parse reads only the datagram's own bytes (the same verdict with
 * other bytes behind it in the buffer), the payload lies within the datagram after the 12-byte
 * header and the CSRCs, the fields are in range, and a telephone-event gives one of 0-9 * # A-D.
 */

import { parseSip, SipParseError, type SipMessage } from "../../sip/message.js";
import { inspect, type Essentials } from "../../sip/validate.js";
import { buildResponse } from "../../sip/serializer.js";
import { parseInfoDtmf } from "../../sip/info-dtmf.js";
import { parseChallenge } from "../../sip/digest.js";
import { parseSdp, answerOffer, SdpError, type SessionDescription } from "../../sip/sdp.js";
import { parseRtp, RtpHeader, RTP_OK, RTP_TOO_SHORT, RTP_BAD_VERSION, RTP_CSRC_OVERRUN, RTP_EXTENSION_OVERRUN, RTP_PADDING_ZERO, RTP_PADDING_OVERRUN, RTP_RTCP, writeRtpHeader } from "../../rtp/rtp-packet.js";
import { TelephoneEventDetector, writeTelephoneEvent, DTMF_DIGITS } from "../../rtp/telephone-event.js";
import { decodeUtf8, encodeUtf8 } from "../../modules/text.js";
import { FRITZBOX_MESSAGES } from "./fritzbox-messages.js";

export type FuzzTarget = "sip" | "sdp" | "rtp";
export const FUZZ_TARGETS: readonly FuzzTarget[] = ["sip", "sdp", "rtp"];

/** An input slower than this (ms) is a finding of its own. */
export const SLOW_MS = 50;
/** Inputs never grow beyond this (a datagram is at most 64 KB; the door's receive buffer 1,500 bytes for RTP). */
const MAX_INPUT = 8192;
/** The RTP receive buffer's size on the door. */
const RTP_BUFFER = 1500;

export type FindingKind = "exception" | "invariant" | "slow";

export interface Finding {
	target: FuzzTarget;
	kind: FindingKind;
	/** The input's number in its run. */
	index: number;
	detail: string;
	ms: number;
	input: Uint8Array;
}

export interface FuzzReport {
	target: FuzzTarget;
	seed: number;
	inputs: number;
	exceptions: number;
	invariantBreaks: number;
	slow: number;
	/** The slowest input's time (ms; 0 without a clock). */
	maxMs: number;
	/** Inputs the code under test accepted (parsed, or a usable RTP packet). */
	accepted: number;
	/** The first findings, with their inputs (at most `keep`). */
	findings: Finding[];
}

export interface FuzzOptions {
	target: FuzzTarget;
	seed: number;
	count: number;
	/** The seed inputs (see fuzzSeeds). */
	seeds: readonly Uint8Array[];
	/** A millisecond clock; without one nothing is timed. */
	now?: () => number;
	/** How many findings to keep with their inputs (default 20). */
	keep?: number;
}

/** xorshift32, seeded: the same numbers on every engine. */
export class FuzzRandom {
	#state: number;

	constructor(seed: number) {
		this.#state = (seed >>> 0) || 0x9e3779b9;
		for (let i = 0; i < 4; i++) this.next();
	}

	next(): number {
		let x = this.#state;
		x ^= x << 13;
		x >>>= 0;
		x ^= x >>> 17;
		x ^= x << 5;
		this.#state = x >>> 0;
		return this.#state;
	}

	/** 0 … n-1. */
	below(n: number): number {
		return n <= 1 ? 0 : this.next() % n;
	}

	chance(percent: number): boolean {
		return this.below(100) < percent;
	}
}

/** A run's seed for batch `batch` (so that a long run can go in pieces and still be repeated). */
export function batchSeed(seed: number, batch: number): number {
	let h = (seed ^ Math.imul(batch + 1, 0x9e3779b1)) >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
	return (h ^ (h >>> 16)) >>> 0;
}

// ---- seeds ------------------------------------------------------------------------------

function latin1Bytes(text: string): Uint8Array {
	const out = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
	return out;
}

function rtpSeed(payloadType: number, payload: number, options: { csrc?: number; extension?: number; padding?: number; marker?: boolean } = {}): Uint8Array {
	const csrc = options.csrc ?? 0, ext = options.extension ?? -1, pad = options.padding ?? 0;
	const length = 12 + 4 * csrc + (ext >= 0 ? 4 + 4 * ext : 0) + payload + pad;
	const bytes = new Uint8Array(length);
	writeRtpHeader(bytes, options.marker ?? false, payloadType, 0x1234, 0x89abcdef, 0x01020304);
	bytes[0] |= csrc | (ext >= 0 ? 0x10 : 0) | (pad ? 0x20 : 0);
	let at = 12 + 4 * csrc;
	if (ext >= 0) {
		bytes[at] = 0xbe;
		bytes[at + 1] = 0xde;
		bytes[at + 3] = ext;
		at += 4 + 4 * ext;
	}
	if (payloadType === 101) writeTelephoneEvent(bytes, at, 5, false, 10, 160);
	else for (let i = 0; i < payload; i++) bytes[at + i] = 0xff - (i & 0x7f);
	if (pad) bytes[length - 1] = pad;
	return bytes;
}

/**
 * The seed inputs of each target: the RFC 4475 messages (as their latin1 bytes) and the
 * FRITZ!Box messages for SIP; the SDP bodies of both for SDP; RTP packets as the door meets
 * them (PCMU and PCMA frames of 10, 20 and 30 ms, telephone-events, CSRCs, a header
 * extension, padding, an RTCP report on the RTP port).
 */
export function fuzzSeeds(rfc4475: ReadonlyArray<{ data: string }>): Record<FuzzTarget, Uint8Array[]> {
	const sip = [...rfc4475.map((m) => latin1Bytes(m.data)), ...FRITZBOX_MESSAGES.map((m) => encodeUtf8(m))];
	const sdp: Uint8Array[] = [];
	for (const bytes of sip) {
		const text = decodeUtf8(bytes);
		const at = text.indexOf("\r\n\r\nv=0");
		if (at >= 0) sdp.push(encodeUtf8(text.slice(at + 4)));
	}
	const rtcp = new Uint8Array([0x80, 200, 0, 6, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
	const rtp = [
		rtpSeed(0, 160, { marker: true }), rtpSeed(8, 80), rtpSeed(0, 240), rtpSeed(101, 4), rtpSeed(101, 4, { marker: true }),
		rtpSeed(0, 160, { csrc: 2 }), rtpSeed(8, 160, { extension: 1 }), rtpSeed(0, 156, { padding: 4 }), rtpSeed(0, 0), rtcp,
	];
	return { sip, sdp, rtp };
}

// ---- mutations --------------------------------------------------------------------------

/** Bytes that matter to the parsers. */
const INTERESTING = [0, 9, 10, 13, 32, 34, 35, 42, 44, 47, 48, 49, 57, 58, 59, 60, 61, 62, 63, 64, 92, 127, 128, 0xc3, 0xe2, 0xef, 0xff];
/** Pieces of SIP and SDP text worth inserting. */
const TOKENS = [
	"\r\n", "\n", "\r\n\r\n", "\r\n ", "\r\n\t", ":", ";", ",", "\"", "<", ">", "@", "=", " ", "\\", "%00", "SIP/2.0", "SIP/2.0 200 OK",
	"INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "INFO", "Via: SIP/2.0/UDP ", ";branch=z9hG4bK", ";rport", ";received=", ";tag=", ";lr",
	"Content-Length: ", "l: ", "Content-Type: application/sdp", "Call-ID: ", "CSeq: 1 INVITE", "From: ", "To: ", "Contact: ", "Max-Forwards: ",
	"sip:", "sips:", "tel:", "*", "**610", "Digest realm=\"", "nonce=\"", "qop=\"auth\"", "Signal=", "application/dtmf-relay",
	"v=0", "o=- 0 0 IN IP4 ", "c=IN IP4 ", "c=IN IP6 ", "m=audio ", " RTP/AVP ", "a=rtpmap:", "a=fmtp:", "a=sendonly", "a=inactive", "/8000",
	"127.0.0.1", "0.0.0.0", "255.255.255.255", "999.1.1.1", "::1", "fritz.box", "-", "+", "0x10",
];
/** Numbers worth putting where a number was. */
const NUMBERS = ["0", "1", "-1", "00", "007", "255", "256", "65535", "65536", "2147483647", "2147483648", "4294967295", "4294967296", "999999999", "1000000000", "1e3", "1.5", "99999999999999999999", ""];

function concat(...parts: Uint8Array[]): Uint8Array {
	let length = 0;
	for (const p of parts) length += p.length;
	const out = new Uint8Array(Math.min(length, MAX_INPUT));
	let at = 0;
	for (const p of parts) {
		const n = Math.min(p.length, out.length - at);
		out.set(p.subarray(0, n), at);
		at += n;
		if (at >= out.length) break;
	}
	return out;
}

/** Offsets just after each LF (line starts), and the input's length. */
function lineStarts(input: Uint8Array): number[] {
	const out = [0];
	for (let i = input.indexOf(10); i >= 0 && out.length < 512; i = input.indexOf(10, i + 1)) out.push(i + 1);
	return out;
}

/** One mutation of `input`; `other` is another seed (for splices). */
function mutateOnce(random: FuzzRandom, input: Uint8Array, other: Uint8Array, textual: boolean): Uint8Array {
	const n = input.length;
	const at = random.below(n + 1);
	switch (random.below(textual ? 14 : 9)) {
		case 0: {
			// Flip one bit.
			if (n === 0) return input;
			const out = input.slice();
			out[random.below(n)] ^= 1 << random.below(8);
			return out;
		}
		case 1: {
			// Replace a byte with one that matters.
			if (n === 0) return input;
			const out = input.slice();
			out[random.below(n)] = random.chance(70) ? INTERESTING[random.below(INTERESTING.length)] : random.below(256);
			return out;
		}
		case 2:
			// Truncate.
			return input.subarray(0, random.below(n + 1)).slice();
		case 3: {
			// Delete a run.
			const length = 1 + random.below(random.chance(80) ? 8 : 64);
			return concat(input.subarray(0, at), input.subarray(Math.min(n, at + length)));
		}
		case 4: {
			// Duplicate a run in place.
			const length = 1 + random.below(random.chance(80) ? 16 : 256);
			return concat(input.subarray(0, at), input.subarray(at, at + length), input.subarray(at));
		}
		case 5: {
			// Insert random bytes.
			const extra = new Uint8Array(1 + random.below(8));
			for (let i = 0; i < extra.length; i++) extra[i] = random.chance(50) ? INTERESTING[random.below(INTERESTING.length)] : random.below(256);
			return concat(input.subarray(0, at), extra, input.subarray(at));
		}
		case 6: {
			// Splice: this input's head with another seed's tail.
			const from = random.below(other.length + 1);
			return concat(input.subarray(0, at), other.subarray(from));
		}
		case 7: {
			// Overwrite a run with another seed's bytes.
			const from = random.below(other.length + 1);
			const piece = other.subarray(from, from + 1 + random.below(32));
			const out = input.slice();
			out.set(piece.subarray(0, Math.max(0, n - at)), Math.min(at, n));
			return out;
		}
		case 8: {
			// A run of one byte (long lines, many CSRCs, long numbers).
			const run = new Uint8Array(1 + random.below(random.chance(90) ? 64 : 2048));
			run.fill(random.chance(50) ? INTERESTING[random.below(INTERESTING.length)] : random.below(256));
			return concat(input.subarray(0, at), run, input.subarray(at));
		}
		case 9:
			// Insert a token.
			return concat(input.subarray(0, at), encodeUtf8(TOKENS[random.below(TOKENS.length)]), input.subarray(at));
		case 10: {
			// Replace a number.
			const digits: number[] = [];
			for (let i = 0; i < n; i++) if (input[i] >= 48 && input[i] <= 57 && (i === 0 || input[i - 1] < 48 || input[i - 1] > 57)) digits.push(i);
			if (digits.length === 0) return input;
			const start = digits[random.below(digits.length)];
			let end = start;
			while (end < n && input[end] >= 48 && input[end] <= 57) end++;
			return concat(input.subarray(0, start), encodeUtf8(NUMBERS[random.below(NUMBERS.length)]), input.subarray(end));
		}
		case 11: {
			// Delete, duplicate or move a whole line.
			const starts = lineStarts(input);
			const i = random.below(starts.length);
			const start = starts[i], end = i + 1 < starts.length ? starts[i + 1] : n;
			const line = input.subarray(start, end);
			const rest = concat(input.subarray(0, start), input.subarray(end));
			const kind = random.below(3);
			if (kind === 0) return rest;
			const target = kind === 1 ? start : starts[random.below(starts.length)];
			return target <= rest.length ? concat(rest.subarray(0, target), line, rest.subarray(target)) : concat(rest, line);
		}
		case 12: {
			// Splice whole lines: a line of another seed in place of one of this.
			const mine = lineStarts(input), theirs = lineStarts(other);
			const i = random.below(mine.length), j = random.below(theirs.length);
			const end = i + 1 < mine.length ? mine[i + 1] : n;
			const otherEnd = j + 1 < theirs.length ? theirs[j + 1] : other.length;
			return concat(input.subarray(0, mine[i]), other.subarray(theirs[j], otherEnd), input.subarray(end));
		}
		default: {
			// Line ends: CRLF to LF or bare CR, or LF to CRLF.
			const out: number[] = [];
			const mode = random.below(3);
			for (let i = 0; i < n; i++) {
				const c = input[i];
				if (mode === 0 && c === 13 && input[i + 1] === 10 && random.chance(50)) continue;
				if (mode === 1 && c === 10 && random.chance(30)) {
					out.push(13);
					continue;
				}
				if (mode === 2 && c === 10 && input[i - 1] !== 13 && random.chance(50)) out.push(13);
				out.push(c);
			}
			return new Uint8Array(out.slice(0, MAX_INPUT));
		}
	}
}

/** Input number `index` of a run: a seed with one to five mutations (stacked). */
export function fuzzInput(random: FuzzRandom, seeds: readonly Uint8Array[], textual: boolean): Uint8Array {
	let input = seeds[random.below(seeds.length)];
	const rounds = 1 + random.below(random.chance(75) ? 2 : 5);
	for (let i = 0; i < rounds; i++) input = mutateOnce(random, input, seeds[random.below(seeds.length)], textual);
	return input;
}

// ---- invariants -------------------------------------------------------------------------

/** Raised for a broken invariant (never by the code under test). */
class Broken extends Error {}

function check(ok: boolean, what: string): void {
	if (!ok) throw new Broken(what);
}

const CR_LF = /[\r\n]/;
const BLANK_EDGE = /^[ \t]|[ \t]$/;
const VISIBLE = /^[\x21-\x7e]+$/;
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** No space and no control character (what the parser refuses in a Request-URI). */
const NO_SPACE = /^[^\x00-\x20]+$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
// No nested or counted repetition (exponential on XS).
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9][A-Za-z0-9-]*)*\.?$/;
/** Header names the UA reads (compact forms are asked for by their full names). */
const READ_HEADERS = ["via", "from", "to", "call-id", "cseq", "contact", "content-length", "content-type", "max-forwards", "record-route", "route", "expires", "min-expires", "www-authenticate", "proxy-authenticate", "require", "supported", "allow", "event", "reason"];
/** Full names of the compact forms (RFC 3261 §7.3.3), for names read from the input itself. */
const COMPACT_NAMES: Record<string, string> = { i: "call-id", m: "contact", e: "content-encoding", l: "content-length", c: "content-type", f: "from", s: "subject", k: "supported", t: "to", v: "via" };

/** The header names of the input as written (an independent reading of its header section). */
function namesIn(text: string): string[] {
	const end = text.indexOf("\n\r\n") >= 0 ? text.indexOf("\n\r\n") : text.indexOf("\n\n");
	const names = new Set<string>(READ_HEADERS);
	const lines = text.slice(0, end < 0 ? text.length : end).split("\n");
	for (let i = 1; i < lines.length && names.size < 64; i++) {
		const colon = lines[i].indexOf(":");
		if (colon < 0) continue;
		const name = lines[i].slice(0, colon).trim().toLowerCase();
		if (TOKEN.test(name)) names.add(COMPACT_NAMES[name] ?? name);
	}
	return [...names];
}

function sameEssentials(a: Essentials, b: Essentials): string {
	if (a.callId !== b.callId) return "Call-ID";
	if (a.cseq.seq !== b.cseq.seq || a.cseq.method !== b.cseq.method) return "CSeq";
	if (a.fromTag !== b.fromTag) return "From tag";
	if (a.toTag !== b.toTag) return "To tag";
	if (a.via.host !== b.via.host || a.via.port !== b.via.port || a.via.branch !== b.via.branch) return "top Via";
	return "";
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

/** Parses and inspects; undefined when the stack refuses it (SipParseError), any other error passes through. */
function accept(bytes: Uint8Array): { message: SipMessage; essentials: Essentials } | undefined {
	let message: SipMessage;
	try {
		message = parseSip(bytes);
	} catch (error) {
		if (error instanceof SipParseError) return undefined;
		throw error;
	}
	try {
		return { message, essentials: inspect(message) };
	} catch (error) {
		if (error instanceof SipParseError) return undefined;
		throw error;
	}
}

/** The message written again from what was parsed: the start line, the headers the UA reads, the body. */
function rewrite(m: SipMessage): Uint8Array {
	const lines = [m.isRequest ? `${m.method} ${m.uri} ${m.version}` : `${m.version} ${m.status} ${m.reason}`];
	for (const name of ["via", "from", "to", "call-id", "cseq", "contact", "max-forwards", "content-type"]) {
		for (const value of m.headerLines(name)) lines.push(`${name}: ${value}`);
	}
	lines.push(`Content-Length: ${m.bodyBytes.length}`, "", "");
	const head = encodeUtf8(lines.join("\r\n"));
	const out = new Uint8Array(head.length + m.bodyBytes.length);
	out.set(head);
	out.set(m.bodyBytes, head.length);
	return out;
}

/** SIP: parse, inspect and what follows from them. Returns whether the stack accepted the input. */
function sipInvariants(bytes: Uint8Array): boolean {
	let message: SipMessage;
	try {
		message = parseSip(bytes);
	} catch (error) {
		if (error instanceof SipParseError) return false;
		throw error;
	}
	const m = message;
	if (m.isRequest) {
		check(m.method !== "" && TOKEN.test(m.method), `method ${JSON.stringify(m.method)} is not a token`);
		check(m.uri !== "" && NO_SPACE.test(m.uri), `Request-URI ${JSON.stringify(m.uri)} is empty or holds a blank`);
		check(NO_SPACE.test(m.version), `version ${JSON.stringify(m.version)}`);
	} else {
		check(m.status >= 100 && m.status <= 699 && Math.floor(m.status) === m.status, `status ${m.status}`);
		check(!CR_LF.test(m.reason), "reason phrase holds CR or LF");
	}
	// The body is a view of the datagram's own bytes.
	const body = m.bodyBytes;
	check(body.buffer === bytes.buffer && body.byteOffset >= bytes.byteOffset && body.byteOffset + body.length <= bytes.byteOffset + bytes.length, "the body lies outside the datagram");
	const text = decodeUtf8(bytes);
	for (const name of namesIn(text)) {
		for (const value of m.headerLines(name)) {
			check(!CR_LF.test(value), `${name} value ${JSON.stringify(value.slice(0, 60))} holds CR or LF`);
			check(!BLANK_EDGE.test(value), `${name} value ${JSON.stringify(value.slice(0, 60))} keeps blanks at its edge`);
		}
	}
	const lengths = m.headerLines("content-length");
	if (lengths.length) {
		for (const value of lengths) check(Number(value) === body.length, `Content-Length ${JSON.stringify(value)} but a body of ${body.length} octets`);
	}
	let essentials: Essentials;
	try {
		essentials = inspect(m);
	} catch (error) {
		if (error instanceof SipParseError) return true;
		throw error;
	}
	// What inspect() accepted, the parser read.
	const e = essentials;
	check(VISIBLE.test(e.callId) && e.callId === m.header("call-id"), `Call-ID ${JSON.stringify(e.callId)}`);
	check(Number.isInteger(e.cseq.seq) && e.cseq.seq >= 0 && e.cseq.seq < 2 ** 32, `CSeq number ${e.cseq.seq}`);
	check(TOKEN.test(e.cseq.method) && (!m.isRequest || e.cseq.method === m.method), `CSeq method ${JSON.stringify(e.cseq.method)}`);
	check(e.via.host !== "" && NO_SPACE.test(e.via.host), `top Via host ${JSON.stringify(e.via.host)}`);
	check(!CR_LF.test(e.fromTag) && !CR_LF.test(e.toTag), "a tag holds CR or LF");
	// Written again, it reads the same.
	const again = accept(rewrite(m));
	check(again !== undefined, "written again from what was parsed, it is refused");
	const differs = sameEssentials(e, again!.essentials);
	check(differs === "", `written again, its ${differs} differs`);
	check(sameBytes(again!.message.bodyBytes, body), "written again, its body differs");
	check(again!.message.method === m.method && again!.message.uri === m.uri && again!.message.status === m.status, "written again, its start line differs");
	if (m.isRequest && m.method !== "ACK") {
		// The answer the door would send parses and matches.
		const answer = accept(buildResponse(m, 200, "OK", { toTag: "fuzz" }));
		check(answer !== undefined, "the 200 answer to it does not parse");
		check(answer!.essentials.callId === e.callId && answer!.essentials.cseq.seq === e.cseq.seq && answer!.essentials.cseq.method === e.cseq.method, "the answer's Call-ID or CSeq differs");
		const vias = m.headerLines("via"), answered = answer!.message.headerLines("via");
		check(vias.length === answered.length && vias.every((v, i) => v === answered[i]), "the answer's Vias differ");
		if (m.method === "INFO") {
			const digit = parseInfoDtmf(m.header("content-type") ?? "", m.body);
			check(digit === undefined || (digit.length === 1 && DTMF_DIGITS.includes(digit)), `INFO digit ${JSON.stringify(digit)}`);
		}
	}
	for (const [name, proxy] of [["www-authenticate", false], ["proxy-authenticate", true]] as const) {
		const value = m.header(name);
		if (value === undefined) continue;
		const challenge = parseChallenge(value, proxy);
		if (challenge) check(!CR_LF.test(challenge.realm) && !CR_LF.test(challenge.nonce) && challenge.nonce !== "", "a digest challenge's realm or nonce");
	}
	return true;
}

function wellFormedAddress(address: string): boolean {
	return IPV4.test(address) || (IPV6.test(address) && address.includes(":")) || HOST_NAME.test(address);
}

const LOCAL = { address: "127.0.0.1", port: 40000, sessionId: 1, sessionVersion: 1 };

/** SDP: parse, then the answer the door would give. */
function sdpInvariants(bytes: Uint8Array): boolean {
	const text = decodeUtf8(bytes);
	let sdp: SessionDescription;
	try {
		sdp = parseSdp(text);
	} catch (error) {
		if (error instanceof SdpError) return false;
		throw error;
	}
	if (sdp.connection !== undefined) check(wellFormedAddress(sdp.connection), `session c= address ${JSON.stringify(sdp.connection.slice(0, 60))}`);
	for (const media of sdp.media) {
		check(Number.isInteger(media.port) && media.port >= 0 && media.port <= 65535, `m= port ${media.port}`);
		if (media.connection !== undefined) check(wellFormedAddress(media.connection), `media c= address ${JSON.stringify(media.connection.slice(0, 60))}`);
		for (const [pt] of media.rtpmap) check(Number.isInteger(pt) && pt >= 0, `rtpmap payload type ${pt}`);
	}
	const answer = answerOffer(sdp, LOCAL);
	if ("sdp" in answer) {
		let again: SessionDescription | undefined;
		try {
			again = parseSdp(answer.sdp);
		} catch (error) {
			if (!(error instanceof SdpError)) throw error;
		}
		check(again !== undefined, "the door's answer does not parse");
		const to = answer.media.remoteAddress;
		check(to === "" || IPV4.test(to), `the door would send RTP to ${JSON.stringify(to.slice(0, 60))}`);
		check(Number.isInteger(answer.media.remotePort) && answer.media.remotePort > 0 && answer.media.remotePort <= 65535, `the door would send RTP to port ${answer.media.remotePort}`);
		check(answer.media.payloadType === 0 || answer.media.payloadType === 8 || sdp.media.some((x) => x.rtpmap.has(answer.media.payloadType)), `payload type ${answer.media.payloadType}`);
		// Its answer reuses the offer's numbers, so it takes what it sends with.
		check(answer.media.receivePayloadType === answer.media.payloadType, `payload type ${answer.media.payloadType} sent, ${answer.media.receivePayloadType} taken`);
	}
	return true;
}

const VERDICTS = [RTP_OK, RTP_TOO_SHORT, RTP_BAD_VERSION, RTP_CSRC_OVERRUN, RTP_EXTENSION_OVERRUN, RTP_PADDING_ZERO, RTP_PADDING_OVERRUN, RTP_RTCP];

/** Reusable buffers of the RTP checks (as the door's receive buffer is made once). */
class RtpScratch {
	buffer = new Uint8Array(RTP_BUFFER);
	header = new RtpHeader();
	other = new RtpHeader();
	detector = new TelephoneEventDetector();
}

function rtpInvariants(bytes: Uint8Array, scratch: RtpScratch, index: number): boolean {
	// The door parses each datagram in its receive buffer; behind it lie older bytes (here a
	// pattern from the input's number, so that timing an input again changes nothing).
	const length = Math.min(bytes.length, RTP_BUFFER);
	const buffer = scratch.buffer;
	buffer.set(bytes.subarray(0, length));
	let x = Math.imul(index + 1, 0x9e3779b1) >>> 0;
	for (let i = length; i < Math.min(RTP_BUFFER, length + 64); i++) {
		x = (Math.imul(x, 1103515245) + 12345) >>> 0;
		buffer[i] = x >>> 24;
	}
	const h = scratch.header;
	const verdict = parseRtp(buffer, length, h);
	check(VERDICTS.includes(verdict), `verdict ${JSON.stringify(verdict)}`);
	// The same datagram alone gives the same verdict and fields: only its own bytes were read.
	const alone = bytes.slice(0, length);
	const o = scratch.other;
	const again = parseRtp(alone, length, o);
	check(again === verdict, `the verdict depends on bytes behind the datagram (${JSON.stringify(verdict)} / ${JSON.stringify(again)})`);
	if (verdict !== RTP_OK) return false;
	check(h.payloadOffset === o.payloadOffset && h.payloadLength === o.payloadLength, "the payload depends on bytes behind the datagram");
	check(h.version === 2 && h.payloadType >= 0 && h.payloadType <= 127 && (h.payloadType < 72 || h.payloadType > 76), `version ${h.version}, payload type ${h.payloadType}`);
	check(h.csrcCount <= 15 && h.payloadOffset >= 12 + 4 * h.csrcCount, `payload at ${h.payloadOffset} with ${h.csrcCount} CSRCs`);
	check(h.payloadLength >= 0 && h.payloadOffset + h.payloadLength <= length, `payload ${h.payloadOffset}+${h.payloadLength} in a datagram of ${length}`);
	check(h.sequence >= 0 && h.sequence <= 0xffff && h.timestamp >= 0 && h.timestamp <= 0xffffffff && h.ssrc >= 0 && h.ssrc <= 0xffffffff, "sequence, timestamp or SSRC out of range");
	const digit = scratch.detector.feed(buffer, h.payloadOffset, h.payloadLength, h.timestamp);
	check(digit === "" || (digit.length === 1 && DTMF_DIGITS.includes(digit)), `telephone-event digit ${JSON.stringify(digit)}`);
	return true;
}

function describe(error: unknown): string {
	if (error && typeof error === "object") {
		const e = error as { name?: string; message?: string; stack?: string };
		const first = typeof e.stack === "string" ? e.stack.split("\n").slice(1, 3).join(" | ").trim() : "";
		return `${e.name ?? "Error"}: ${e.message ?? ""}${first ? ` (${first})` : ""}`;
	}
	return String(error);
}

export interface FuzzOutcome {
	outcome: "accepted" | "refused" | FindingKind;
	detail: string;
}

/** Checks one input (a saved finding, say) as the run checks each: what became of it. */
export function fuzzCheck(target: FuzzTarget, input: Uint8Array, index = 0): FuzzOutcome {
	try {
		const accepted = target === "sip" ? sipInvariants(input) : target === "sdp" ? sdpInvariants(input) : rtpInvariants(input, new RtpScratch(), index);
		return { outcome: accepted ? "accepted" : "refused", detail: "" };
	} catch (error) {
		return error instanceof Broken ? { outcome: "invariant", detail: error.message } : { outcome: "exception", detail: describe(error) };
	}
}

/** Runs `count` inputs of one target and counts what went wrong. */
export function fuzz(options: FuzzOptions): FuzzReport {
	const { target, seed, count, seeds, now } = options;
	const keep = options.keep ?? 20;
	const random = new FuzzRandom(seed);
	const scratch = new RtpScratch();
	const report: FuzzReport = { target, seed, inputs: 0, exceptions: 0, invariantBreaks: 0, slow: 0, maxMs: 0, accepted: 0, findings: [] };
	const textual = target !== "rtp";
	for (let index = 0; index < count; index++) {
		const input = fuzzInput(random, seeds, textual);
		let kind: FindingKind | undefined;
		let detail = "";
		const started = now ? now() : 0;
		const run = () => (target === "sip" ? sipInvariants(input) : target === "sdp" ? sdpInvariants(input) : rtpInvariants(input, scratch, index));
		try {
			if (run()) report.accepted++;
		} catch (error) {
			if (error instanceof Broken) {
				kind = "invariant";
				report.invariantBreaks++;
				detail = error.message;
			} else {
				kind = "exception";
				report.exceptions++;
				detail = describe(error);
			}
		}
		let ms = now ? now() - started : 0;
		if (ms > SLOW_MS && !kind) {
			// Timed again: a collection or another process may have taken the time.
			const again = now!();
			try {
				run();
			} catch {
				// counted above
			}
			ms = Math.min(ms, now!() - again);
		}
		if (ms > report.maxMs) report.maxMs = ms;
		if (ms > SLOW_MS) {
			report.slow++;
			if (!kind) {
				kind = "slow";
				detail = `${ms.toFixed(1)} ms`;
			}
		}
		report.inputs++;
		if (kind && report.findings.length < keep) report.findings.push({ target, kind, index, detail, ms, input: input.slice() });
	}
	return report;
}
