/*
 * The captive portal's DNS answer (RFC 1035): while the set-up access point is open, every name
 * is the door. A query of type A (or ANY) gets the door's address; any other type (AAAA, HTTPS,
 * which phones ask beside A) gets an answer without records (NOERROR, no data), so the client
 * goes on with the A answer at once instead of waiting out a time-out. A query that carries an
 * EDNS OPT record (RFC 6891: systemd-resolved, dig, many routers' forwarders) gets one in the
 * additional section after the answer, where it belongs.
 *
 * The SDK's dns/server answers A queries only and builds its answer by copying the whole query
 * and appending the record: behind an OPT record that puts the answer in the additional section
 * and the OPT record where the answer belongs, which a resolver takes for a broken or empty
 * answer, and it leaves every other type unanswered.
 *
 * A message that is not a standard query of one question is not answered (nor is an answer).
 */

import { isIpv4Text } from "./ipv4-text.js";

/** Seconds a client may keep the door's address for a name: a minute, as the SDK's server has it. */
export const CAPTIVE_DNS_TTL = 60;

const HEADER = 12;
const TYPE_A = 1, TYPE_OPT = 41, TYPE_ANY = 255, CLASS_IN = 1;
/** The largest UDP answer the door offers in its OPT record: the classic 512 (its answers are small). */
const UDP_PAYLOAD = 512;
const MAX_NAME = 255;

/** The answer to `query` (a DNS message as received), naming `address` (dotted IPv4), or undefined when there is none to send. */
export function captiveDnsAnswer(query: Uint8Array, address: string): Uint8Array | undefined {
	if (query.length < HEADER) return undefined;
	const flags = (query[2] << 8) | query[3];
	// A response (QR), or an opcode other than a standard query.
	if (flags & 0xf800) return undefined;
	if (word(query, 4) !== 1 || word(query, 6) !== 0) return undefined;
	const end = questionEnd(query);
	if (end === undefined) return undefined;
	const type = word(query, end - 4), klass = word(query, end - 2);
	const answered = (type === TYPE_A || type === TYPE_ANY) && klass === CLASS_IN;
	if (!isIpv4Text(address)) return undefined;
	const octets = address.split(".").map(Number);
	if (octets.some((o) => o > 255)) return undefined;
	const edns = hasOpt(query, end);
	const out = new Uint8Array(end + (answered ? 16 : 0) + (edns ? 11 : 0));
	out.set(query.subarray(0, end));
	// QR, AA, the query's RD, no recursion available, NOERROR.
	out[2] = 0x84 | (query[2] & 0x01);
	out[3] = 0;
	out[7] = answered ? 1 : 0;
	out[8] = out[9] = 0;
	out[10] = 0;
	out[11] = edns ? 1 : 0;
	let at = end;
	if (answered) {
		// The name as a pointer to the question's, type A, class IN, the TTL, 4 bytes of address.
		const record = [0xc0, HEADER, 0, TYPE_A, 0, CLASS_IN, CAPTIVE_DNS_TTL >>> 24, (CAPTIVE_DNS_TTL >>> 16) & 255, (CAPTIVE_DNS_TTL >>> 8) & 255, CAPTIVE_DNS_TTL & 255, 0, 4];
		out.set(record, at);
		out.set(octets, at + record.length);
		at += 16;
	}
	if (edns) out.set([0, 0, TYPE_OPT, UDP_PAYLOAD >> 8, UDP_PAYLOAD & 255, 0, 0, 0, 0, 0, 0], at);
	return out;
}

function word(bytes: Uint8Array, at: number): number {
	return (bytes[at] << 8) | bytes[at + 1];
}

/** Where the one question (its name as labels, no pointer, then type and class) ends, or undefined when it does not fit. */
function questionEnd(query: Uint8Array): number | undefined {
	let at = HEADER;
	for (;;) {
		if (at >= query.length) return undefined;
		const length = query[at];
		if (length === 0) break;
		// A pointer (0xC0) or a reserved label type: no question of a query uses them.
		if (length > 63) return undefined;
		at += 1 + length;
		if (at - HEADER > MAX_NAME) return undefined;
	}
	at += 5;
	return at <= query.length ? at : undefined;
}

/** Whether the additional section (after the question; a query has no answer or authority records) holds an OPT record. */
function hasOpt(query: Uint8Array, at: number): boolean {
	if (word(query, 8) !== 0) return false;
	for (let n = word(query, 10); n > 0; n--) {
		// An OPT record's name is the root (one zero byte); others are skipped by their lengths.
		let nameEnd = at;
		while (nameEnd < query.length && query[nameEnd] !== 0 && query[nameEnd] < 0xc0) nameEnd += 1 + query[nameEnd];
		if (nameEnd >= query.length) return false;
		const fixed = query[nameEnd] >= 0xc0 ? nameEnd + 2 : nameEnd + 1;
		if (fixed + 10 > query.length) return false;
		if (word(query, fixed) === TYPE_OPT) return true;
		at = fixed + 10 + word(query, fixed + 8);
	}
	return false;
}
