/*
 * The doorbell against real SIP software: kamailio as the FRITZ!Box (digest auth, **610 forking
 * to the baresip handsets 611 and 612, topology hiding) and the simulator registered as 620.
 * One rig for the file; the tests run in order and each starts from an idle door.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Rig, parseSipText, type DumpedMessage } from "../rig/index.js";

let rig: Rig;
/** sipdump time (s) of the simulator's first successful registration. */
let registeredAt = 0;

before(async () => {
	rig = await Rig.start({ name: "e2e-calls" });
});

after(async () => {
	await rig?.stop();
});

const sim = () => rig.simulator!;
const fromDoor = (m: DumpedMessage) => rig.fromDoor(m);
const toDoor = (m: DumpedMessage) => rig.toDoor(m);

/** Ends whatever a failed test left behind and waits for an idle door and idle handsets. */
const idle = () => rig.idle({ settleMs: 500 });

/** The button is pressed and both handsets ring; `pressedAt` in the sipdump's seconds. */
async function ringBoth() {
	const h611 = rig.handset("611");
	const h612 = rig.handset("612");
	const m611 = h611.mark();
	const m612 = h612.mark();
	const pressedAt = Date.now() / 1000;
	await sim().press();
	await Promise.all([h611.waitFor("incoming", { from: m611 }), h612.waitFor("incoming", { from: m612 })]);
	return { h611, h612, m611, m612, pressedAt };
}

/** Handset 611 calls the door and the call is up; `invite` is the INVITE kamailio sent the door. */
async function dialFrom611() {
	const h611 = rig.handset("611");
	const m611 = h611.mark();
	const dialledAt = Date.now() / 1000;
	h611.dial("620");
	await h611.waitFor("established", { from: m611 });
	const invite = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "INVITE", { after: dialledAt, what: "the INVITE to the door" });
	return { h611, m611, dialledAt, invite };
}

const withLogs = <T>(body: () => Promise<T>) => rig.withLogs(body);

test("registers as 620 with digest auth: 401 with qop, then an authenticated REGISTER with the same Call-ID", () =>
	withLogs(async () => {
		const status = await sim().status();
		assert.equal(status.registered, true);
		assert.equal(status.sip_user, "620");
		assert.equal(status.local_port, sim().sipPort);
		const registers = rig.kamailio.messages().filter((m) => fromDoor(m) && m.method === "REGISTER");
		assert.ok(registers.length >= 2, `expected a challenged and an authenticated REGISTER, saw ${registers.length}`);
		const [first, second] = registers;
		assert.equal(first.header("authorization"), undefined);
		const challenge = rig.kamailio.messages().find((m) => toDoor(m) && m.status === 401 && m.callId === first.callId);
		assert.ok(challenge, "the registrar challenged the first REGISTER");
		assert.match(challenge.header("www-authenticate") ?? "", /realm="fritz\.box".*qop="auth"/);
		const auth = second.header("authorization") ?? "";
		assert.match(auth, /^Digest /);
		assert.match(auth, /username="620"/);
		assert.match(auth, /realm="fritz\.box"/);
		assert.match(auth, /qop=auth/);
		assert.match(auth, /nc=00000001/);
		assert.match(auth, /cnonce="[^"]+"/);
		assert.match(auth, /uri="sip:127\.0\.0\.1"/);
		assert.equal(first.uri, "sip:127.0.0.1", "REGISTER goes to the bare domain");
		assert.equal(second.callId, first.callId, "one Call-ID for the binding");
		assert.ok(second.cseq.seq > first.cseq.seq, "CSeq rises");
		assert.notEqual(second.viaParam("branch"), first.viaParam("branch"), "the retry is a new transaction");
		assert.match(first.header("via") ?? "", /;rport\b/);
		assert.equal(first.header("expires"), "120");
		const ok = rig.kamailio.messages().find((m) => toDoor(m) && m.status === 200 && m.cseq.method === "REGISTER" && m.cseq.seq === second.cseq.seq);
		assert.ok(ok, "the registrar accepted it");
		registeredAt = ok.time;
	}));

