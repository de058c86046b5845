/*
 * The checks RFC 3261 §8.2 and §18 ask before a message reaches a transaction, and the
 * parsed header values every layer above needs.
 */

import { SipMessage, SipParseError } from "./message.js";
import { isDigits } from "./scan.js";
import { parseCSeq, parseNameAddr, parseVia, param, paramsWellFormed, sipSchemeColon, type CSeq, type NameAddr, type Via } from "./header-values.js";

const SIP_2_0 = "SIP/2.0", VIA = "via", CALL_ID_NAME = "call-id", CSEQ = "cseq", FROM = "from", TO = "to", MAX_FORWARDS = "max-forwards", CONTACT = "contact", TAG = "tag";

export interface Essentials {
	callId: string;
	cseq: CSeq;
	from: NameAddr;
	to: NameAddr;
	fromTag: string;
	toTag: string;
	/** The top Via. */
	via: Via;
}

/** Whether every character of s is printable ASCII, space excluded (what a Call-ID may hold). */
function printableAscii(s: string): boolean {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x21 || c > 0x7e) return false;
	}
	return true;
}

function single(message: SipMessage, name: string): string {
	const value = message.header(name);
	if (value === undefined) throw new SipParseError(`missing ${name} header`, 400, message);
	if (message.hasMore(name)) throw new SipParseError(`more than one ${name} header`, 400, message);
	return value;
}

function nameAddr(message: SipMessage, name: string): NameAddr {
	const value = single(message, name);
	const parsed = parseNameAddr(value);
	if (!parsed || !paramsWellFormed(parsed.params)) throw new SipParseError(`malformed ${name} header`, 400, message);
	return parsed;
}

/** Checks a parsed message; throws SipParseError (with the status to answer) when it is unusable. */
export function inspect(message: SipMessage): Essentials {
	if (message.isRequest && message.version !== SIP_2_0 && message.version.toUpperCase() !== SIP_2_0) {
		throw new SipParseError(`unsupported SIP version ${message.version}`, 505, message);
	}
	const vias = message.values(VIA);
	if (vias.length === 0 || vias[0] === "") throw new SipParseError("missing Via header", 400, message);
	let top: Via | undefined;
	for (const value of vias) {
		const via = parseVia(value);
		if (!via) throw new SipParseError(`malformed Via ${JSON.stringify(value.slice(0, 60))}`, 400, message);
		top ??= via;
	}
	const callId = single(message, CALL_ID_NAME);
	// encodeURI keeps a Call-ID of the usual characters (all printable ASCII) as it is, one native
	// call instead of a loop; the text comes from TextDecoder, so no lone surrogate makes it throw.
	if (callId === "" || (encodeURI(callId) !== callId && !printableAscii(callId))) throw new SipParseError("malformed Call-ID", 400, message);
	const cseq = parseCSeq(single(message, CSEQ));
	if (!cseq) throw new SipParseError("malformed CSeq", 400, message);
	if (message.isRequest && cseq.method !== message.method) {
		throw new SipParseError(`CSeq method ${cseq.method} does not match ${message.method}`, 400, message);
	}
	const from = nameAddr(message, FROM);
	const to = nameAddr(message, TO);
	const forwards = message.headerLines(MAX_FORWARDS);
	if (forwards.length > 1 || (forwards.length === 1 && !isDigits(forwards[0], 0, forwards[0].length, 10)) || Number(forwards[0] ?? 0) > 255) {
		throw new SipParseError("malformed Max-Forwards", 400, message);
	}
	if (message.isRequest) {
		if (sipSchemeColon(message.uri) > 0 && message.uri.slice(message.uri.lastIndexOf("@") + 1).indexOf("?") >= 0) throw new SipParseError("the Request-URI carries headers", 400, message);
		for (const value of message.values(CONTACT)) {
			if (value === "*" && message.method === "REGISTER") continue;
			const contact = parseNameAddr(value);
			if (!contact || !paramsWellFormed(contact.params)) throw new SipParseError(`malformed Contact ${JSON.stringify(value.slice(0, 60))}`, 400, message);
		}
	}
	return { callId, cseq, from, to, fromTag: param(from.params, TAG) ?? "", toTag: param(to.params, TAG) ?? "", via: top! };
}
