/*
 * A new address of the door (its network came up or changed): what failed for want of a network,
 * or still waits for a first answer, is tried now instead of after its back-off, and a
 * registration that holds is refreshed now when its Contact has an address the door no longer
 * has; a refusal, a registration from the address the door still has and an attempt the
 * registrar has answered are left alone; and a network that comes and goes has the door ask no
 * more often than NETWORK_RETRY_GAP_MS.
 */

import { test, group, assert } from "../lib/spec.js";
import { UaHarness, LOCAL, PBX } from "../lib/ua-harness.js";
import { NETWORK_RETRY_GAP_MS } from "../../sip/registration.js";
import type { SipMessage } from "../../sip/message.js";

const CHALLENGE = 'Digest realm="fritz.box", nonce="5FCC4D494638D516", qop="auth"';

function granting(expires: number): { toTag: string; headers: string[] } {
	return { toTag: "reg1", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=${expires}`] };
}

/** Where the door is after DHCP gave it another address. */
const MOVED = "192.168.178.31";

/** The address of a REGISTER's Contact. */
function contactAddress(m: SipMessage): string | undefined {
	return /@([^:>;]*)/.exec(m.header("contact") ?? "")?.[1];
}

group("registration: a new address of the door", () => {
	test("an attempt that went unanswered: the next one at once (its lookup first), not at the end of its 15 s back-off", () => {
		const h = new UaHarness();
		h.ua.start();
		h.one();
		h.clock.advance(32_000);
		h.sent();
		assert.equal(h.ua.registration.state, "failed");
		h.clock.advance(5_000);
		h.holdLookups = true;
		h.ua.networkChanged();
		assert.equal(h.lookups.length, 1, "the PBX's name looked up again");
		h.lookups.shift()!(undefined, PBX);
		const register = h.one();
		assert.equal(register.method, "REGISTER");
		h.answer(register, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
	});

	test("the lookup before a retry still running (asked over no network): looked up again at once and the REGISTER sent, not after the lookup's 15 s time-out", () => {
		const h = new UaHarness();
		h.register(120);
		// The refresh goes unanswered (the network is gone): Timer F, then 15 s of back-off.
		h.clock.advance(60_000);
		h.one();
		h.clock.advance(32_000);
		h.sent();
		assert.equal(h.ua.registration.state, "failed");
		h.holdLookups = true;
		h.clock.advance(15_000);
		assert.equal(h.lookups.length, 1, "the attempt looks the PBX up first");
		const stale = h.lookups.shift()!;
		h.clock.advance(3_000);
		h.ua.networkChanged();
		assert.equal(h.lookups.length, 1, "looked up again at once, over the network now up");
		h.lookups.shift()!(undefined, PBX);
		const register = h.one();
		assert.equal(register.method, "REGISTER");
		h.answer(register, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
		stale(undefined, PBX);
		assert.deepEqual(h.sentDuring(15_000), [], "the first lookup's late answer sends nothing, nor does its time-out");
	});

	test("the lookup before a retry still running, within NETWORK_RETRY_GAP_MS of its start: looked up again once that pause is over", () => {
		const h = new UaHarness();
		h.ua.start();
		h.one();
		h.clock.advance(32_000);
		h.sent();
		h.holdLookups = true;
		h.clock.advance(15_000);
		assert.equal(h.lookups.length, 1);
		h.clock.advance(500);
		h.ua.networkChanged();
		assert.equal(h.lookups.length, 1, "not within the pause");
		h.clock.advance(NETWORK_RETRY_GAP_MS - 500);
		assert.equal(h.lookups.length, 2, "the new lookup when the pause is over");
		h.lookups.pop()!(undefined, PBX);
		assert.equal(h.one().method, "REGISTER");
	});

	test("a refused login keeps its back-off: no REGISTER before its minute is over", () => {
		const h = new UaHarness();
		h.ua.start();
		h.answer(h.one(), 403, "Forbidden", { toTag: "x" });
		assert.equal(h.ua.registration.state, "failed");
		h.clock.advance(10_000);
		h.ua.networkChanged();
		assert.deepEqual(h.sentDuring(49_000), []);
		assert.equal(h.sentDuring(2_000)[0], "REGISTER at 60000");
	});

	test("a registration that holds from the address the door has, and an attempt the registrar has challenged, are left alone", () => {
		const h = new UaHarness();
		h.ua.start();
		h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		const authenticated = h.one();
		h.clock.advance(5_000);
		h.sent();
		h.ua.networkChanged();
		assert.deepEqual(h.sent(), [], "the challenged attempt goes on");
		h.answer(authenticated, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
		h.clock.advance(5_000);
		h.ua.networkChanged();
		assert.deepEqual(h.sentDuring(50_000), [], "nothing before the refresh is due");
		assert.equal(h.ua.registration.state, "registered");
	});

	test("registered, then another address: the REGISTER with the new Contact goes out at once on the binding's Call-ID, not at the refresh", () => {
		const h = new UaHarness();
		h.ua.start();
		const first = h.one();
		assert.equal(contactAddress(first), LOCAL);
		h.answer(first, 200, "OK", granting(120));
		h.clock.advance(10_000);
		h.address = MOVED;
		h.ua.networkChanged();
		const register = h.one();
		assert.equal(register.method, "REGISTER");
		assert.equal(contactAddress(register), MOVED);
		assert.match(register.header("via") ?? "", /192\.168\.178\.31:5062/);
		assert.equal(register.header("call-id"), first.header("call-id"));
		assert.equal(register.header("expires"), "120");
		h.answer(register, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
		h.ua.networkChanged();
		assert.deepEqual(h.sentDuring(59_000), [], "the same address again: nothing until the next refresh");
		h.clock.advance(1_000);
		assert.equal(contactAddress(h.one()), MOVED, "the refresh 60 s after the new address's REGISTER");
	});

	test("registered, and the same address again (a DHCP renewal): nothing is sent", () => {
		const h = new UaHarness();
		h.register(120);
		h.clock.advance(30_000);
		h.ua.networkChanged();
		assert.deepEqual(h.sentDuring(29_900), []);
		assert.equal(h.sentDuring(200)[0], "REGISTER at 60000", "the refresh when due");
	});

	test("another address within NETWORK_RETRY_GAP_MS of the last REGISTER: the new Contact registers once that pause is over", () => {
		const h = new UaHarness();
		h.register(120);
		h.clock.advance(500);
		h.address = MOVED;
		h.ua.networkChanged();
		assert.deepEqual(h.sent(), []);
		h.clock.advance(NETWORK_RETRY_GAP_MS - 500);
		const register = h.one();
		assert.equal(contactAddress(register), MOVED);
		assert.equal(h.clock.now(), NETWORK_RETRY_GAP_MS);
	});

	test("registered, the address flapping every 100 ms and every REGISTER answered at once: REGISTERs at least NETWORK_RETRY_GAP_MS apart, and the last Contact is the address the door has", () => {
		const h = new UaHarness();
		h.register(120);
		const starts: number[] = [];
		let contact: string | undefined;
		const answerAll = () => {
			for (const m of h.sent()) {
				starts.push(h.clock.now());
				contact = contactAddress(m);
				h.answer(m, 200, "OK", granting(120));
			}
		};
		for (let t = 0; t < 20_000; t += 100) {
			h.address = h.address === LOCAL ? MOVED : LOCAL;
			h.ua.networkChanged();
			answerAll();
			h.clock.advance(100);
		}
		assert.ok(starts.length >= 5, `${starts.length} REGISTERs`);
		for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= NETWORK_RETRY_GAP_MS, `REGISTER ${i + 1} came ${starts[i] - starts[i - 1]} ms after the one before`);
		h.address = MOVED;
		h.ua.networkChanged();
		for (let t = 0; t < NETWORK_RETRY_GAP_MS; t += 100) {
			answerAll();
			h.clock.advance(100);
		}
		answerAll();
		assert.equal(contact, MOVED, "the last REGISTER has the address the door kept");
		assert.equal(h.ua.registration.state, "registered");
		h.ua.networkChanged();
		assert.deepEqual(h.sent(), [], "and the same address again sends nothing");
	});

	test("an address every 100 ms while the PBX does not answer: new attempts at least NETWORK_RETRY_GAP_MS apart, only the newest retransmitted", () => {
		const h = new UaHarness({ server: PBX });
		h.ua.start();
		const starts: number[] = [];
		const cseqs = new Set<string>();
		let last = "";
		for (let t = 0; t < 20_000; t += 100) {
			h.ua.networkChanged();
			for (const m of h.sent()) {
				const cseq = m.header("cseq") ?? "";
				if (cseq !== last) {
					assert.ok(!cseqs.has(cseq), `no retransmission of an abandoned attempt (${cseq})`);
					cseqs.add(cseq);
					starts.push(h.clock.now());
					last = cseq;
				}
			}
			h.clock.advance(100);
		}
		assert.ok(starts.length >= 5, `${starts.length} attempts`);
		for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= NETWORK_RETRY_GAP_MS, `attempt ${i + 1} came ${starts[i] - starts[i - 1]} ms after the one before`);
	});

	test("a lookup at the start that failed: made again at once, not after its 30 s pause; then no sooner than NETWORK_RETRY_GAP_MS after the last", () => {
		const h = new UaHarness();
		h.holdLookups = true;
		h.ua.start();
		h.lookups.shift()!(new Error("EAI_AGAIN"));
		h.clock.advance(10_000);
		h.ua.networkChanged();
		assert.equal(h.lookups.length, 1, "looked up again at once");
		h.lookups.shift()!(new Error("EAI_AGAIN"));
		h.clock.advance(500);
		h.ua.networkChanged();
		assert.equal(h.lookups.length, 0, "not within NETWORK_RETRY_GAP_MS of the last");
		h.clock.advance(NETWORK_RETRY_GAP_MS - 500);
		assert.equal(h.lookups.length, 1);
		h.lookups.shift()!(undefined, PBX);
		h.answer(h.one(), 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
		h.clock.advance(30_000);
		assert.equal(h.lookups.length, 0, "the failed lookup's retry is gone");
	});
});