test("a button press rings both handsets; unanswered, the door sends CANCEL after 30 s and the 487 ends it", { timeout: 60000 }, () =>
	withLogs(async () => {
		await idle();
		const { h611, h612, m611, m612, pressedAt } = await ringBoth();
		await sim().waitForStatus((s) => s.call === "ringing", { what: "call ringing" });
		// A second press while it rings starts no second call.
		const secondPress = sim().mark();
		await sim().press();
		await sim().waitFor(/ring \(button\): not ringing/, { from: secondPress, timeoutMs: 2000 }).catch(() => undefined);
		const invite = (await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "INVITE" && m.header("proxy-authorization") !== undefined, { after: pressedAt, what: "the authenticated INVITE" }));
		assert.match(invite.uri, /^sip:\*\*610@/);
		assert.match(invite.header("from") ?? "", /^"Doorbell" <sip:620@127\.0\.0\.1>;tag=/);
		assert.match(invite.body, /m=audio \d+ RTP\/AVP 9 0 8 101/, "G.722 first (hd_voice), then G.711");
		assert.match(invite.body, /a=rtpmap:9 G722\/8000/);
		assert.match(invite.body, /a=rtpmap:101 telephone-event\/8000/);
		assert.match(invite.body, /a=ptime:20/);
		// Nobody answers: the CANCEL comes at the ring timeout (30 s by default).
		const cancel = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "CANCEL", { after: pressedAt, timeoutMs: 40000, what: "the CANCEL" });
		const firstInvite = rig.kamailio.messages().find((m) => fromDoor(m) && m.method === "INVITE" && m.time >= pressedAt)!;
		const after = cancel.time - firstInvite.time;
		assert.ok(after >= 29.5 && after <= 31.5, `CANCEL ${after.toFixed(2)} s after the INVITE, expected 30 s`);
		const calls = new Set(rig.kamailio.messages().filter((m) => fromDoor(m) && m.method === "INVITE" && m.time >= pressedAt).map((m) => m.callId));
		assert.equal(calls.size, 1, "the second press started no second call");
		assert.equal(cancel.viaParam("branch"), invite.viaParam("branch"), "CANCEL has the INVITE's branch");
		assert.equal(cancel.cseq.seq, invite.cseq.seq, "and its CSeq number");
		assert.equal(cancel.tag("to"), undefined, "To without tag");
		assert.equal(cancel.callId, invite.callId);
		const terminated = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.status === 487 && m.callId === invite.callId, { after: pressedAt, what: "487 to the door" });
		const ack = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "ACK" && m.callId === invite.callId && m.time >= terminated.time, { after: pressedAt, what: "the ACK for the 487" });
		assert.equal(ack.viaParam("branch"), invite.viaParam("branch"), "the ACK for a non-2xx is part of the INVITE transaction");
		// Both handsets stop ringing.
		await Promise.all([h611.waitFor("closed", { from: m611 }), h612.waitFor("closed", { from: m612 })]);
		const status = await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the CANCEL" });
		assert.match(String((status.last_call as { reason?: string }).reason), /nobody answered within 30 s/);
		assert.equal(h611.saw("established", m611), false);
		assert.equal(h612.saw("established", m612), false);
	}));

test("handset 611 answers: the call is up, then 611 hangs up with BYE", { timeout: 30000 }, () =>
	withLogs(async () => {
		await idle();
		const { h611, h612, m611, m612, pressedAt } = await ringBoth();
		h611.answer();
		await h611.waitFor("established", { from: m611 });
		const up = await sim().waitForStatus((s) => s.call === "answered", { what: "an answered call" });
		const call = up.current_call as { direction: string; codec: string; call_id: string };
		assert.equal(call.direction, "outbound");
		assert.equal(call.codec, "PCMU");
		// The door acknowledged the 2xx, and the other handset stopped ringing.
		const ok = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.status === 200 && m.cseq.method === "INVITE", { after: pressedAt, what: "200 OK to the door" });
		await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "ACK" && m.callId === ok.callId && m.time >= ok.time, { after: pressedAt, what: "the door's ACK" });
		await h612.waitFor("closed", { from: m612 });
		// Topology hiding: the door only ever sees the PBX.
		assert.match(ok.header("contact") ?? "", new RegExp(`@127\\.0\\.0\\.1:${rig.kamailio.port}`));
		await new Promise((r) => setTimeout(r, 1000));
		assert.equal((await sim().status()).call, "answered", "still up a second later");
		h611.hangup();
		const bye = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "BYE", { after: pressedAt, what: "the BYE to the door" });
		await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.status === 200 && m.cseq.method === "BYE" && m.callId === bye.callId, { after: pressedAt, what: "the door's 200 for BYE" });
		const ended = await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the BYE" });
		assert.equal((ended.last_call as { reason: string }).reason, "the other side hung up");
		await h611.waitFor("closed", { from: m611 });
	}));

