import { test, group, assert } from "../lib/spec.js";
import { UaHarness, inboundInvite, handsetRequest, OFFER, PBX, LOCAL } from "../lib/ua-harness.js";
import { md5 } from "../lib/md5.js";
import { param, parseVia, parseCSeq } from "../../sip/header-values.js";
import type { SipMessage } from "../../sip/message.js";

const CHALLENGE = 'Digest realm="fritz.box", nonce="5FCC4D494638D516", qop="auth"';

function branch(m: SipMessage): string {
	return parseVia(m.header("via")!)!.branch;
}

function cseq(m: SipMessage): number {
	return parseCSeq(m.header("cseq")!)!.seq;
}

function digestParam(header: string, name: string): string | undefined {
	const m = new RegExp(`${name}="?([^",]*)"?`).exec(header);
	return m?.[1];
}

const ANSWER = OFFER.replace("m=audio 7078 RTP/AVP 8 0 101", "m=audio 7080 RTP/AVP 0 101").replace("a=rtpmap:8 PCMA/8000\r\n", "");

group("registration", () => {
	test("REGISTER goes to the bare domain from port 5062 with Expires 120 and rport", () => {
		const h = new UaHarness();
		h.ua.start();
		const r = h.one();
		assert.equal(r.method, "REGISTER");
		assert.equal(r.uri, "sip:fritz.box");
		assert.equal((r as SipMessage & { to: { address: string; port: number } }).to.address, PBX);
		assert.equal(r.header("expires"), "120");
		assert.match(r.header("via")!, new RegExp(`^SIP/2.0/UDP ${LOCAL}:5062;branch=z9hG4bK[0-9a-f]+;rport$`));
		assert.equal(r.header("contact"), `<sip:620@${LOCAL}:5062>`);
		assert.match(r.header("from")!, /^"Haustür" <sip:620@fritz.box>;tag=/);
	});

	test("401 with qop=auth: retry with a new branch, CSeq + 1 and a correct digest", () => {
		const h = new UaHarness();
		h.ua.start();
		const first = h.one();
		h.answer(first, 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		const second = h.one();
		assert.notEqual(branch(second), branch(first));
		assert.equal(cseq(second), cseq(first) + 1);
		assert.equal(second.header("call-id"), first.header("call-id"));
		const auth = second.header("authorization")!;
		assert.equal(digestParam(auth, "uri"), "sip:fritz.box");
		const ha1 = md5("620:fritz.box:geheim");
		const ha2 = md5("REGISTER:sip:fritz.box");
		const expected = md5(`${ha1}:5FCC4D494638D516:${digestParam(auth, "nc")}:${digestParam(auth, "cnonce")}:auth:${ha2}`);
		assert.equal(digestParam(auth, "response"), expected);
		h.answer(second, 200, "OK", { toTag: "x", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=120`] });
		assert.equal(h.ua.registration.state, "registered");
	});

	test("refresh every 60 s with the same Call-ID and rising CSeq; sooner when less is granted", () => {
		const h = new UaHarness();
		h.register(120);
		h.clock.advance(59_999);
		assert.equal(h.sent().length, 0);
		h.clock.advance(1);
		const refresh = h.one();
		assert.equal(refresh.method, "REGISTER");
		h.answer(refresh, 200, "OK", { toTag: "x", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=30`] });
		assert.equal(h.ua.registration.granted, 30);
		h.clock.advance(15_000);
		const sooner = h.one();
		assert.equal(sooner.header("call-id"), refresh.header("call-id"));
		assert.equal(cseq(sooner), cseq(refresh) + 1);
	});

	test("a lost REGISTER is retransmitted on Timer E (0.5, 1, 2, 4, 4 s) and times out on Timer F", () => {
		const h = new UaHarness();
		h.ua.start();
		const first = h.one();
		const times: number[] = [];
		for (let t = 0; t < 32_000; t += 100) {
			h.clock.advance(100);
			for (const m of h.sent()) {
				assert.equal(branch(m), branch(first));
				times.push(h.clock.now());
			}
		}
		assert.deepEqual(times.slice(0, 6), [500, 1500, 3500, 7500, 11500, 15500]);
		assert.equal(h.ua.registration.state, "failed");
		assert.match(h.ua.registration.lastError, /no answer from the PBX/);
	});

	test("a wrong password fails after one retry and backs off instead of hammering", () => {
		const h = new UaHarness();
		h.ua.start();
		h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		assert.equal(h.ua.registration.state, "failed");
		assert.match(h.ua.lastError, /wrong user name or password/);
		h.clock.advance(59_000);
		assert.equal(h.sent().length, 0);
		h.clock.advance(1_000);
		h.answer(h.one(), 403, "Forbidden", { toTag: "x" });
		h.clock.advance(119_000);
		assert.equal(h.sent().length, 0, "the second back-off is longer");
		h.clock.advance(1_000);
		assert.equal(h.one().method, "REGISTER");
	});

	test("stale=true earns another authenticated try", () => {
		const h = new UaHarness();
		h.ua.start();
		h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: Digest realm="fritz.box", nonce="NEW", qop="auth", stale=true`] });
		const third = h.one();
		assert.equal(digestParam(third.header("authorization")!, "nonce"), "NEW");
	});

	test("a registrar that calls every nonce stale: one stale retry per attempt, then a failure with the refusal back-off", () => {
		const h = new UaHarness();
		const stale = (n: number) => ({ toTag: "x", headers: [`WWW-Authenticate: Digest realm="fritz.box", nonce="N${n}", qop="auth", stale=true`] });
		h.ua.start();
		h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		h.answer(h.one(), 401, "Unauthorized", stale(1));
		const retry = h.one();
		assert.equal(digestParam(retry.header("authorization")!, "nonce"), "N1");
		h.answer(retry, 401, "Unauthorized", stale(2));
		assert.equal(h.sent().length, 0, "no third authenticated REGISTER");
		assert.equal(h.ua.registration.state, "failed");
		assert.match(h.ua.lastError, /^the registrar answered 401 Unauthorized/);
		h.clock.advance(59_999);
		assert.equal(h.sent().length, 0);
		h.clock.advance(1);
		const next = h.one();
		assert.equal(next.header("authorization"), undefined, "the next attempt starts afresh");
		h.answer(next, 401, "Unauthorized", stale(3));
		h.answer(h.one(), 401, "Unauthorized", stale(4));
		h.answer(h.one(), 401, "Unauthorized", stale(5));
		assert.equal(h.sent().length, 0);
		h.clock.advance(119_999);
		assert.equal(h.sent().length, 0, "the second back-off is longer");
		h.clock.advance(1);
		assert.equal(h.one().method, "REGISTER");
		h.clock.advance(32_000);
		assert.equal(h.ua.layer.clientCount, 0, "no transaction of the stale answers left");
	});

	test("unregistering sends Expires: 0 with the same Call-ID", () => {
		const h = new UaHarness();
		h.register();
		let done = false;
		h.ua.stop(() => (done = true));
		const bye = h.one();
		assert.equal(bye.header("expires"), "0");
		h.answer(bye, 200, "OK", { toTag: "x" });
		assert.ok(done);
		assert.equal(h.ua.registration.state, "idle");
	});
});

group("ringing the target", () => {
	function ring(h: UaHarness): SipMessage {
		h.register();
		assert.deepEqual(h.ua.ring(), { ok: true });
		return h.one();
	}

	/** The ring timeout's CANCEL (the INVITE's branch and CSeq), answered 200, and the 487 after it ACKed on that branch: the call is over and the next press rings. */
	function cancelledUnanswered(h: UaHarness, invite: SipMessage, toTag: string): SipMessage {
		const cancel = h.one();
		assert.equal(cancel.method, "CANCEL");
		assert.equal(branch(cancel), branch(invite));
		assert.equal(cseq(cancel), cseq(invite));
		h.answer(cancel, 200, "OK", { toTag });
		h.answer(invite, 487, "Request Terminated", { toTag });
		const ack = h.one();
		assert.equal(ack.method, "ACK");
		assert.equal(branch(ack), branch(invite));
		assert.equal(h.ua.call, undefined);
		assert.match(h.events[h.events.length - 1], /ended nobody answered within 30 s/);
		assert.equal(h.ua.ring().ok, true, "the next press rings again");
		return cancel;
	}

	test("INVITE to **610 with display name and a short offer: G.722 first, then G.711", () => {
		const h = new UaHarness();
		const invite = ring(h);
		assert.equal(invite.uri, "sip:**610@fritz.box");
		assert.equal(invite.header("to"), "<sip:**610@fritz.box>");
		assert.match(invite.header("from")!, /^"Haustür" <sip:620@fritz.box>;tag=\w+$/);
		assert.match(invite.body, /m=audio \d+ RTP\/AVP 9 0 8 101\r\n/);
		assert.match(invite.body, /a=rtpmap:9 G722\/8000\r\n/);
		assert.match(invite.body, /a=rtpmap:101 telephone-event\/8000/);
		assert.match(invite.body, /a=ptime:20/);
		assert.equal(invite.body.split("\r\n").filter((l) => l).length, 13, "13 lines");
		assert.equal(invite.header("content-type"), "application/sdp");
	});

	test("with hd_voice off the offer is G.711 only", () => {
		const h = new UaHarness({ hdVoice: false });
		const invite = ring(h);
		assert.match(invite.body, /m=audio \d+ RTP\/AVP 0 8 101\r\n/);
		assert.ok(!/G722/.test(invite.body), "no G.722 offered");
	});

	test("407: ACK on the same branch, then INVITE with Proxy-Authorization, new branch, CSeq + 1", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 407, "Proxy Authentication Required", { toTag: "p1", headers: [`Proxy-Authenticate: ${CHALLENGE}`] });
		const [ack, retry] = h.sent();
		assert.equal(ack.method, "ACK");
		assert.equal(branch(ack), branch(invite));
		assert.equal(ack.header("to"), "<sip:**610@fritz.box>;tag=p1");
		assert.equal(retry.method, "INVITE");
		assert.notEqual(branch(retry), branch(invite));
		assert.equal(cseq(retry), cseq(invite) + 1);
		assert.equal(digestParam(retry.header("proxy-authorization")!, "uri"), "sip:**610@fritz.box");
	});

	test("the ACK of a 2xx to the authenticated INVITE carries the INVITE's credentials (RFC 3261 §13.2.2.4), another fork's ACK too", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 407, "Proxy Authentication Required", { toTag: "p1", headers: [`Proxy-Authenticate: ${CHALLENGE}`] });
		const retry = h.sent()[1];
		const credentials = retry.header("proxy-authorization")!;
		h.answer(retry, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		const ack = h.one();
		assert.equal(ack.method, "ACK");
		assert.equal(ack.header("proxy-authorization"), credentials);
		h.answer(retry, 200, "OK", { toTag: "a2", headers: [`Contact: <sip:612@${PBX}:5060>`], body: ANSWER });
		const [forkAck, forkBye] = h.sent();
		assert.equal(forkAck.method, "ACK");
		assert.equal(forkAck.header("proxy-authorization"), credentials);
		assert.equal(forkBye.method, "BYE");
	});

	test("a press while ringing does not start a second call", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 180, "Ringing", { toTag: "r1" });
		assert.equal(h.ua.ring().ok, false);
		assert.equal(h.sent().length, 0);
	});

	test("unanswered after 30 s: CANCEL with the INVITE's branch and CSeq, To without tag; 487 is ACKed", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 180, "Ringing", { toTag: "r1" });
		h.clock.advance(29_999);
		assert.equal(h.sent().length, 0);
		h.clock.advance(1);
		const cancel = cancelledUnanswered(h, invite, "r1");
		assert.equal(cancel.uri, invite.uri);
		assert.equal(cancel.header("to"), invite.header("to"));
	});

	test("answered: ACK to the Contact, re-ACK of a retransmitted 200, then BYE from the handset ends it", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 180, "Ringing", { toTag: "a1" });
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060;transport=udp>`], body: ANSWER });
		const ack = h.one();
		assert.equal(ack.method, "ACK");
		assert.equal(ack.uri, `sip:611@${PBX}:5060;transport=udp`);
		assert.equal(cseq(ack), cseq(invite));
		assert.notEqual(branch(ack), branch(invite));
		assert.ok(h.events.includes("established PCMU"));
		assert.equal(h.ua.call?.media?.remotePort, 7080);
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		assert.equal(h.one().method, "ACK");
		h.clock.advance(30_000);
		assert.equal(h.sent().length, 0, "no CANCEL once answered");
		h.deliver(handsetRequest(invite));
		assert.equal(h.one().status, 200);
		assert.equal(h.ua.call, undefined);
		assert.match(h.events[h.events.length - 1], /ended the other side hung up/);
	});

	test("a stale BYE with another Call-ID gets 481 and the call goes on; talk limit ends it with BYE", () => {
		const h = new UaHarness({ talkLimit: 120 });
		const invite = ring(h);
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		h.sent();
		h.deliver(handsetRequest(invite, { branch: "z9hG4bKstale", callId: "an-old-call@192.168.178.1" }));
		assert.equal(h.one().status, 481);
		assert.equal(h.ua.call?.state, "answered");
		h.clock.advance(120_000);
		const bye = h.sent().filter((m) => m.method !== "REGISTER")[0];
		assert.equal(bye.method, "BYE");
		assert.equal(bye.header("call-id"), invite.header("call-id"));
		assert.equal(cseq(bye), cseq(invite) + 1);
		assert.match(h.events[h.events.length - 1], /talk time limit/);
	});

	test("unanswered after only 100 Trying: CANCEL (allowed after any provisional response); 487 is ACKed and the next press rings", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 100, "Trying");
		assert.equal(h.ua.call?.state, "calling", "100 Trying is not ringing");
		h.clock.advance(30_000);
		cancelledUnanswered(h, invite, "t1");
	});

	test("a hang-up before any answer: the CANCEL waits for the first provisional response, 100 Trying too", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.ua.hangup();
		assert.equal(h.sent().length, 0, "no CANCEL before a provisional response (RFC 3261 §9.1)");
		h.answer(invite, 100, "Trying");
		const cancel = h.one();
		assert.equal(cancel.method, "CANCEL");
		assert.equal(branch(cancel), branch(invite));
	});

	test("a hang-up right after the INVITE's retry with credentials: the CANCEL waits for a provisional response to the retry, a 100 Trying to the challenged INVITE does not count", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 100, "Trying");
		h.answer(invite, 401, "Unauthorized", { toTag: "p1", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		const retry = h.sent()[1];
		assert.equal(retry.method, "INVITE");
		h.ua.hangup();
		assert.equal(h.sent().length, 0, "no CANCEL before a provisional response to the retry (RFC 3261 §9.1)");
		h.answer(retry, 100, "Trying");
		const cancel = h.one();
		assert.equal(cancel.method, "CANCEL");
		assert.equal(branch(cancel), branch(retry));
		assert.equal(cseq(cancel), cseq(retry));
	});

	for (const [what, provisional] of [["a hang-up after only 100 Trying", 100], ["the ring timeout after 180 Ringing", 180]] as const) {
		test(`${what}, its CANCEL crossing a 200 OK: ACK, then BYE`, () => {
			const h = new UaHarness();
			const invite = ring(h);
			if (provisional === 100) {
				h.answer(invite, 100, "Trying");
				h.ua.hangup();
			} else {
				h.answer(invite, 180, "Ringing", { toTag: "a1" });
				h.clock.advance(30_000);
			}
			assert.equal(h.one().method, "CANCEL");
			h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
			const [ack, bye] = h.sent();
			assert.equal(ack.method, "ACK");
			assert.equal(bye.method, "BYE");
			assert.equal(h.ua.call, undefined);
			if (provisional === 100) assert.equal(h.ua.lastCall?.endReason, "answered just as it was being cancelled (hung up at the door; the 200 OK crossed the CANCEL): hung up with BYE");
		});
	}

	test("a ring the door ended itself is no problem: last_error stays as it was, whether the 487 came or the CANCEL's guard ended it", () => {
		for (const how of ["487", "guard", "hang-up"]) {
			const h = new UaHarness();
			const invite = ring(h);
			h.answer(invite, 180, "Ringing", { toTag: "a1" });
			if (how === "hang-up") h.ua.hangup();
			else h.clock.advance(30_000);
			const cancel = h.sent().find((m) => m.method === "CANCEL");
			assert.ok(cancel, how);
			h.answer(cancel, 200, "OK", { toTag: "a1" });
			if (how === "guard") h.clock.advance(40_000);
			else h.answer(invite, 487, "Request Terminated", { toTag: "a1" });
			assert.equal(h.ua.call, undefined, how);
			assert.equal(h.ua.lastError, "", `${how}: ${h.ua.lastError}`);
		}
	});

	test("CANCEL crossing a 200 OK: the log and the call's end say it was answered and then hung up", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 180, "Ringing", { toTag: "a1" });
		h.clock.advance(30_000);
		h.sent();
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		const reason = "answered just as the ring time of 30 s ran out (the 200 OK crossed the CANCEL): hung up with BYE";
		assert.equal(h.ua.lastCall?.endReason, reason);
		assert.equal(h.events[h.events.length - 1], `ended ${reason}`);
		assert.ok(h.logLines.some((l) => l.endsWith(`ended: ${reason}`)), h.logLines.join("\n"));
		assert.equal(h.logLines.some((l) => /ended: nobody answered/.test(l)), false);
	});

	test("a hang-up before the answer that crossed a 200 OK says so too", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 180, "Ringing", { toTag: "a1" });
		h.ua.hangup();
		h.sent();
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		assert.equal(h.ua.lastCall?.endReason, "answered just as it was being cancelled (hung up at the door; the 200 OK crossed the CANCEL): hung up with BYE");
	});

	test("a re-INVITE without an offer gets the INVITE's offer again, under the same o= version", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		h.sent();
		h.deliver(handsetRequest(invite, { method: "INVITE", branch: "z9hG4bKre1", headers: [`Contact: <sip:611@${PBX}:5060>`] }));
		const ok = h.one();
		assert.equal(ok.status, 200);
		assert.equal(ok.body, invite.body);
	});

	test("a 4xx ends the attempt with the reason in the status", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 404, "Not Found", { toTag: "n1" });
		assert.equal(h.one().method, "ACK");
		assert.equal(h.ua.call, undefined);
		assert.match(h.ua.lastError, /refused the call to \*\*610: 404 Not Found/);
	});

	test("the final 2xx SDP wins over a 183's", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.answer(invite, 183, "Session Progress", { toTag: "e1", body: OFFER.replace("7078", "9000") });
		h.answer(invite, 200, "OK", { toTag: "e1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		assert.equal(h.ua.call?.media?.remotePort, 7080);
	});

	test("a lost INVITE is retransmitted on Timer A until a provisional answer", () => {
		const h = new UaHarness();
		const invite = ring(h);
		h.clock.advance(500);
		const again = h.one();
		assert.equal(branch(again), branch(invite));
		h.clock.advance(1000);
		assert.equal(h.sent().length, 1);
		h.answer(invite, 100, "Trying");
		h.clock.advance(10_000);
		assert.equal(h.sent().length, 0);
	});
});

