import { test, group, assert } from "../lib/spec.js";
import { UaHarness, inboundInvite, PBX, LOCAL } from "../lib/ua-harness.js";
import { traceText } from "../../sip/trace-text.js";
import { encodeUtf8 } from "../../modules/text.js";

function info(type: string, body: string, seq = 101, typeHeader = "Content-Type"): string {
	return [
		`INFO sip:620@${LOCAL}:5062 SIP/2.0`,
		`Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKinfo${seq}`,
		`From: "Küche" <sip:611@fritz.box>;tag=fb1`,
		"To: <sip:620@fritz.box>;tag=TO",
		"Call-ID: in-call-1@192.168.178.1",
		`CSeq: ${seq} INFO`,
		`${typeHeader}: ${type}`,
		`Content-Length: ${encodeUtf8(body).length}`,
		"",
		body,
	].join("\r\n");
}

group("trace without DTMF", () => {
	test("an INFO's dtmf-relay body is left out, its headers stay", () => {
		const shown = traceText(encodeUtf8(info("application/dtmf-relay", "Signal=1\r\nDuration=160\r\n")));
		assert.ok(!/Signal/i.test(shown), shown);
		assert.ok(!shown.includes("Duration"), shown);
		assert.match(shown, /^INFO sip:620@/);
		assert.match(shown, /\r\nContent-Type: application\/dtmf-relay\r\n/);
		assert.match(shown, /\r\n\r\n\[body of 24 characters not shown: it may carry DTMF\]$/);
	});

	test("application/dtmf, a compact c: header, parameters and any other message type are left out too", () => {
		assert.ok(!traceText(encodeUtf8(info("application/dtmf", "5"))).endsWith("5"));
		assert.ok(!traceText(encodeUtf8(info("Application/DTMF-Relay;charset=us-ascii", "Signal=9", 102, "c"))).includes("Signal"));
		const message = info("application/dtmf", "#", 103).replace(/^INFO /, "MESSAGE ").replace("103 INFO", "103 MESSAGE");
		assert.ok(!traceText(encodeUtf8(message)).endsWith("#"));
		// An INFO body of an unusual type is not shown either: INFO is how digits travel.
		assert.ok(!traceText(encodeUtf8(info("text/plain", "Signal=4"))).includes("Signal"));
		// Bare LF line ends.
		assert.ok(!traceText(encodeUtf8(info("application/dtmf", "7").replace(/\r\n/g, "\n"))).endsWith("7"));
	});

	test("other bodies (an SDP with telephone-event) and messages without a body are shown whole", () => {
		const invite = inboundInvite();
		assert.equal(traceText(encodeUtf8(invite)), invite);
		const empty = info("application/dtmf", "");
		assert.equal(traceText(encodeUtf8(empty)), empty);
	});

	test("with the trace on, a call whose handset keys 1 2 3 by INFO logs every message but no digit", () => {
		const h = new UaHarness();
		h.transport.trace = true;
		h.register();
		h.deliver(inboundInvite());
		const to = h.sent()[1].header("to")!;
		const bodies = ["Signal=1\r\nDuration=160\r\n", "Signal= 2\r\nDuration=160\r\n"];
		bodies.forEach((body, i) => h.deliver(info("application/dtmf-relay", body, 101 + i).replace("To: <sip:620@fritz.box>;tag=TO", `To: ${to}`)));
		h.deliver(info("application/dtmf", "3", 103).replace("To: <sip:620@fritz.box>;tag=TO", `To: ${to}`));
		assert.deepEqual(h.events.filter((e) => e.startsWith("dtmf")), ["dtmf 1", "dtmf 2", "dtmf 3"], "the digits still reach the door");
		const traced = h.logLines.filter((l) => l.startsWith("info SIP < ") && l.includes("\nINFO "));
		assert.equal(traced.length, 3, "each INFO is in the trace");
		for (const line of h.logLines) {
			assert.ok(!/Signal/i.test(line), line);
			assert.ok(!/\r\n\r\n3$/.test(line), line);
		}
	});
});
