/*
 * What `--trace` shows of a SIP message: its text, except a body that may carry a DTMF digit.
 * The door code is keyed in as digits, so the body of every INFO request and of any message
 * typed `application/dtmf-relay` or `application/dtmf` is replaced by its length: a trace (or a
 * log sent somewhere else) never lets anyone piece the code together. The headers stay.
 */

import { decodeUtf8 } from "../modules/text.js";

/** A Content-Type (or compact `c`) header naming a DTMF body, anywhere in the header section. */
const DTMF_TYPE = /^(?:content-type|c)[ \t]*:[ \t]*application\/dtmf(?:-relay)?[ \t]*(?:;|\r?$)/im;
const INFO_REQUEST = /^[\r\n]*INFO[ \t]/;

/** The message as text for a log line, with any DTMF body left out. */
export function traceText(bytes: Uint8Array): string {
	const text = decodeUtf8(bytes);
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
	if (!INFO_REQUEST.test(head) && !DTMF_TYPE.test(head)) return text;
	return `${text.slice(0, end + gap)}[body of ${body} character${body === 1 ? "" : "s"} not shown: it may carry DTMF]`;
}
