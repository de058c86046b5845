/*
 * Builds outgoing SIP messages as text and encodes them once. Header values come from the
 * layers above already formatted; this module only frames them.
 */

import type { SipMessage } from "./message.js";
import { encodeUtf8, utf8Length } from "./text.js";

const CRLF = "\r\n", CONTENT_LENGTH = "Content-Length: ", EMPTY = "";
const ASCII = /^[\x00-\x7f]*$/;
/** The end of a message without a body, for requests built as one text: its Content-Length line and the empty line. */
export const EMPTY_BODY = "Content-Length: 0\r\n\r\n";

/** Encodes a request or response: start line, header lines, Content-Length, body. */
export function serialize(startLine: string, headers: string[], body = ""): Uint8Array {
	// One join and one encode: adding line by line would copy the growing text each time.
	const length = body === EMPTY ? 0 : ASCII.test(body) ? body.length : utf8Length(body);
	return encodeUtf8([startLine].concat(headers, CONTENT_LENGTH + length, EMPTY, body).join(CRLF));
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
	for (const via of request.headerLines("via")) lines.push(`Via: ${via}`);
	const from = request.header("from");
	if (from !== undefined) lines.push(`From: ${from}`);
	const to = request.header("to");
	if (to !== undefined) {
		const tagged = options.toTag && !/;\s*tag\s*=/i.test(to) ? `${to};tag=${options.toTag}` : to;
		lines.push(`To: ${tagged}`);
	}
	const callId = request.header("call-id");
	if (callId !== undefined) lines.push(`Call-ID: ${callId}`);
	const cseq = request.header("cseq");
	if (cseq !== undefined) lines.push(`CSeq: ${cseq}`);
	if (options.headers) for (const line of options.headers) lines.push(line);
	const body = options.body ?? "";
	if (body) lines.push(`Content-Type: ${options.contentType ?? "application/sdp"}`);
	return serialize(`SIP/2.0 ${status} ${reason}`, lines, body);
}
