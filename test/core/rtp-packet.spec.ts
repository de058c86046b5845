import { test, group, assert } from "../lib/spec.js";
import {
	RtpHeader, parseRtp, writeRtpHeader, sequenceDelta, timestampDelta,
	RTP_TOO_SHORT, RTP_BAD_VERSION, RTP_CSRC_OVERRUN, RTP_EXTENSION_OVERRUN, RTP_PADDING_ZERO, RTP_PADDING_OVERRUN, RTP_RTCP,
} from "../../rtp/rtp-packet.js";

function parse(bytes: Uint8Array): { problem: string; header: RtpHeader } {
	const header = new RtpHeader();
	return { problem: parseRtp(bytes, bytes.length, header), header };
}

group("RTP packet", () => {
	test("a built header parses back to the same fields, extremes included", () => {
		const bytes = new Uint8Array(12 + 160);
		assert.equal(writeRtpHeader(bytes, true, 101, 65535, 0xffffffff, 0xdeadbeef), 12);
		assert.deepEqual(Array.from(bytes.subarray(0, 12)), [0x80, 0xe5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef]);
		const { problem, header } = parse(bytes);
		assert.equal(problem, "");
		assert.equal(header.version, 2);
		assert.equal(header.marker, true);
		assert.equal(header.payloadType, 101);
		assert.equal(header.sequence, 65535);
		assert.equal(header.timestamp, 0xffffffff);
		assert.equal(header.ssrc, 0xdeadbeef);
		assert.equal(header.payloadOffset, 12);
		assert.equal(header.payloadLength, 160);
		writeRtpHeader(bytes, false, 0, 1, 160, 1);
		const again = parse(bytes).header;
		assert.equal(again.marker, false);
		assert.equal(again.payloadType, 0);
	});

	test("CSRCs, a header extension and padding are stepped over", () => {
		// V=2 P=1 X=1 CC=2, PT 0; 2 CSRCs; extension of one word; 4 payload bytes; 3 padding bytes.
		const bytes = new Uint8Array([
			0xb2, 0x00, 0, 7, 0, 0, 1, 0, 0, 0, 0, 9,
			1, 1, 1, 1, 2, 2, 2, 2,
			0xbe, 0xde, 0, 1, 5, 5, 5, 5,
			0x11, 0x22, 0x33, 0x44,
			0, 0, 3,
		]);
		const { problem, header } = parse(bytes);
		assert.equal(problem, "");
		assert.equal(header.csrcCount, 2);
		assert.equal(header.extension, true);
		assert.equal(header.padding, true);
		assert.equal(header.payloadOffset, 28);
		assert.equal(header.payloadLength, 4);
		assert.equal(bytes[header.payloadOffset], 0x11);
	});

	test("malformed packets get a clear reason and never throw", () => {
		const ok = new Uint8Array(12 + 4);
		writeRtpHeader(ok, false, 0, 1, 2, 3);
		const cases: Array<[string, Uint8Array, string]> = [
			["empty", new Uint8Array(0), RTP_TOO_SHORT],
			["11 bytes", ok.slice(0, 11), RTP_TOO_SHORT],
			["version 1", (() => { const b = ok.slice(); b[0] = 0x40; return b; })(), RTP_BAD_VERSION],
			["version 0 (STUN-like)", (() => { const b = ok.slice(); b[0] = 0x00; return b; })(), RTP_BAD_VERSION],
			["15 CSRCs in 16 bytes", (() => { const b = ok.slice(); b[0] = 0x8f; return b; })(), RTP_CSRC_OVERRUN],
			["extension header cut", (() => { const b = ok.slice(0, 14); b[0] = 0x90; return b; })(), RTP_EXTENSION_OVERRUN],
			["extension longer than the packet", (() => { const b = ok.slice(); b[0] = 0x90; b[14] = 0; b[15] = 9; return b; })(), RTP_EXTENSION_OVERRUN],
			["padding count 0", (() => { const b = ok.slice(); b[0] = 0xa0; b[15] = 0; return b; })(), RTP_PADDING_ZERO],
			["padding past the payload", (() => { const b = ok.slice(); b[0] = 0xa0; b[15] = 5; return b; })(), RTP_PADDING_OVERRUN],
			["RTCP sender report", (() => { const b = ok.slice(); b[1] = 200; return b; })(), RTP_RTCP],
			["RTCP bye", (() => { const b = ok.slice(); b[1] = 203; return b; })(), RTP_RTCP],
		];
		for (const [name, bytes, reason] of cases) assert.equal(parse(bytes).problem, reason, name);
		// Padding that eats the whole payload is allowed: an empty payload.
		const b = ok.slice();
		b[0] = 0xa0;
		b[15] = 4;
		const all = parse(b);
		assert.equal(all.problem, "");
		assert.equal(all.header.payloadLength, 0);
	});

	test("sequence and timestamp differences wrap", () => {
		assert.equal(sequenceDelta(0, 65535), 1);
		assert.equal(sequenceDelta(65535, 0), -1);
		assert.equal(sequenceDelta(100, 100), 0);
		assert.equal(timestampDelta(80, 0xffffffb0), 160);
		assert.equal(timestampDelta(0xffffffb0, 80), -160);
	});
});
