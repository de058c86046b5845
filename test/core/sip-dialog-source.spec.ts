import { test, group, assert } from "../lib/spec.js";
import { UaHarness, inboundInvite, OFFER } from "../lib/ua-harness.js";

/** Someone on the LAN who has seen the call's Call-ID and tags. */
const STRANGER = "192.168.178.66";

const MOVED_OFFER = OFFER.replace("c=IN IP4 192.168.178.1", "c=IN IP4 192.168.178.66").replace("m=audio 7078", "m=audio 9999").replace(/\r\n/g, "\n");

group("in-dialog requests only from the PBX", () => {
	test("INFO, BYE, UPDATE and re-INVITE from another address get 403 and change nothing", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		const call = h.ua.call!;
		const media = JSON.stringify(call.media);
		const established = h.events.filter((e) => e.startsWith("established")).length;
		h.deliver(inDialog("INFO", ["Content-Type: application/dtmf-relay"], "Signal=1\r\nDuration=160\r\n"), STRANGER, 5060);
		assert.equal(h.one().status, 403);
		h.deliver(inDialog("INFO", ["Content-Type: application/dtmf"], "2"), STRANGER, 5060);
		assert.equal(h.one().status, 403);
		h.deliver(inDialog("INVITE", ["Content-Type: application/sdp"], MOVED_OFFER), STRANGER, 5060);
		assert.equal(h.one().status, 403);
		h.deliver(inDialog("UPDATE", ["Content-Type: application/sdp"], MOVED_OFFER), STRANGER, 5060);
		assert.equal(h.one().status, 403);
		h.deliver(inDialog("BYE"), STRANGER, 5060);
		const [refused, ...more] = h.sent();
		assert.equal(more.length, 0);
		assert.equal(refused.status, 403);
		assert.equal(refused.to.address, STRANGER, "the refusal goes back to the sender");
		assert.deepEqual(h.events.filter((e) => e.startsWith("dtmf")), [], "no digit delivered");
		assert.equal(h.ua.call, call, "the call goes on");
		assert.equal(call.state, "answered");
		assert.equal(JSON.stringify(call.media), media, "media unchanged");
		assert.equal(h.events.filter((e) => e.startsWith("established")).length, established, "no media update announced");
		assert.ok(h.logLines.some((l) => l.startsWith("warn") && l.includes(`refused INFO from ${STRANGER}:5060 (not the PBX)`)));

		// The same requests from the PBX are answered and handled as before.
		h.deliver(inDialog("INFO", ["Content-Type: application/dtmf-relay"], "Signal=1\r\nDuration=160\r\n"));
		assert.equal(h.one().status, 200);
		assert.deepEqual(h.events.filter((e) => e.startsWith("dtmf")), ["dtmf 1"]);
		h.deliver(inDialog("BYE"));
		assert.equal(h.one().status, 200);
		assert.equal(h.ua.call, undefined);
	});

	test("a request from another address gets 403 even when it matches no dialog (it learns nothing)", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("BYE").replace("Call-ID: in-call-1@192.168.178.1", "Call-ID: other@x"), STRANGER, 5060);
		assert.equal(h.one().status, 403);
		h.deliver(inDialog("BYE").replace("Call-ID: in-call-1@192.168.178.1", "Call-ID: other@x"));
		assert.equal(h.one().status, 481, "the PBX still gets 481 for a stale BYE");
	});

	test("a CANCEL from another address gets 403", () => {
		const h = new UaHarness();
		h.answeredCall();
		const cancel = inboundInvite().split("\r\n").slice(0, 7).join("\n").replace(/^INVITE/, "CANCEL").replace("100 INVITE", "100 CANCEL") + "\nContent-Length: 0\n\n";
		h.deliver(cancel, STRANGER, 5060);
		assert.equal(h.one().status, 403);
		assert.equal(h.ua.call?.state, "answered");
	});

	test("an ACK from another address neither stops the 200 OK's retransmissions nor saves the call", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"), STRANGER, 5060);
		assert.equal(h.sent().length, 0, "no answer to an ACK");
		h.clock.advance(500);
		assert.equal(h.one().status, 200, "the 200 OK is still retransmitted");
		h.clock.advance(32_000);
		assert.ok(h.sent().some((m) => m.method === "BYE"), "no real ACK: the call is torn down");
		assert.equal(h.ua.call, undefined);
	});

	test("the PBX's ACK still confirms the call", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		h.clock.advance(32_000);
		assert.equal(h.sent().filter((m) => m.status === 200).length, 0);
		assert.equal(h.ua.call?.state, "answered");
	});

	test("with allowAnySource an in-dialog INFO from another address is taken", () => {
		const h = new UaHarness({ allowAnySource: true });
		const inDialog = h.answeredCall();
		h.deliver(inDialog("INFO", ["Content-Type: application/dtmf"], "7"), STRANGER, 5060);
		assert.equal(h.one().status, 200);
		assert.deepEqual(h.events.filter((e) => e.startsWith("dtmf")), ["dtmf 7"]);
	});
});
