/*
 * Floods: every table a sender can grow in the SIP stack stays within its bound, a stranger's
 * flood never pushes out the PBX's transactions, and a call from the PBX works meanwhile.
 * The flood runs at 2,000 requests a second on the fake clock; the live entries are counted.
 */

import { test, group, assert } from "../lib/spec.js";
import { UaHarness, floodInfo, inboundInvite, LOCAL, OFFER, PBX } from "../lib/ua-harness.js";
import { MAX_SERVER_TRANSACTIONS, MAX_STRANGER_TRANSACTIONS } from "../../sip/transaction-layer.js";
import { MAX_REFUSED } from "../../sip/refused-answers.js";
import { MAX_OTHER_FORKS } from "../../sip/outbound-call.js";

/** A host that is not the PBX (loopback, as every address in the tests). */
const STRANGER = "127.0.0.2";
/** Requests a second, and the flood's length. */
const RATE = 2000;
const FLOOD = 30_000;
/** Timers a live transaction may hold (retransmission and deadline), plus registration's and the call's. */
const TIMER_BOUND = 2 * MAX_SERVER_TRANSACTIONS + 8;

interface Peak {
	servers: number;
	timers: number;
	refused: number;
}

/** Delivers `count` flood requests from `hosts` in turn at RATE a second, counting the live entries. */
function flood(h: UaHarness, from: number, count: number, hosts: string[], peak: Peak): void {
	const batch = 100;
	for (let i = from; i < from + count; i++) {
		h.deliver(floodInfo(i, hosts[i % hosts.length]), hosts[i % hosts.length], 5060);
		if ((i + 1) % batch === 0) {
			h.clock.advance((batch * 1000) / RATE);
			h.socket.take();
		}
		peak.servers = Math.max(peak.servers, h.ua.layer.serverCount);
		peak.refused = Math.max(peak.refused, h.ua.layer.refusedCount);
		peak.timers = Math.max(peak.timers, h.clock.pending);
	}
}

function newPeak(): Peak {
	return { servers: 0, timers: 0, refused: 0 };
}

