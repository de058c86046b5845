/*
 * Dropping the oldest message stores the next one whole by putting the referred lines' packed
 * text in place of its references, instead of unpacking both and packing it again: the same
 * characters stored, dropped and shown as before (test/lib/trace-log-before.ts) after every
 * message of generated sequences: a transaction's request and answer sharing lines, lines that
 * repeat a first line or a line further back, messages with control characters, long headers
 * cut, bodies, LF line ends.
 */

import { test, group, assert } from "../lib/spec.js";
import { SipTraceLog } from "../../sip/trace-log.js";
import { SipTraceLogBefore } from "../lib/trace-log-before.js";
import { generator } from "../lib/generator.js";
import { encodeUtf8 } from "../../modules/text.js";

const FIRST = ["", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1a;rport", "OPTIONS sip:620@127.0.0.1:5062 SIP/2.0", "SIP/2.0 200 OK", "INVITE sip:**610@fritz.box SIP/2.0", "SIP/2.0 401 Unauthorized", "BYE sip:620@127.0.0.1 SIP/2.0", "REGISTER sip:fritz.box SIP/2.0"];
const HEADERS = [
	"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1a;rport", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2b", "From: <sip:127.0.0.1>;tag=30f2", "To: <sip:620@127.0.0.1:5062>",
	"To: <sip:620@127.0.0.1:5062>;tag=d00r", "Call-ID: 5000b7e4@127.0.0.1", "Call-ID: 5001b7e4@127.0.0.1", "CSeq: 100 OPTIONS", "CSeq: 2 INVITE", "Max-Forwards: 70",
	"User-Agent: AVM FRITZ!Box 7590 154.07.57", "Accept: application/sdp", "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE", "Content-Type: application/sdp",
	"WWW-Authenticate: Digest realm=\"fritz.box\", nonce=\"axNq\"", "Subject: OPTIONS sip:620@127.0.0.1:5062 SIP/2.0", "Subject: SIP/2.0 200 OK", "Subject: bell\x07",
	"Subject: \x7f\x7f", "Subject: " + "s".repeat(1300), "X: a\rb", "X: <sip:;tag= SIP/2.0", "Record-Route: <sip:127.0.0.1;lr>", "Contact: <sip:620@127.0.0.1:5062>",
];

/** A message: a first line, 0 to 8 header lines, sometimes a body; CRLF or (rarely) LF line ends. */
function message(g: ReturnType<typeof generator>, before: string[]): string {
	const lines = [g.pick(FIRST)];
	for (let k = g.pick([0, 2, 4, 5, 6, 7, 8]); k > 0; k--) {
		// A line of the message before (as an answer repeats its request's) half the time.
		lines.push(before.length > 1 && g.pick([0, 1]) === 0 ? g.pick(before) : g.pick(HEADERS));
	}
	const body = g.pick(["", "", "", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"]);
	const end = g.pick(["\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\n"]);
	return lines.join(end) + end + `Content-Length: ${body.length}` + end + end + body;
}

group("SIP trace log: dropping the oldest", () => {
	test("the same characters stored, dropped and shown as before, after every message", () => {
		for (const seed of [61, 67, 71]) {
			const g = generator(seed);
			const clock = { now: () => 5, wallClock: () => 7 };
			const now = new SipTraceLog(clock), before = new SipTraceLogBefore(clock);
			let lines: string[] = [];
			for (let n = 0; n < 400; n++) {
				const m = message(g, lines);
				lines = m.split("\r\n").slice(1, -2);
				const bytes = encodeUtf8(m);
				now.add(n % 2 === 0, bytes, "127.0.0.1", 5060, 5062);
				before.add(n % 2 === 0, bytes, "127.0.0.1", 5060, 5062);
				assert.equal(now.storedChars, before.storedChars, `characters stored after message ${n} (seed ${seed})`);
				assert.equal(now.dropped, before.dropped, `messages dropped after message ${n} (seed ${seed})`);
				if (n % 10 === 9) assert.deepEqual(now.entries, before.entries, `messages shown after message ${n} (seed ${seed})`);
			}
			assert.ok(now.dropped > 300, `only ${now.dropped} messages dropped (seed ${seed})`);
		}
	});
});