group("calls from a handset", () => {
	test("while the door stops (its un-REGISTER waits for the registrar), a call to it gets 480 and is not answered", () => {
		const h = new UaHarness();
		h.register();
		h.ua.stop();
		assert.equal(h.one().method, "REGISTER", "the un-REGISTER");
		h.deliver(inboundInvite());
		const answers = h.sent().filter((m) => m.status !== undefined && m.status >= 200);
		assert.deepEqual(answers.map((m) => m.status), [480]);
		assert.match(answers[0].header("warning") ?? "", /shutting down/);
		assert.equal(h.ua.call, undefined);
		assert.equal(h.events.some((e) => e.startsWith("established")), false);
	});

	test("answered with 200 OK and an SDP answer from the offer; 200 retransmitted until ACK", () => {
		const h = new UaHarness();
		h.register();
		h.deliver(inboundInvite());
		const [trying, ok] = h.sent();
		assert.equal(trying.status, 100);
		assert.equal(ok.status, 200);
		assert.match(ok.header("to")!, /;tag=\w+/);
		assert.equal(ok.header("contact"), `<sip:620@${LOCAL}:5062>`);
		assert.match(ok.body, /m=audio \d+ RTP\/AVP 8 101\r\n/, "PCMA first, as offered; telephone-event kept");
		assert.match(ok.body, /a=sendrecv/);
		assert.ok(h.events.includes("established PCMA"));
		h.clock.advance(500);
		assert.equal(h.one().status, 200);
		h.clock.advance(1000);
		assert.equal(h.one().status, 200);
		const toTag = param(ok.header("to")!.slice(ok.header("to")!.indexOf(">") + 1), "tag");
		h.deliver([
			`ACK sip:620@${LOCAL}:5062 SIP/2.0`,
			`Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKack1`,
			`From: "Küche" <sip:611@fritz.box>;tag=fb1`,
			`To: <sip:620@fritz.box>;tag=${toTag}`,
			"Call-ID: in-call-1@192.168.178.1",
			"CSeq: 100 ACK",
			"Content-Length: 0",
			"",
			"",
		].join("\n"));
		h.clock.advance(10_000);
		assert.equal(h.sent().length, 0, "no more retransmissions after the ACK");
		assert.equal(h.ua.call?.state, "answered");
	});

	test("no ACK: the call is torn down with BYE after Timer H", () => {
		const h = new UaHarness();
		h.register();
		h.deliver(inboundInvite());
		h.sent();
		h.clock.advance(32_000);
		const sent = h.sent();
		assert.equal(sent.filter((m) => m.status === 200).length, 10, "retransmissions at 0.5, 1.5, 3.5, 7.5, 11.5 … 31.5 s");
		const bye = sent.find((m) => m.method === "BYE");
		assert.ok(bye, "BYE sent");
		assert.equal(h.ua.call, undefined);
	});

	test("a lost ACK's timer never touches a later call: no BYE 32 s on for a call that already ended", () => {
		const h = new UaHarness();
		const first = h.answeredCall();
		// The ACK is lost; the handset hangs up.
		h.clock.advance(1000);
		h.deliver(first("BYE"));
		assert.ok(h.sent().some((m) => m.status === 200 && m.header("cseq")?.endsWith("BYE")));
		assert.equal(h.ua.call, undefined);
		const ended = h.events.filter((e) => e.startsWith("ended")).length;
		// A new call is taken and confirmed.
		h.deliver(inboundInvite({ callId: "in-call-2@192.168.178.1", branch: "z9hG4bKin2" }));
		const ok = h.sent().find((m) => m.status === 200 && m.header("call-id") === "in-call-2@192.168.178.1")!;
		h.deliver([
			`ACK sip:620@${LOCAL}:5062 SIP/2.0`, `Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKack2`, `From: "Küche" <sip:611@fritz.box>;tag=fb1`, `To: ${ok.header("to")}`,
			"Call-ID: in-call-2@192.168.178.1", "CSeq: 100 ACK", "Content-Length: 0", "", "",
		].join("\n"));
		const second = h.ua.call!;
		assert.equal(second.state, "answered");
		h.clock.advance(40_000);
		const sent = h.sent();
		assert.deepEqual(sent.filter((m) => m.method === "BYE").map((m) => m.header("call-id")), [], "no BYE for either call");
		assert.equal(h.ua.call, second, "the new call goes on");
		assert.equal(second.state, "answered");
		assert.equal(h.events.filter((e) => e.startsWith("ended")).length, ended, "the old call did not end a second time");
		assert.equal(h.ua.lastCall?.callId, "in-call-1@192.168.178.1");
		assert.equal(h.ua.lastCall?.endReason, "the other side hung up");
	});

	test("a retransmitted INVITE is absorbed and re-answered, a second call gets 486", () => {
		const h = new UaHarness();
		h.register();
		h.deliver(inboundInvite());
		h.sent();
		h.deliver(inboundInvite());
		assert.equal(h.one().status, 200);
		h.deliver(inboundInvite({ callId: "second@x", branch: "z9hG4bKin2" }));
		assert.equal(h.one().status, 486);
	});

	test("an INVITE from another address is refused with 403", () => {
		const h = new UaHarness();
		h.register();
		h.deliver(inboundInvite(), "192.168.178.99", 5060);
		const r = h.one();
		assert.equal(r.status, 403);
		assert.equal(h.ua.call, undefined);
	});

	test("no common codec: 488", () => {
		const h = new UaHarness();
		h.register();
		h.deliver(inboundInvite({ body: OFFER.replace("RTP/AVP 8 0 101", "RTP/AVP 3").replace(/a=rtpmap:(8|0|101) .*\r\n/g, "") }));
		const sent = h.sent();
		assert.equal(sent[sent.length - 1].status, 488);
		assert.equal(h.ua.call, undefined);
	});

	test("a body other than SDP gets 415 naming what the door takes in Accept (RFC 3261 §21.4.13), in a call's first INVITE and in a re-INVITE", () => {
		const multipart = ["--b1", "Content-Type: application/sdp", "", OFFER, "--b1--", ""].join("\r\n");
		const h = new UaHarness();
		h.register();
		h.deliver(inboundInvite({ body: multipart }).replace("Content-Type: application/sdp", "Content-Type: multipart/mixed;boundary=b1"));
		const refused = h.sent().find((m) => m.status >= 300)!;
		assert.equal(refused.status, 415);
		assert.match(refused.header("accept") ?? "", /^application\/sdp\b/);
		assert.equal(h.ua.call, undefined);
		const inCall = new UaHarness();
		const inDialog = inCall.answeredCall();
		inCall.deliver(inDialog("ACK"));
		inCall.deliver(inDialog("INVITE", ["Content-Type: text/plain"], "hello"));
		const again = inCall.one();
		assert.equal(again.status, 415);
		assert.match(again.header("accept") ?? "", /^application\/sdp\b/);
		assert.equal(inCall.ua.call?.state, "answered", "the call goes on");
	});

	test("G.722 in an offer is chosen before the G.711 listed first; with hd_voice off it is passed over", () => {
		const offer = OFFER.replace("RTP/AVP 8 0 101", "RTP/AVP 8 0 9 101").replace("a=rtpmap:0 ", "a=rtpmap:9 G722/8000\r\na=rtpmap:0 ");
		for (const [hdVoice, want] of [[true, /m=audio \d+ RTP\/AVP 9 101\r\na=rtpmap:9 G722\/8000\r\n/], [false, /m=audio \d+ RTP\/AVP 8 101\r\na=rtpmap:8 PCMA\/8000\r\n/]] as const) {
			const h = new UaHarness({ hdVoice });
			h.register();
			h.deliver(inboundInvite({ body: offer }));
			const ok = h.sent().find((m) => m.status === 200 && m.body.length > 0)!;
			assert.match(ok.body, want);
			assert.equal(h.ua.call!.media!.codec, hdVoice ? "G722" : "PCMA");
		}
		const h = new UaHarness({ hdVoice: false });
		h.register();
		h.deliver(inboundInvite({ body: OFFER.replace("RTP/AVP 8 0 101", "RTP/AVP 9 101").replace(/a=rtpmap:(8|0) .*\r\n/g, "") }));
		const sent = h.sent();
		assert.equal(sent[sent.length - 1].status, 488, "only G.722 offered, hd_voice off");
	});

	test("in-dialog INFO (dtmf-relay and dtmf), OPTIONS, UPDATE and re-INVITE get 200; unknown methods 501", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("INFO", ["Content-Type: application/dtmf-relay"], "Signal=1\r\nDuration=160\r\n"));
		assert.equal(h.one().status, 200);
		h.deliver(inDialog("INFO", ["Content-Type: application/dtmf"], "2"));
		assert.equal(h.one().status, 200);
		h.deliver(inDialog("OPTIONS"));
		assert.equal(h.one().status, 200);
		h.deliver(inDialog("UPDATE"));
		assert.equal(h.one().status, 200);
		h.deliver(inDialog("INVITE", ["Content-Type: application/sdp"], OFFER.replace(/\r\n/g, "\n")));
		const reinvite = h.one();
		assert.equal(reinvite.status, 200);
		assert.match(reinvite.body, /m=audio/);
		h.deliver(inDialog("FROBNICATE"));
		assert.equal(h.one().status, 501);
		assert.deepEqual(h.events.filter((e) => e.startsWith("dtmf")), ["dtmf 1", "dtmf 2"]);
	});

	test("a second re-INVITE stands for the first one's lost ACK: the first's 200 is no longer sent, its late ACKs change nothing, the call goes on", () => {
		const h = new UaHarness({ talkLimit: 600 });
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		h.sent();
		const ack = (seq: number) => inDialog("ACK").replace("CSeq: 100 ACK", `CSeq: ${seq} ACK`);
		h.deliver(inDialog("INVITE", ["Content-Type: application/sdp"], OFFER.replace("7078", "7090")));
		assert.equal(h.one().header("cseq"), "102 INVITE");
		// The ACK for 102 is lost; the handset goes on with 103 and ACKs it.
		h.deliver(inDialog("INVITE", ["Content-Type: application/sdp"], OFFER.replace("7078", "7092")));
		assert.equal(h.one().header("cseq"), "103 INVITE");
		h.deliver(ack(103));
		h.deliver(ack(102));
		const resent: string[] = [];
		for (let t = 0; t < 40_000; t += 500) {
			h.clock.advance(500);
			for (const m of h.sent()) {
				resent.push(`${m.method || m.status} ${m.header("cseq")}`);
				if (m.status === 200) h.deliver(ack(102));
			}
		}
		assert.deepEqual(resent, [], "neither 200 sent again, no BYE");
		assert.equal(h.ua.call?.state, "answered");
		assert.equal(h.ua.call?.media?.remotePort, 7092, "the second re-INVITE's media");
		assert.equal(h.ua.layer.serverCount, 0, "both re-INVITEs' transactions are over");
	});

	test("a re-INVITE without an offer gets the door's offer in its 200 (a new o= version only when the door's SDP changed); the answer in the ACK moves the media, an ACK without a usable one leaves it", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		const call = h.ua.call!;
		const origin = (version: number) => `o=- ${call.localMedia.sessionId} ${version} IN IP4 ${LOCAL}\r\n`;
		const ack = (seq: number, body = "") => inDialog("ACK", body ? ["Content-Type: application/sdp"] : [], body).replace("CSeq: 100 ACK", `CSeq: ${seq} ACK`);
		h.deliver(inDialog("INVITE"));
		const ok = h.one();
		assert.equal(ok.status, 200);
		assert.equal(ok.header("content-type"), "application/sdp");
		assert.match(ok.body, /m=audio 40000 RTP\/AVP 9 0 8 101\r\n/, "the door's short offer");
		assert.ok(ok.body.includes(origin(2)), `a new version after the door's answer: ${ok.body}`);
		assert.equal(call.media?.remotePort, 7078, "nothing agreed before the answer");
		h.deliver(ack(cseq(ok), ANSWER));
		assert.equal(call.media?.remotePort, 7080);
		assert.equal(call.media?.codec, "PCMU");
		assert.equal(h.events[h.events.length - 1], "established PCMU");
		h.clock.advance(10_000);
		assert.equal(h.sent().length, 0, "the ACK ended the 200's retransmissions");
		h.deliver(inDialog("INVITE"));
		const again = h.one();
		assert.equal(again.body, ok.body, "nothing changed at the door: the same offer under the same version");
		h.deliver(ack(cseq(again)));
		assert.equal(call.media?.remotePort, 7080);
		assert.ok(h.logLines.some((l) => /^warn .*ACK.*no SDP answer.*media stays/.test(l)), h.logLines.join("\n"));
		h.deliver(inDialog("INVITE"));
		h.deliver(ack(cseq(h.one()), ANSWER.replace("m=audio 7080 RTP/AVP 0 101", "m=audio 7090 RTP/AVP 18 101")));
		assert.equal(call.media?.remotePort, 7080);
		assert.ok(h.logLines.some((l) => /^warn .*ACK.*chose no codec.*media stays/.test(l)), h.logLines.join("\n"));
		assert.equal(call.state, "answered");
		assert.equal(h.sent().length, 0);
	});

	test("an UPDATE with an offer while the door's offer in a re-INVITE's 200 awaits its answer in the ACK gets 491 and changes nothing (RFC 3311 §5.2); after the ACK one is answered", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		const call = h.ua.call!;
		h.deliver(inDialog("INVITE"));
		const ok = h.one();
		assert.equal(ok.status, 200);
		h.deliver(inDialog("UPDATE", ["Content-Type: application/sdp"], OFFER.replace("7078", "7094")));
		const pending = h.one();
		assert.equal(pending.status, 491);
		assert.equal(pending.body, "");
		assert.equal(call.media?.remotePort, 7078, "the media stays as it was");
		h.deliver(inDialog("ACK", ["Content-Type: application/sdp"], ANSWER).replace("CSeq: 100 ACK", `CSeq: ${cseq(ok)} ACK`));
		assert.equal(call.media?.remotePort, 7080, "the ACK's answer to the door's offer is taken");
		h.deliver(inDialog("UPDATE", ["Content-Type: application/sdp"], OFFER.replace("7078", "7094")));
		const answered = h.one();
		assert.equal(answered.status, 200);
		assert.match(answered.body, /m=audio 40000 /);
		assert.equal(call.media?.remotePort, 7094);
	});

	test("a re-INVITE whose offer the door refuses (488) uses up no o= version: the next answer is one above the last SDP sent (RFC 3264 §8)", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		const call = h.ua.call!;
		const version = (m: SipMessage) => Number(/^o=- \d+ (\d+) /m.exec(m.body)?.[1]);
		const noCodec = OFFER.replace("RTP/AVP 8 0 101", "RTP/AVP 3").replace(/a=rtpmap:(8|0|101) .*\r\n/g, "");
		h.deliver(inDialog("INVITE", ["Content-Type: application/sdp"], noCodec));
		const refused = h.one();
		assert.equal(refused.status, 488);
		assert.equal(refused.body, "", "a refusal carries no SDP");
		assert.equal(call.media?.remotePort, 7078, "the media stays as it was");
		h.deliver(inDialog("INVITE", ["Content-Type: application/sdp"], OFFER.replace("7078", "7090")));
		const ok = h.one();
		assert.equal(ok.status, 200);
		assert.equal(version(ok), 2, `the call's first answer was version 1: ${ok.body}`);
	});

	test("a CANCEL of an answered re-INVITE gets 200 and changes nothing (RFC 3261 §9.2); one matching no INVITE gets 481", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		const call = h.ua.call!;
		/** The CANCEL of a request: its branch, From, To, Call-ID and CSeq number. */
		const cancelOf = (request: string) =>
			request.slice(0, request.indexOf("\n\n")).split("\n").filter((l) => !l.startsWith("Content-")).join("\n").replace(/^INVITE/, "CANCEL").replace(/ INVITE$/m, " CANCEL") + "\nContent-Length: 0\n\n";
		const reinvite = inDialog("INVITE", ["Content-Type: application/sdp"], OFFER.replace("7078", "7090"));
		h.deliver(reinvite);
		assert.equal(h.one().status, 200);
		h.deliver(cancelOf(reinvite));
		const cancelled = h.one();
		assert.equal(cancelled.status, 200);
		assert.equal(cancelled.header("cseq"), "102 CANCEL");
		assert.equal(call.state, "answered");
		assert.equal(call.media?.remotePort, 7090, "the re-INVITE stands");
		h.deliver(cancelOf(reinvite.replace("branch=z9hG4bKINVITE102", "branch=z9hG4bKother")));
		assert.equal(h.one().status, 481);
		h.deliver(inDialog("INFO", ["Content-Type: application/dtmf"], "2"));
		assert.equal(h.one().status, 200, "the dialog's CSeq goes on");
		assert.deepEqual(h.events.filter((e) => e.startsWith("dtmf")), ["dtmf 2"]);
		assert.equal(h.ua.call, call);
	});

	test("OPTIONS outside a call gets 200 with Allow", () => {
		const h = new UaHarness();
		h.register();
		h.deliver([`OPTIONS sip:620@${LOCAL}:5062 SIP/2.0`, `Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKo1`, "From: <sip:fritz.box>;tag=o", "To: <sip:620@fritz.box>", "Call-ID: opt1", "CSeq: 1 OPTIONS", "Content-Length: 0", "", ""].join("\n"));
		const r = h.one();
		assert.equal(r.status, 200);
		assert.match(r.header("allow")!, /INVITE.*BYE.*INFO/);
	});
});

