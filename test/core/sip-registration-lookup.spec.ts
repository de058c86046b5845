/*
 * The PBX's name looked up again: a FRITZ!Box given another address is found at the next
 * registration attempt after a failure (one lookup an attempt, none while registered), and its
 * requests from there are taken. A lookup that a newer start, stop or account overtook changes
 * nothing, and only one lookup runs at a time.
 */

import { test, group, assert } from "../lib/spec.js";
import { UaHarness, inboundInvite, LOCAL, PBX } from "../lib/ua-harness.js";
import { buildResponse } from "../../sip/serializer.js";
import type { SipMessage } from "../../sip/message.js";
import type { Sent } from "../lib/fake-udp.js";

/** Where fritz.box points after the box moved. */
const MOVED = "192.168.178.2";

function granting(expires: number): { toTag: string; headers: string[] } {
	return { toTag: "reg1", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=${expires}`] };
}

/** The only message sent since the last look, with where it went. */
function oneTo(h: UaHarness): SipMessage & { to: Sent } {
	const all = h.sent();
	assert.equal(all.length, 1, all.map((m) => m.method || m.status).join(", "));
	return all[0];
}

/** Registered through a held lookup answered with the PBX, then its refresh at 60 s timed out (at 92 s). */
function refreshTimedOut(h: UaHarness): void {
	h.holdLookups = true;
	h.ua.start();
	h.lookups.shift()!(undefined, PBX);
	h.answer(h.one(), 200, "OK", granting(120));
	h.clock.advance(60_000);
	assert.equal(oneTo(h).method, "REGISTER");
	h.clock.advance(32_000);
	h.sent();
	assert.equal(h.ua.registration.state, "failed");
	assert.equal(h.lookups.length, 0, "no lookup before the next attempt is due");
}

group("registration: the PBX's name looked up again", () => {
	test("the box moved: after a timed-out refresh the next attempt looks it up and goes to the new address, whose INVITE is taken", () => {
		const h = new UaHarness();
		refreshTimedOut(h);
		h.clock.advance(15_000);
		assert.equal(h.lookups.length, 1, "one lookup when the next attempt is due");
		assert.deepEqual(h.sent(), [], "the REGISTER waits for the lookup");
		h.lookups.shift()!(undefined, MOVED);
		const register = oneTo(h);
		assert.equal(register.method, "REGISTER");
		assert.equal(register.to.address, MOVED);
		assert.deepEqual(h.ua.pbx, { address: MOVED, port: 5060 });
		h.socket.deliver(buildResponse(register, 200, "OK", granting(120)), MOVED, 5060);
		assert.equal(h.ua.registration.state, "registered");
		h.deliver(inboundInvite({ branch: "z9hG4bKmoved" }).replaceAll(PBX, MOVED), MOVED);
		assert.deepEqual(h.sent().map((m) => m.status), [100, 200], "the moved box's INVITE is answered");
		assert.equal(h.lookups.length, 0);
	});

	test("after an error answer too, one lookup an attempt and none between", () => {
		const h = new UaHarness();
		h.holdLookups = true;
		h.ua.start();
		h.lookups.shift()!(undefined, PBX);
		let lookups = 0, attempts = 0;
		for (let t = 0; t < 60_000; t += 100) {
			for (const m of h.sent()) {
				attempts++;
				h.answer(m, 503, "Service Unavailable", { toTag: "x", headers: ["Retry-After: 10"] });
			}
			assert.ok(h.lookups.length <= 1, "one lookup at a time");
			while (h.lookups.length) {
				lookups++;
				h.lookups.shift()!(undefined, PBX);
			}
			h.clock.advance(100);
		}
		assert.equal(attempts, 6);
		assert.equal(lookups, 5, "one before each attempt after the first");
	});

	test("registered: refreshes ask no lookup", () => {
		const h = new UaHarness();
		h.holdLookups = true;
		h.ua.start();
		h.lookups.shift()!(undefined, PBX);
		h.answer(h.one(), 200, "OK", granting(120));
		for (let i = 0; i < 5; i++) {
			h.clock.advance(60_000);
			h.answer(h.one(), 200, "OK", granting(120));
		}
		assert.equal(h.lookups.length, 0);
	});

	test("a PBX given as an IPv4 address is not looked up again", () => {
		const h = new UaHarness({ server: PBX });
		refreshTimedOut(h);
		h.clock.advance(15_000);
		assert.equal(h.lookups.length, 0);
		assert.equal(oneTo(h).to.address, PBX);
	});

	test("a lookup that fails: the attempt goes to the address known", () => {
		const h = new UaHarness();
		refreshTimedOut(h);
		h.clock.advance(15_000);
		h.lookups.shift()!(new Error("ENOTFOUND"));
		const register = oneTo(h);
		assert.equal(register.to.address, PBX);
		h.answer(register, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
	});

	test("a lookup answered after the door stopped changes nothing", () => {
		const h = new UaHarness();
		refreshTimedOut(h);
		h.clock.advance(15_000);
		assert.equal(h.lookups.length, 1);
		let done = 0;
		h.ua.stop(() => done++);
		const leave = oneTo(h);
		assert.equal(leave.header("expires"), "0");
		h.answer(leave, 200, "OK", { toTag: "reg1" });
		assert.equal(done, 1);
		h.lookups.shift()!(undefined, MOVED);
		assert.deepEqual(h.sent(), []);
		assert.deepEqual(h.ua.pbx, { address: PBX, port: 5060 });
		assert.equal(h.ua.registration.state, "idle");
	});

	test("a lookup answered after the registration started over (a new local port): the new attempt alone goes out", () => {
		const h = new UaHarness();
		refreshTimedOut(h);
		h.clock.advance(15_000);
		assert.equal(h.lookups.length, 1);
		h.ua.registration.start();
		const fresh = oneTo(h);
		h.lookups.shift()!(undefined, PBX);
		assert.deepEqual(h.sent(), [], "no second REGISTER");
		h.answer(fresh, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
	});
});

group("the PBX's name looked up at the start", () => {
	test("a lookup overtaken by a new account: its late answer registers nothing", () => {
		const h = new UaHarness();
		h.holdLookups = true;
		h.ua.start();
		const first = h.lookups.shift()!;
		h.ua.reconfigure({ ...h.ua.config, password: "neu" });
		assert.equal(h.lookups.length, 1, "the new account's lookup");
		first(undefined, MOVED);
		assert.deepEqual(h.sent(), []);
		assert.equal(h.ua.pbx, undefined);
		h.lookups.shift()!(undefined, PBX);
		assert.equal(oneTo(h).to.address, PBX);
	});

	test("a failed lookup's 30 s retry and a new account: one lookup at a time, one registration", () => {
		const h = new UaHarness();
		h.holdLookups = true;
		h.ua.start();
		h.lookups.shift()!(new Error("ENOTFOUND"));
		h.clock.advance(10_000);
		h.ua.reconfigure({ ...h.ua.config, password: "neu" });
		assert.equal(h.lookups.length, 1);
		h.lookups.shift()!(new Error("ENOTFOUND"));
		h.clock.advance(20_000);
		assert.equal(h.lookups.length, 0, "the first failure's retry is gone");
		h.clock.advance(10_000);
		assert.equal(h.lookups.length, 1, "the new account's retry, 30 s after its failure");
		h.lookups.shift()!(undefined, PBX);
		h.answer(oneTo(h), 200, "OK", granting(120));
		h.clock.advance(60_000);
		assert.equal(oneTo(h).method, "REGISTER", "one binding, refreshed");
		assert.equal(h.lookups.length, 0);
	});
});

group("a lookup of the PBX's name that is never answered", () => {
	test("at the start: it counts as failed after its time-out and is tried again; the door registers at the retry's answer, and the first lookup's late answer changes nothing", () => {
		const h = new UaHarness();
		h.holdLookups = true;
		h.ua.start();
		const lost = h.lookups.shift()!;
		let waited = 0;
		while (!h.lookups.length && waited < 120_000) {
			h.clock.advance(1000);
			waited += 1000;
		}
		assert.equal(h.lookups.length, 1, "a new lookup after the first went unanswered");
		assert.ok(/cannot resolve the PBX name fritz\.box: no answer within \d+ s/.test(h.ua.lastError), h.ua.lastError);
		h.lookups.shift()!(undefined, PBX);
		const register = oneTo(h);
		assert.equal(register.method, "REGISTER");
		lost(undefined, MOVED);
		assert.deepEqual(h.sent(), [], "the late answer sends nothing");
		assert.deepEqual(h.ua.pbx, { address: PBX, port: 5060 });
		h.answer(register, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
	});

	test("before an attempt after a failure: after its time-out the attempt goes to the address known, and its late answer changes nothing", () => {
		const h = new UaHarness();
		refreshTimedOut(h);
		h.clock.advance(15_000);
		const lost = h.lookups.shift()!;
		assert.ok(lost, "the lookup before the attempt");
		let waited = 0, register: (SipMessage & { to: Sent }) | undefined;
		while (!register && waited < 120_000) {
			h.clock.advance(1000);
			waited += 1000;
			register = h.sent()[0];
		}
		assert.equal(register?.method, "REGISTER", "an attempt although the lookup never answered");
		assert.equal(register!.to.address, PBX);
		lost(undefined, MOVED);
		assert.deepEqual(h.ua.pbx, { address: PBX, port: 5060 });
		assert.deepEqual(h.sent(), []);
		h.answer(register!, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
	});
});