test("handset 612 answers, then the door hangs up with BYE", { timeout: 30000 }, () =>
	withLogs(async () => {
		await idle();
		const { h611, h612, m611, m612, pressedAt } = await ringBoth();
		h612.answer();
		await h612.waitFor("established", { from: m612 });
		await sim().waitForStatus((s) => s.call === "answered", { what: "an answered call" });
		await h611.waitFor("closed", { from: m611 });
		sim().hangup();
		const bye = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "BYE", { after: pressedAt, what: "the door's BYE" });
		await h612.waitFor("closed", { from: m612 });
		const ok = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.status === 200 && m.cseq.method === "BYE" && m.callId === bye.callId, { after: pressedAt, what: "200 OK for the BYE" });
		assert.ok(ok);
		const ended = await sim().waitForStatus((s) => s.call === "idle", { what: "idle after our BYE" });
		assert.equal((ended.last_call as { reason: string }).reason, "hung up at the door");
	}));

test("handset 611 calls 620: the door answers with 200 OK and SDP, gets the ACK; a stale BYE gets 481 and the call stays up", { timeout: 30000 }, () =>
	withLogs(async () => {
		await idle();
		const { h611, m611, dialledAt, invite } = await dialFrom611();
		const ok = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.status === 200 && m.cseq.method === "INVITE" && m.callId === invite.callId, { after: dialledAt, what: "the door's 200 OK" });
		assert.match(ok.header("content-type") ?? "", /^application\/sdp/);
		assert.match(ok.body, /^v=0\r\n/);
		assert.match(ok.body, /m=audio \d+ RTP\/AVP 0 101\r\n/, "PCMU (the offer's first) and the offer's telephone-event");
		assert.match(ok.body, /c=IN IP4 127\.0\.0\.1/);
		assert.ok(ok.tag("to"), "the answer has a To tag");
		await rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "ACK" && m.callId === invite.callId, { after: dialledAt, what: "the ACK to the door" });
		const status = await sim().waitForStatus((s) => s.call === "answered", { what: "the inbound call answered" });
		const call = status.current_call as { direction: string; call_id: string; codec: string };
		assert.equal(call.direction, "inbound");
		assert.equal(call.call_id, invite.callId);
		assert.equal(call.codec, "PCMU");

		// A BYE from the PBX's address for a call long gone (another Call-ID), and one with the
		// live Call-ID but a foreign tag: both 481, and the call stays up.
		const socket = dgram.createSocket("udp4");
		await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
		const answers: string[] = [];
		socket.on("message", (data) => answers.push(data.toString("latin1")));
		const port = socket.address().port;
		const stale = (callId: string, toTag: string, n: number) =>
			[
				`BYE sip:620@127.0.0.1:${sim().sipPort} SIP/2.0`,
				`Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKstale${n}${Date.now()};rport`,
				"Max-Forwards: 70",
				`From: <sip:611@fritz.box>;tag=old${n}`,
				`To: <sip:620@fritz.box>;tag=${toTag}`,
				`Call-ID: ${callId}`,
				"CSeq: 9 BYE",
				"Content-Length: 0",
				"",
				"",
			].join("\r\n");
		try {
			socket.send(stale(`gone-${Date.now()}@127.0.0.1`, ok.tag("to")!, 1), sim().sipPort, "127.0.0.1");
			socket.send(stale(invite.callId, "not-ours", 2), sim().sipPort, "127.0.0.1");
			const deadline = Date.now() + 3000;
			while (answers.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
		} finally {
			socket.close();
		}
		assert.equal(answers.length, 2, `two answers to the stale BYEs, got ${answers.length}`);
		for (const answer of answers) assert.equal(parseSipText(answer).status, 481, answer);
		// The door has answered both, so it has handled both.
		assert.equal((await sim().status()).call, "answered", "the live call survived the stale BYEs");
		assert.equal(h611.saw("closed", m611), false, "handset 611 is still in the call");

		h611.hangup();
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the handset's BYE" });
	}));

