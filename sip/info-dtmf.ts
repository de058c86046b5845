/*
 * DTMF carried in SIP INFO: `application/dtmf-relay` ("Signal=5\r\nDuration=160") and
 * `application/dtmf` ("5"). Event codes 10–15 (RFC 4733) stand for * # A B C D.
 */

const CODES = "0123456789*#ABCD";

/** The digit in an INFO body, or undefined when there is none or it is not a DTMF digit. */
export function parseInfoDtmf(contentType: string, body: string): string | undefined {
	const type = contentType.split(";")[0].trim().toLowerCase();
	let value: string | undefined;
	if (type === "application/dtmf-relay") {
		const m = /(?:^|[\r\n])\s*signal\s*=\s*([^\s\r\n]+)/i.exec(body);
		value = m?.[1];
	} else if (type === "application/dtmf") {
		value = body.trim();
	}
	if (value === undefined) return undefined;
	if (/^\d{1,2}$/.test(value) && Number(value) < 16) return CODES[Number(value)];
	const upper = value.toUpperCase();
	return upper.length === 1 && CODES.includes(upper) ? upper : undefined;
}
