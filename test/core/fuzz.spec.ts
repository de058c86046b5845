/*
 * The bounded fuzz run of every `npm test` (on Node and inside XS): a fixed seed, a few thousand
 * mutated SIP messages, SDP bodies and RTP packets grown from the RFC 4475 messages and the
 * FRITZ!Box messages, and not one unexpected exception or broken invariant (test/lib/fuzz.ts
 * says which). `npm run fuzz` runs the same fuzzer for millions of inputs.
 */

import { test, group, assert } from "../lib/spec.js";
import { fuzz, fuzzSeeds, fuzzInput, FuzzRandom, batchSeed, type FuzzReport, type FuzzTarget } from "../lib/fuzz.js";
import { messages } from "../fixtures/rfc4475-data.js";
import { latin1Bytes } from "../lib/bytes.js";
import { parseSip, SipParseError } from "../../sip/message.js";
import { parseSdp, answerOffer } from "../../sip/sdp.js";

const SEED = 4475;
const COUNTS: Record<FuzzTarget, number> = { sip: 1500, sdp: 1500, rtp: 4000 };
const seeds = fuzzSeeds(messages);

function summary(report: FuzzReport): string {
	return report.findings.map((f) => `#${f.index} ${f.kind}: ${f.detail} (${f.input.length} bytes)`).join("\n");
}

group("fuzz", () => {
	test("the seeds: 49 RFC 4475 messages and the FRITZ!Box messages, their SDP bodies, RTP packets", () => {
		assert.ok(seeds.sip.length >= 49 + 10, `${seeds.sip.length} SIP seeds`);
		assert.ok(seeds.sdp.length >= 20, `${seeds.sdp.length} SDP seeds`);
		assert.ok(seeds.rtp.length >= 10, `${seeds.rtp.length} RTP seeds`);
	});

	test("the same seed gives the same inputs; another seed others", () => {
		const a = new FuzzRandom(batchSeed(SEED, 3)), b = new FuzzRandom(batchSeed(SEED, 3)), c = new FuzzRandom(batchSeed(SEED, 4));
		let same = true, differ = false;
		for (let i = 0; i < 50; i++) {
			const x = fuzzInput(a, seeds.sip, true), y = fuzzInput(b, seeds.sip, true), z = fuzzInput(c, seeds.sip, true);
			if (x.length !== y.length || x.some((v, j) => v !== y[j])) same = false;
			if (x.length !== z.length || x.some((v, j) => v !== z[j])) differ = true;
		}
		assert.ok(same, "the same inputs from the same seed");
		assert.ok(differ, "other inputs from another seed");
	});

	for (const target of ["sip", "sdp", "rtp"] as const) {
		test(`${COUNTS[target]} mutated ${target.toUpperCase()} inputs: no unexpected exception, no broken invariant`, () => {
			const report = fuzz({ target, seed: SEED, count: COUNTS[target], seeds: seeds[target] });
			assert.equal(report.inputs, COUNTS[target]);
			assert.equal(report.exceptions, 0, summary(report));
			assert.equal(report.invariantBreaks, 0, summary(report));
			// Enough of them get past the first checks to test what lies behind.
			assert.ok(report.accepted >= COUNTS[target] / 10, `only ${report.accepted} of ${report.inputs} accepted`);
			assert.ok(report.accepted < report.inputs, "some are refused");
		});
	}
});

/** A request as the RFC 4475 messages write them, with `lines` in its header section. */
function request(lines: string[]): Uint8Array {
	return latin1Bytes(["OPTIONS sip:620@127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfz", "From: <sip:a@127.0.0.1>;tag=1", "To: <sip:620@127.0.0.1>", "Call-ID: fz1", "CSeq: 1 OPTIONS", ...lines, "Content-Length: 0", "", ""].join("\r\n"));
}

function refusal(bytes: Uint8Array): SipParseError | undefined {
	try {
		parseSip(bytes);
	} catch (error) {
		if (error instanceof SipParseError) return error;
		throw error;
	}
	return undefined;
}

const SDP_HEAD = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n";
const AUDIO = "t=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";
const LOCAL = { address: "127.0.0.1", port: 40000, sessionId: 1, sessionVersion: 1 };

group("fuzz findings", () => {
	test("a header line folded onto a line of blanks ends at its value: no CR LF is left in it", () => {
		const m = parseSip(request(["Contact: <sip:a@127.0.0.1>", " ", "Max-Forwards: 6", "\t"]));
		assert.equal(m.header("contact"), "<sip:a@127.0.0.1>");
		assert.equal(m.header("max-forwards"), "6");
	});

	test("a bare CR inside a header line is refused with 400 (a receiver that ends lines at CR would read another header)", () => {
		const error = refusal(request(["Subject: hello\rInjected: yes"]));
		assert.ok(error, "refused");
		assert.equal(error.status, 400);
		assert.match(error.message, /bare CR/);
		assert.equal(refusal(request(["Subject: a\r\r"])) !== undefined, true, "two CRs before the LF");
		assert.equal(refusal(request(["Subject: fine"])), undefined);
	});

	test("a bare CR in the start line: a response is dropped (never answered), a request refused", () => {
		const response = latin1Bytes(["SIP/2.0 200 O\rK", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfz", "Call-ID: fz2", "CSeq: 1 OPTIONS", "From: <sip:a@b>;tag=1", "To: <sip:c@d>;tag=2", "Content-Length: 0", "", ""].join("\r\n"));
		const error = refusal(response);
		assert.ok(error, "refused");
		assert.equal(error.status, 400);
	});

	// The last address took 2^48 steps in XS's regular expressions with nested repetition (the XS
	// suite's computron limit ends such a test); a fuzzed offer with 32 such letters ran past 2e9.
	test("an SDP connection address that is no address is refused; a dotted quad above 255 too", () => {
		for (const address of ["1o=", "127.0.", "127.0.256.4", "12,7.0.2.95", "127.0.2.1\u00ff", "-door", `127.0.${"N".repeat(48)}\u0001`]) {
			assert.throws(() => parseSdp(`${SDP_HEAD}c=IN IP4 ${address}\r\n${AUDIO}`), /c= /, address);
		}
		assert.equal(parseSdp(`${SDP_HEAD}c=IN IP4 127.0.2.5/127\r\n${AUDIO}`).connection, "127.0.2.5");
		assert.equal(parseSdp(`${SDP_HEAD}c=IN IP4 door.fritz.box\r\n${AUDIO}`).connection, "door.fritz.box");
		assert.equal(parseSdp(`${SDP_HEAD}c=IN IP6 ::1\r\n${AUDIO}`).connection, "::1");
	});

	test("the door sends RTP only to an IPv4 address: a stream at a host name or an IPv6 address is refused in the answer", () => {
		for (const address of ["door.fritz.box", "::1"]) {
			const answer = answerOffer(parseSdp(`${SDP_HEAD}c=IN IP6 ${address}\r\n${AUDIO}`.replace("IN IP6 door", "IN IP4 door")), LOCAL);
			assert.ok("error" in answer, `${address}: ${JSON.stringify(answer)}`);
		}
		const ok = answerOffer(parseSdp(`${SDP_HEAD}c=IN IP4 127.0.2.5\r\n${AUDIO}`), LOCAL);
		assert.ok("media" in ok && ok.media.remoteAddress === "127.0.2.5");
	});
});
