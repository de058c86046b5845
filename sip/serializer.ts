/*
 * Builds outgoing SIP messages as text and encodes them once. Header values come from the
 * layers above already formatted; this module only frames them.
 */

import type { SipMessage } from "./message.js";
import { encodeUtf8, utf8Length } from "../modules/text.js";
import { equalsIgnoringCase, spaceEnd } from "./scan.js";

const CRLF = "\r\n", CONTENT_LENGTH = "Content-Length: ", EMPTY = "";
const ASCII = (): RegExp => /^[\x00-\x7f]*$/;
// Header names and framing for buildResponse, each one argument of String#concat (on XS a
// template literal allocates every intermediate string; a literal inside a function is made anew each call).
const VIA = "Via: ", FROM = "From: ", TO = "To: ", TAG = ";tag=", CALL_ID = "Call-ID: ", CSEQ = "CSeq: ";
const CONTENT_TYPE = "Content-Type: ", SDP = "application/sdp", SIP_2_0_SP = "SIP/2.0 ", SP = " ";
/** The end of a message without a body, for requests built as one text: its Content-Length line and the empty line. */
export const EMPTY_BODY = "Content-Length: 0\r\n\r\n";

/** Encodes a request or response: start line, header lines, Content-Length, body. */
export function serialize(startLine: string, headers: string[], body = ""): Uint8Array {
	// One join and one encode: adding line by line would copy the growing text each time.
	const length = body === EMPTY ? 0 : ASCII().test(body) ? body.length : utf8Length(body);
	return encodeUtf8([startLine].concat(headers, CONTENT_LENGTH.concat(String(length)), EMPTY, body).join(CRLF));
}

const SEMI = ";", TAG_NAME = "tag";

/** Whether a To value has a tag: `;` `tag` `=` anywhere in it, the name in any case, white space around it. */
function hasTag(to: string): boolean {
	const n = to.length;
	for (let semi = to.indexOf(SEMI); semi >= 0; semi = to.indexOf(SEMI, semi + 1)) {
		const name = spaceEnd(to, semi + 1, n);
		if (equalsIgnoringCase(to, name, name + 3 > n ? n : name + 3, TAG_NAME) && to.charCodeAt(spaceEnd(to, name + 3, n)) === 0x3d) return true;
	}
	return false;
}

export interface ResponseOptions {
	/** Added to To when the request's To has no tag. */
	toTag?: string;
	/** More header lines ("Name: value"). */
	headers?: string[];
	body?: string;
	contentType?: string;
}

/** The response to a request, copying Via, From, To, Call-ID and CSeq as RFC 3261 §8.2.6 says. */
export function buildResponse(request: SipMessage, status: number, reason: string, options: ResponseOptions = {}): Uint8Array {
	const lines: string[] = [];
	for (const via of request.headerLines("via")) lines.push(VIA.concat(via));
	const from = request.header("from");
	if (from !== undefined) lines.push(FROM.concat(from));
	const to = request.header("to");
	if (to !== undefined) {
		lines.push(options.toTag && !hasTag(to) ? TO.concat(to, TAG, options.toTag) : TO.concat(to));
	}
	const callId = request.header("call-id");
	if (callId !== undefined) lines.push(CALL_ID.concat(callId));
	const cseq = request.header("cseq");
	if (cseq !== undefined) lines.push(CSEQ.concat(cseq));
	if (options.headers) for (const line of options.headers) lines.push(line);
	const body = options.body ?? EMPTY;
	if (body) lines.push(CONTENT_TYPE.concat(options.contentType ?? SDP));
	return serialize(SIP_2_0_SP.concat(String(status), SP, reason), lines, body);
}
