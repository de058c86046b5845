/*
 * The To tag of a stateless answer to a malformed request (400, 505). No transaction can be
 * formed for such a request (its Via, CSeq or Call-ID may be what is wrong), yet a retransmission
 * must get the same response (RFC 3261 §8.2.6.2, §17.2): the tag is derived from what identifies
 * the request as sent, so the same request gets the same tag and keeps nothing at the door, and
 * a new request (its own branch or CSeq) gets another. A 400 starts no dialog, so a tag that
 * can be computed from the request gives nothing away.
 */

import type { SipMessage } from "./message.js";

const NAMES = Object.freeze(["via", "call-id", "from", "cseq"]);
const LF = "\n";

/** 12 hex characters (48 bits, as IdSource.tag()) from the request's line and its top Via, Call-ID, From and CSeq as received. */
export function requestTag(request: SipMessage): string {
	let text = request.method.concat(" ", request.uri);
	for (const name of NAMES) text = text.concat(LF, request.header(name) ?? "");
	// Two FNV-1a hashes with different starting values, 32 and 16 bits of them.
	let a = 0x811c9dc5, b = 0x01000193 ^ 0x5bd1e995;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		a = Math.imul(a ^ c, 0x01000193);
		b = Math.imul(b ^ c, 0x01000193);
	}
	return (a >>> 0).toString(16).padStart(8, "0").concat((b & 0xffff).toString(16).padStart(4, "0"));
}
