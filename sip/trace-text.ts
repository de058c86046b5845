/*
 * What `--trace` and the page's SIP trace show of a SIP message: its text, except what gives a
 * secret away. The door code is keyed in as digits, so the body of every INFO request and of
 * any message typed `application/dtmf-relay` or `application/dtmf` is replaced by its length: a
 * trace (or a log sent somewhere else) never lets anyone piece the code together. A digest
 * `response=` in (Proxy-)Authorization is replaced too: with the nonce beside it, it would let
 * anyone who reads the trace try passwords offline. The other headers stay.
 */

import { decodeUtf8 } from "../modules/text.js";

/** A Content-Type (or compact `c`) header naming a DTMF body, anywhere in the header section. */
const DTMF_TYPE = (): RegExp => /^(?:content-type|c)[ \t]*:[ \t]*application\/dtmf(?:-relay)?[ \t]*(?:;|\r?$)/im;
const INFO_REQUEST = (): RegExp => /^[\r\n]*INFO[ \t]/;
/** A header carrying digest credentials. */
const CREDENTIALS = (): RegExp => /^(?:proxy-)?authorization[ \t]*:/im;
/** What stands in for a digest response. */
const HIDDEN = '"(not shown)"';

/** The message as text for a log line, with any DTMF body and digest response left out. */
export function traceText(bytes: Uint8Array): string {
	const text = withoutDigestResponse(decodeUtf8(bytes));
	const crlf = text.indexOf("\r\n\r\n");
	const lf = text.indexOf("\n\n");
	let end: number, gap: number;
	if (crlf >= 0 && (lf < 0 || crlf < lf)) {
		end = crlf;
		gap = 4;
	} else if (lf >= 0) {
		end = lf;
		gap = 2;
	} else {
		return text;
	}
	const body = text.length - end - gap;
	if (body <= 0) return text;
	const head = text.slice(0, end);
	if (!INFO_REQUEST().test(head) && !DTMF_TYPE().test(head)) return text;
	return `${text.slice(0, end + gap)}[body of ${body} character${body === 1 ? "" : "s"} not shown: it may carry DTMF]`;
}

/** The text with the value of every `response=` parameter of a credentials header replaced. */
function withoutDigestResponse(text: string): string {
	const credentialsHeader = CREDENTIALS();
	if (!credentialsHeader.test(text)) return text;
	// Made per call: a module-level RegExp with the g flag would keep lastIndex as state.
	const response = /(\bresponse[ \t]*=[ \t]*)(?:"[^"\r\n]*"|[^,;\s]*)/gi;
	const lines = text.split("\n");
	let credentials = false;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		if (line === "" || line === "\r") break; // the body starts
		const c = line.charCodeAt(0);
		// A folded line (starting with white space) continues the header before it.
		if (c !== 0x20 && c !== 0x09) credentials = credentialsHeader.test(line);
		if (credentials) lines[i] = line.replace(response, "$1" + HIDDEN);
	}
	return lines.join("\n");
}