group("SIP floods", () => {
	test(`${FLOOD} requests at ${RATE}/s from a stranger and the PBX stay within the bounds, and a call from the PBX works meanwhile`, () => {
		const h = new UaHarness();
		h.register();
		h.socket.take();
		const peak = newPeak();
		flood(h, 0, FLOOD / 2, [STRANGER, PBX], peak);

		// A handset calls the door in the middle of the flood.
		h.deliver(inboundInvite({ callId: "flood-call@fritz.box", branch: "z9hG4bKfloodcall" }));
		const answered = h.sent().filter((m) => m.header("call-id") === "flood-call@fritz.box");
		assert.deepEqual(answered.map((m) => m.status), [100, 200]);
		const ok = answered[1];
		flood(h, FLOOD / 2, 1000, [STRANGER, PBX], peak);
		// Its INVITE transaction survived 1,000 more requests: a retransmitted INVITE gets the same 200 OK.
		h.deliver(inboundInvite({ callId: "flood-call@fritz.box", branch: "z9hG4bKfloodcall" }));
		const again = h.sent().filter((m) => m.header("call-id") === "flood-call@fritz.box");
		assert.equal(again.length, 1);
		assert.equal(again[0].status, 200);
		assert.equal(again[0].header("to"), ok.header("to"));
		const to = ok.header("to")!;
		const inDialog = (method: string, cseq: number, extra: string[] = [], body = "") => [
			`${method} sip:620@${LOCAL}:5062 SIP/2.0`,
			`Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKfloodcall${method}${cseq}`,
			`From: "Küche" <sip:611@fritz.box>;tag=fb1`,
			`To: ${to}`,
			"Call-ID: flood-call@fritz.box",
			`CSeq: ${cseq} ${method}`,
			...extra,
			`Content-Length: ${body.length}`,
			"",
			body,
		].join("\r\n");
		h.deliver(inDialog("ACK", 100));
		assert.equal(h.ua.call?.state, "answered");
		flood(h, FLOOD / 2 + 1000, 2000, [STRANGER, PBX], peak);
		h.deliver(inDialog("INFO", 101, ["Content-Type: application/dtmf-relay"], "Signal=5\r\nDuration=160\r\n"));
		assert.deepEqual(h.events.filter((e) => e.startsWith("dtmf")), ["dtmf 5"]);
		flood(h, FLOOD / 2 + 3000, FLOOD / 2 - 3000, [STRANGER, PBX], peak);
		assert.equal(h.ua.call?.state, "answered", "the call lives through the flood");
		h.deliver(inDialog("BYE", 102));
		const bye = h.sent().filter((m) => m.header("call-id") === "flood-call@fritz.box");
		assert.deepEqual(bye.map((m) => m.status), [200]);
		assert.equal(h.ua.call, undefined);
		assert.deepEqual(h.events.filter((e) => e.startsWith("dtmf")), ["dtmf 5"], "no flood INFO reached the door");

		assert.ok(peak.servers <= MAX_SERVER_TRANSACTIONS, `server transactions peaked at ${peak.servers} (bound ${MAX_SERVER_TRANSACTIONS})`);
		assert.ok(peak.refused <= MAX_REFUSED, `refused answers peaked at ${peak.refused} (bound ${MAX_REFUSED})`);
		assert.ok(peak.timers <= TIMER_BOUND, `timers peaked at ${peak.timers} (bound ${TIMER_BOUND})`);
		// 15,000 refusals over 15 s: one log line a second, each naming how many it stands for.
		const refusals = h.logLines.filter((l) => l.includes("(not the PBX)"));
		assert.ok(refusals.length >= 15 && refusals.length <= 16, `${refusals.length} log lines about refusals`);
		assert.match(refusals[1], /and 999 more refused requests before it/);
		// After the flood everything dies out except the registration's refresh.
		h.clock.advance(64_000);
		assert.equal(h.ua.layer.serverCount, 0);
		assert.equal(h.ua.layer.refusedCount, 0);
	});

	test("a request refused with 403 gets no transaction; its retransmission gets the same answer", () => {
		const h = new UaHarness();
		h.register();
		h.socket.take();
		const timers = h.clock.pending;
		h.deliver(floodInfo(1, STRANGER), STRANGER, 5060);
		const first = h.sent();
		assert.deepEqual(first.map((m) => m.status), [403]);
		assert.equal(h.ua.layer.serverCount, 0, "no transaction for a refused request");
		assert.equal(h.clock.pending, timers, "no timer either");
		h.deliver(floodInfo(1, STRANGER), STRANGER, 5060);
		const second = h.sent();
		assert.deepEqual(second.map((m) => m.status), [403]);
		assert.equal(second[0].header("to"), first[0].header("to"), "the same answer again");
		assert.equal(h.logLines.filter((l) => l.includes("refused INFO")).length, 1, "the retransmission is not logged again");
	});

	test("a stranger's flood never pushes out the PBX's transactions (allow_any_src on)", () => {
		const h = new UaHarness({ allowAnySource: true });
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		h.socket.take();
		const digit = inDialog("INFO", ["Content-Type: application/dtmf-relay"], "Signal=1\r\nDuration=160\r\n");
		h.deliver(digit);
		assert.equal(h.one().status, 200);
		const peak = newPeak();
		flood(h, 0, 5000, [STRANGER, "127.0.0.3"], peak);
		assert.ok(peak.servers <= MAX_SERVER_TRANSACTIONS, `server transactions peaked at ${peak.servers}`);
		assert.ok(h.ua.layer.strangerCount <= MAX_STRANGER_TRANSACTIONS, `strangers hold ${h.ua.layer.strangerCount}`);
		// The PBX's INFO is still known: its retransmission is answered again and counts no second digit.
		h.deliver(digit);
		assert.equal(h.one().status, 200);
		assert.deepEqual(h.events.filter((e) => e.startsWith("dtmf")), ["dtmf 1"]);
	});

	test("a flood from the PBX's own address drops the PBX's oldest finished transactions, never the call's", () => {
		const h = new UaHarness();
		h.register();
		h.deliver(inboundInvite());
		const ok = h.sent().find((m) => m.status === 200)!;
		const peak = newPeak();
		flood(h, 0, 1000, [PBX], peak);
		assert.ok(peak.servers <= MAX_SERVER_TRANSACTIONS, `server transactions peaked at ${peak.servers}`);
		// The unacknowledged 200 OK is still retransmitted by its transaction (Timer G).
		h.clock.advance(4000);
		assert.ok(h.sent().some((m) => m.status === 200 && m.header("to") === ok.header("to")), "the 200 OK is still retransmitted");
	});

	test(`2xx from ever new forks of the door's call end at most ${MAX_OTHER_FORKS} of them with a BYE; each is ACKed`, () => {
		const h = new UaHarness();
		h.register();
		h.ua.ring();
		const invite = h.one();
		const answer = OFFER.replace("m=audio 7078 RTP/AVP 8 0 101", "m=audio 7080 RTP/AVP 0 101");
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: answer });
		assert.equal(h.one().method, "ACK");
		for (let i = 0; i < 50; i++) {
			h.answer(invite, 200, "OK", { toTag: `fork${i % 25}`, headers: [`Contact: <sip:612@${PBX}:5060>`], body: answer });
		}
		const sent = h.sent();
		assert.equal(sent.filter((m) => m.method === "ACK").length, 50, "every 2xx is acknowledged");
		const byes = sent.filter((m) => m.method === "BYE");
		assert.equal(byes.length, MAX_OTHER_FORKS, "one BYE per other fork, up to the bound");
		assert.ok(h.ua.layer.clientCount <= MAX_OTHER_FORKS + 2, `client transactions: ${h.ua.layer.clientCount}`);
		assert.equal(h.ua.call?.state, "answered", "the first fork's call goes on");
	});
});
