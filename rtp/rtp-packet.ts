/*
 * The RTP fixed header (RFC 3550 §5.1): parsed into a header object the caller keeps, built
 * into a buffer the caller keeps. Nothing here allocates on a well-formed packet; a malformed one
 * gets a reason (a constant string) and its fields are not to be used.
 */

export const RTP_VERSION = 2;
export const RTP_HEADER_BYTES = 12;

/** Why a datagram is not a usable RTP packet. */
/** What parseRtp returns for a good header (a constant: XS copies a literal of run-time code at each evaluation). */
export const RTP_OK = "";
export const RTP_TOO_SHORT = "shorter than the 12-byte RTP header";
export const RTP_BAD_VERSION = "not RTP version 2";
export const RTP_CSRC_OVERRUN = "CSRC list runs past the end of the packet";
export const RTP_EXTENSION_OVERRUN = "header extension runs past the end of the packet";
export const RTP_PADDING_ZERO = "padding flag set but the padding count is 0";
export const RTP_PADDING_OVERRUN = "padding count larger than the payload";
export const RTP_RTCP = "an RTCP packet (payload type 72-76) on the RTP port";

/** One parsed header; made once and filled again for each packet. */
export class RtpHeader {
	version = 0;
	padding = false;
	extension = false;
	csrcCount = 0;
	marker = false;
	payloadType = 0;
	sequence = 0;
	timestamp = 0;
	ssrc = 0;
	/** Where the payload starts in the packet, after CSRCs and the extension. */
	payloadOffset = 0;
	/** Payload bytes, without padding. */
	payloadLength = 0;
}

function u16(bytes: Uint8Array, at: number): number {
	return (bytes[at] << 8) | bytes[at + 1];
}

function u32(bytes: Uint8Array, at: number): number {
	return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/**
 * Reads the header of the first `length` bytes of `bytes` into `out`. Returns "" for a usable
 * packet, else the reason it is not (one of the RTP_* constants).
 */
export function parseRtp(bytes: Uint8Array, length: number, out: RtpHeader): string {
	if (length < RTP_HEADER_BYTES) return RTP_TOO_SHORT;
	const b0 = bytes[0], b1 = bytes[1];
	out.version = b0 >> 6;
	if (out.version !== RTP_VERSION) return RTP_BAD_VERSION;
	out.padding = (b0 & 0x20) !== 0;
	out.extension = (b0 & 0x10) !== 0;
	out.csrcCount = b0 & 0x0f;
	out.marker = (b1 & 0x80) !== 0;
	out.payloadType = b1 & 0x7f;
	// RTCP sent to the RTP port (RFC 5761 demultiplexing): SR/RR/SDES/BYE/APP read as PT 72-76.
	if (out.payloadType >= 72 && out.payloadType <= 76) return RTP_RTCP;
	out.sequence = u16(bytes, 2);
	out.timestamp = u32(bytes, 4);
	out.ssrc = u32(bytes, 8);
	let offset = RTP_HEADER_BYTES + 4 * out.csrcCount;
	if (offset > length) return RTP_CSRC_OVERRUN;
	if (out.extension) {
		if (offset + 4 > length) return RTP_EXTENSION_OVERRUN;
		offset += 4 + 4 * u16(bytes, offset + 2);
		if (offset > length) return RTP_EXTENSION_OVERRUN;
	}
	let end = length;
	if (out.padding) {
		const count = bytes[length - 1];
		if (count === 0) return RTP_PADDING_ZERO;
		if (count > end - offset) return RTP_PADDING_OVERRUN;
		end -= count;
	}
	out.payloadOffset = offset;
	out.payloadLength = end - offset;
	return RTP_OK;
}

/** Writes a 12-byte header (no padding, extension or CSRCs) at the start of `bytes`. */
export function writeRtpHeader(bytes: Uint8Array, marker: boolean, payloadType: number, sequence: number, timestamp: number, ssrc: number): number {
	bytes[0] = RTP_VERSION << 6;
	bytes[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
	bytes[2] = (sequence >>> 8) & 0xff;
	bytes[3] = sequence & 0xff;
	bytes[4] = (timestamp >>> 24) & 0xff;
	bytes[5] = (timestamp >>> 16) & 0xff;
	bytes[6] = (timestamp >>> 8) & 0xff;
	bytes[7] = timestamp & 0xff;
	bytes[8] = (ssrc >>> 24) & 0xff;
	bytes[9] = (ssrc >>> 16) & 0xff;
	bytes[10] = (ssrc >>> 8) & 0xff;
	bytes[11] = ssrc & 0xff;
	return RTP_HEADER_BYTES;
}

/** a − b for 16-bit sequence numbers, in −32768…32767. */
export function sequenceDelta(a: number, b: number): number {
	return (((a - b) & 0xffff) << 16) >> 16;
}

/** a − b for 32-bit timestamps, as a signed 32-bit number. */
export function timestampDelta(a: number, b: number): number {
	return (a - b) | 0;
}
