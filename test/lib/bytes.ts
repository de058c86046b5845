/** Bytes of a latin1 "binary string" (one char a byte). */
export function latin1Bytes(text: string): Uint8Array {
	const out = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
	return out;
}

/** ASCII/UTF-8 text of a SIP message with LF line ends turned into CRLF. */
export function crlf(text: string): string {
	return text.replace(/\r?\n/g, "\r\n");
}
