/*
 * The SDP reader's character scans against the RegExp reader they replace
 * (test/lib/sdp-regexps.ts), over generated session descriptions: lines right and wrong, odd
 * white space and line ends, addresses of every form c= allows and many it does not.
 */

import { test, group, assert } from "../lib/spec.js";
import { isDottedQuad, parseSdp, SdpError, type SessionDescription } from "../../sip/sdp.js";
import { generator } from "../lib/generator.js";
import * as ref from "../lib/sdp-regexps.js";
import { FRITZBOX_SDP } from "../lib/fritzbox-messages.js";

/** What a reader made of a text, in a form deepEqual compares: the session, or the error's message. */
function read(parse: (text: string) => SessionDescription, text: string): unknown {
	try {
		const s = parse(text);
		return { ...s, media: s.media.map((m) => ({ ...m, rtpmap: [...m.rtpmap], fmtp: [...m.fmtp] })) };
	} catch (error) {
		assert.ok(error instanceof SdpError, `not an SdpError: ${error}`);
		return (error as Error).message;
	}
}

const ADDRESSES = ["192.168.178.1", "127.0.0.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1.2.3.", "1234.1.1.1", "fritz.box", "a-.b", "-a.b", "a..b", "a.", "123", "::1", "fe80::1:2", "1.2.3.4/127", "1.2.3.4/127/2", "1.2.3.4/1/2/3", "1.2.3.4/", "1.2.3.4/x", "1.2.3.4 ", "1.2.3.4\t", "", "g::1", "é.de", "a_b.c"];
/** Lines that make any description malformed. */
const FATAL = ["x", "A=b", "", "=x", "a", "\u00e4=1"];
const LINES = [
	"o=user 10392744 10392744 IN IP4 192.168.178.1", "o=- 0 0 IN IP4 127.0.0.1", "o=", "s=call", "t=0 0", "b=AS:64",
	"a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive", "a=sendrecv:x", "a=sendrecvx", "a=rtpmap:8 PCMA/8000", "a=rtpmap:9 G722/8000/1",
	"a=rtpmap:101 telephone-event/8000", "a=rtpmap:31 LPC", "a=rtpmap:8  PCMA/8000/2", "a=rtpmap:x PCMA/8000", "a=rtpmap:8 PCMA/", "a=rtpmap:8 PCMA/8000/",
	"a=rtpmap:8 PCMA/8000x", "a=rtpmap:8PCMA/8000", "a=fmtp:101 0-15", "a=fmtp:101  0-16", "a=fmtp:101", "a=fmtp:101 ", "a=fmtp:x 1", "a=fmtp:101 a\rb",
	"a=ptime:20", "a=ptime:", "a=ptime:2a", "a=ptime:30 ", "a=foo:bar", "a=rtpmapx:1 a/1", "a=", "a=:",
];

function mediaLine(g: ReturnType<typeof generator>): string {
	if (g.pick([true, true, false])) return g.pick(["m=audio 7078 RTP/AVP 8 0 101", "m=audio 0 RTP/AVP 0", "m=video 9000 RTP/AVP 31"]);
	return "m=" + g.pick(["audio", "audio", "audio", "video", "au-dio", "audio_1", ""]) + g.pick([" ", " ", " ", "  ", "\t", ""]) + g.pick(["7078", "7078", "7078", "0", "65536", "70000", "7078/2", "7078/", "x"]) +
		g.pick([" ", " ", " ", ""]) + g.pick(["RTP/AVP", "RTP/AVP", "RTP/SAVP", ""]) + g.pick([" 8 0 101", " 8 0 101", " 9", "", " 8  0", " 8 ", " 0\t8", " 8\u00a00"]);
}

function connectionLine(g: ReturnType<typeof generator>): string {
	if (g.pick([true, true, false])) return g.pick(["c=IN IP4 192.168.178.1", "c=IN IP4 127.0.0.1", "c=IN IP6 ::1"]);
	return "c=" + g.pick(["IN IP4 ", "IN IP4 ", "IN IP4 ", "IN  IP4 ", "IN IP6 ", "IN IP5 ", "IN IP4", "IN\tIP4 ", "IX IP4 ", "INIP4 "]) + g.pick(ADDRESSES);
}

group("SDP by character scans", () => {
	test("the FRITZ!Box offer reads as before", () => {
		assert.deepEqual(read(parseSdp, FRITZBOX_SDP), read(ref.parseSdp, FRITZBOX_SDP));
		const s = parseSdp(FRITZBOX_SDP);
		assert.equal(s.connection, "192.168.178.1");
		assert.deepEqual(s.media[0].formats, ["8", "0", "101"]);
		assert.equal(s.media[0].ptime, 20);
		assert.equal(s.media[0].direction, "sendrecv");
		assert.deepEqual(s.media[0].fmtp.get(101), "0-15");
	});

	test("generated descriptions: the same session, or the same error, as the RegExp reader", () => {
		const g = generator(29);
		let read1 = 0;
		for (let n = 0; n < 3000; n++) {
			const lines = [g.pick(["v=0", "v=0", "v=0", "v=0", "v=0", "v=0", "v=0", "v=0", "v=1", "", "v=0 "])];
			if (g.pick([true, true, true, true, true, true, false])) lines.push("o=user 1 1 IN IP4 192.168.178.1");
			for (let k = g.pick([0, 1, 2, 3]); k > 0; k--) lines.push(g.pick([connectionLine(g), mediaLine(g), g.pick(LINES), g.pick(LINES)]));
			if (g.pick([true, false])) lines.push(connectionLine(g));
			lines.push(mediaLine(g));
			for (let k = g.pick([0, 1, 2, 3, 4, 5]); k > 0; k--) lines.push(g.pick([g.pick(LINES), g.pick(LINES), g.pick(LINES), connectionLine(g)]));
			if (g.pick([false, false, false, false, false, false, false, false, false, true])) lines.splice(1 + Math.floor(lines.length / 2), 0, g.pick(FATAL));
			let text = "";
			for (const line of lines) text += line + g.pick(["\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\n", "\n", "\r\r\n"]);
			text = text.slice(0, text.length - g.pick([0, 0, 1, 2])) + g.pick(["", "", "\r\n", "\n\n", "\r", "\r\n\r\n"]);
			const expected = read(ref.parseSdp, text);
			if (typeof expected !== "string") read1++;
			assert.deepEqual(read(parseSdp, text), expected, JSON.stringify(text));
		}
		assert.ok(read1 > 300, `only ${read1} readable descriptions generated`);
	});

	test("dotted quads: four numbers 0 to 255, no leading zeros, nothing around them", () => {
		for (const a of ADDRESSES.concat(["1.2.3.4", "10.0.0.255", "1.2.3.04", "1.2.3.-4", "1.2.3.4x", " 1.2.3.4", "9.99.199.249", "1.1.1.250", "1.1.1.260", "1.1.1.300"])) {
			assert.equal(isDottedQuad(a, 0, a.length), ref.dottedQuad(a), a);
		}
		assert.ok(isDottedQuad("x1.2.3.4y", 1, 8), "within a longer text");
	});
});