test("a handset calling the door while it rings gets 486 Busy Here, and the ring goes on until the door hangs up", { timeout: 30000 }, () =>
	withLogs(async () => {
		await idle();
		const { h611, h612, m611, m612, pressedAt } = await ringBoth();
		h612.dial("620");
		const busy = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.status === 486 && m.cseq.method === "INVITE", { after: pressedAt, what: "486 from the door" });
		await rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "ACK" && m.callId === busy.callId, { after: pressedAt, what: "the ACK for the 486" });
		await h612.waitFor("closed", { from: m612 });
		assert.equal((await sim().status()).call, "ringing", "the door still rings the handsets");
		assert.equal(h611.saw("closed", m611), false, "611 still rings");
		sim().hangup();
		await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "CANCEL", { after: pressedAt, what: "the door's CANCEL" });
		await h611.waitFor("closed", { from: m611 });
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the CANCEL" });
	}));

test("handset 611 puts the door on hold and back (re-INVITE through the PBX): sendonly is answered recvonly, then sendrecv; the door hangs up", { timeout: 30000 }, () =>
	withLogs(async () => {
		await idle();
		const { h611, m611, dialledAt, invite } = await dialFrom611();
		await sim().waitForStatus((s) => s.call === "answered", { what: "the call answered" });
		const reinvite = (direction: string, after: number) =>
			rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "INVITE" && m.callId === invite.callId && m.tag("to") !== undefined && m.body.includes(`a=${direction}`), { after, what: `a re-INVITE with a=${direction}` });
		const answerTo = (request: DumpedMessage) =>
			rig.kamailio.waitForMessage((m) => fromDoor(m) && m.status === 200 && m.callId === request.callId && m.cseq.method === "INVITE" && m.cseq.seq === request.cseq.seq, { after: request.time, what: "the door's 200 for the re-INVITE" });
		const heldAt = Date.now() / 1000;
		h611.send("/hold\n");
		const hold = await reinvite("sendonly", heldAt);
		const held = await answerTo(hold);
		assert.match(held.body, /a=recvonly/);
		assert.match(held.body, /m=audio \d+ RTP\/AVP 0 101/);
		await rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "ACK" && m.callId === invite.callId && m.cseq.seq === hold.cseq.seq, { after: heldAt, what: "the ACK for the re-INVITE" });
		const resumedAt = Date.now() / 1000;
		h611.send("/resume\n");
		const resume = await reinvite("sendrecv", resumedAt);
		const resumed = await answerTo(resume);
		assert.match(resumed.body, /a=sendrecv/);
		const version = (body: string) => Number(/^o=\S+ \S+ (\d+)/m.exec(body)?.[1]);
		assert.ok(version(resumed.body) > version(held.body), "each new answer has a higher o= version");
		await rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "ACK" && m.callId === invite.callId && m.cseq.seq === resume.cseq.seq, { after: resumedAt, what: "the ACK for the resuming re-INVITE" });
		assert.equal((await sim().status()).call, "answered", "still in the call");
		assert.equal(h611.saw("closed", m611), false);
		// The door ends the call it took: its BYE goes through the PBX to the handset.
		sim().hangup();
		const bye = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "BYE" && m.callId === invite.callId, { after: resumedAt, what: "the door's BYE" });
		assert.equal(bye.tag("from"), held.tag("to"), "From carries the door's tag (the To tag of its answers)");
		await h611.waitFor("closed", { from: m611 });
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the door's BYE" });
	}));

test("refreshes the registration within the 60 s interval, same Call-ID and rising CSeq", { timeout: 90000 }, () =>
	withLogs(async () => {
		assert.ok(registeredAt > 0, "the registration test ran first");
		const refresh = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "REGISTER" && m.time > registeredAt + 1, {
			timeoutMs: Math.max(1000, (registeredAt + 66 - Date.now() / 1000) * 1000),
			what: "a refresh REGISTER",
		});
		const interval = refresh.time - registeredAt;
		assert.ok(interval <= 61, `refreshed after ${interval.toFixed(1)} s`);
		assert.ok(interval >= 50, `not too early either: ${interval.toFixed(1)} s`);
		const first = rig.kamailio.messages().find((m) => fromDoor(m) && m.method === "REGISTER")!;
		assert.equal(refresh.callId, first.callId);
		assert.ok(refresh.cseq.seq > first.cseq.seq);
		const ok = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.status === 200 && m.cseq.method === "REGISTER" && m.time >= refresh.time, { what: "200 OK for the refresh" });
		assert.ok(ok);
		assert.equal((await sim().status()).registered, true);
	}));