group("transaction timers", () => {
	test("an unanswered BYE's client transaction ends on Timer F with a warning, an OPTIONS's server transaction on Timer J", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		assert.equal(h.ua.layer.serverCount, 0, "the INVITE's transaction ends with the ACK of its 2xx");
		h.clock.advance(5_000);
		assert.equal(h.ua.layer.clientCount, 0, "the answered REGISTER's ends on Timer K");
		h.ua.hangup();
		const bye = h.one();
		assert.equal(bye.method, "BYE");
		assert.equal(h.ua.layer.clientCount, 1);
		h.clock.advance(31_999);
		assert.equal(h.sent().filter((m) => m.method === "BYE").length, 10, "retransmitted at 0.5, 1.5, 3.5, 7.5, 11.5 … 31.5 s");
		assert.equal(h.ua.layer.clientCount, 1);
		assert.equal(h.logLines.some((l) => l.includes("no answer to BYE")), false);
		h.clock.advance(1);
		assert.equal(h.ua.layer.clientCount, 0, "gone at Timer F");
		assert.ok(h.logLines.some((l) => l.includes("no answer to BYE for in-call-1@192.168.178.1")), h.logLines.join("\n"));
		const options = [`OPTIONS sip:620@${LOCAL}:5062 SIP/2.0`, `Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKo7`, "From: <sip:fritz.box>;tag=o", "To: <sip:620@fritz.box>", "Call-ID: opt7", "CSeq: 1 OPTIONS", "Content-Length: 0", "", ""].join("\n");
		h.deliver(options);
		assert.equal(h.sent().filter((m) => m.status === 200).length, 1);
		assert.equal(h.ua.layer.serverCount, 1);
		h.clock.advance(31_999);
		h.deliver(options);
		assert.equal(h.sent().filter((m) => m.status === 200).length, 1, "a retransmitted OPTIONS gets the same answer again before Timer J");
		assert.equal(h.ua.layer.serverCount, 1);
		h.clock.advance(1);
		assert.equal(h.ua.layer.serverCount, 0, "gone at Timer J (64 T1)");
	});

	test("a CANCEL and the BYE for a crossed 200 OK need no callbacks: both end on their answers and timers", () => {
		const h = new UaHarness();
		h.register();
		h.ua.ring();
		const invite = h.sent().find((m) => m.method === "INVITE")!;
		h.answer(invite, 180, "Ringing", { toTag: "c1" });
		h.ua.hangup();
		const cancel = h.sent().find((m) => m.method === "CANCEL")!;
		h.answer(cancel, 200, "OK", { toTag: "c1" });
		h.answer(invite, 200, "OK", { toTag: "c1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		const bye = h.sent().find((m) => m.method === "BYE")!;
		h.answer(bye, 200, "OK", { toTag: "c1" });
		h.clock.advance(5_000);
		assert.equal(h.ua.layer.clientCount, 1, "only the INVITE's, accepted, until Timer M");
		h.clock.advance(27_000);
		assert.equal(h.ua.layer.clientCount, 0);
		assert.equal(h.ua.call, undefined);
	});
});
