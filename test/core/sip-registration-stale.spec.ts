/*
 * A REGISTER still in flight when registration stops or starts over: its late answer, or its
 * timeout, must not change the new state (no retry, no refresh, no stray registration).
 */

import { test, group, assert } from "../lib/spec.js";
import { UaHarness, LOCAL } from "../lib/ua-harness.js";
import type { SipMessage } from "../../sip/message.js";

const CHALLENGE = 'Digest realm="fritz.box", nonce="5FCC4D494638D516", qop="auth"';

function granting(expires: number): { toTag: string; headers: string[] } {
	return { toTag: "reg1", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=${expires}`] };
}

group("registration: a REGISTER in flight", () => {
	test("stop(false) stops its retransmissions, and its timeout schedules no retry", () => {
		const h = new UaHarness();
		h.ua.start();
		h.one();
		h.ua.registration.stop(false);
		assert.equal(h.ua.registration.state, "idle");
		assert.deepEqual(h.sentDuring(40_000), [], "nothing is sent after stop(false)");
		assert.equal(h.ua.registration.state, "idle");
		assert.equal(h.ua.registration.lastError, "");
		assert.deepEqual(h.sentDuring(400_000), [], "no retry after the old REGISTER's Timer F");
	});

	test("stop(false) then its late 200 OK: still idle, no refresh", () => {
		const h = new UaHarness();
		h.ua.start();
		const register = h.one();
		h.ua.registration.stop(false);
		h.answer(register, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "idle");
		assert.equal(h.ua.registration.registered, false);
		assert.deepEqual(h.sentDuring(200_000), [], "no refresh REGISTER");
	});

	test("stop(false) then its late 401: no authenticated retry", () => {
		const h = new UaHarness();
		h.ua.start();
		const register = h.one();
		h.ua.registration.stop(false);
		h.answer(register, 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		assert.equal(h.sent().length, 0);
		assert.equal(h.ua.registration.state, "idle");
	});

	test("stop(true) racing a refresh: its 200 OK neither registers nor schedules a refresh", () => {
		const h = new UaHarness();
		h.register(120);
		h.clock.advance(60_000);
		const register = h.one();
		let done = 0;
		h.ua.stop(() => done++);
		const leave = h.one();
		assert.equal(leave.header("expires"), "0");
		h.answer(register, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "unregistering", "the late 200 OK of the old REGISTER changes nothing");
		assert.equal(done, 0);
		h.answer(leave, 200, "OK", { toTag: "x" });
		assert.equal(h.ua.registration.state, "idle");
		assert.equal(done, 1);
		assert.deepEqual(h.sentDuring(200_000), [], "no refresh after leaving");
		assert.equal(h.ua.registration.state, "idle");
	});

	test("stop(true) racing a refresh: its timeout schedules no retry", () => {
		const h = new UaHarness();
		h.register(120);
		h.clock.advance(60_000);
		h.one();
		let done = 0;
		h.ua.stop(() => done++);
		const leave = h.one();
		h.answer(leave, 200, "OK", { toTag: "x" });
		assert.equal(done, 1);
		assert.deepEqual(h.sentDuring(400_000), [], "neither retransmissions nor a retry of the old REGISTER");
		assert.equal(h.ua.registration.state, "idle");
		assert.equal(h.ua.registration.lastError, "");
	});

	test("start() again: the old attempt's 200 OK does not register the new binding", () => {
		const h = new UaHarness();
		h.ua.start();
		const old = h.one();
		h.ua.registration.start();
		const fresh = h.one();
		assert.notEqual(fresh.header("call-id"), old.header("call-id"));
		h.answer(old, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registering", "a stale 200 OK is not a registration");
		h.answer(fresh, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
		const refreshes = h.sentDuring(60_000);
		assert.deepEqual(refreshes, ["REGISTER at 60000"], "one refresh, on the new binding's schedule");
	});

	test("start() again: the old attempt's 401 earns no authenticated retry", () => {
		const h = new UaHarness();
		h.ua.start();
		const old = h.one();
		h.ua.registration.start();
		const fresh: SipMessage = h.one();
		h.answer(old, 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		assert.equal(h.sent().length, 0, "no authenticated retry for the old attempt");
		h.answer(fresh, 200, "OK", granting(3600));
		assert.equal(h.ua.registration.state, "registered");
		// Refresh every 60 s: the old REGISTER's Timer F (32 s) must not turn this into "failed".
		const seen = h.sentDuring(40_000);
		assert.deepEqual(seen, [], "the old REGISTER is not retransmitted");
		assert.equal(h.ua.registration.state, "registered");
		assert.equal(h.ua.registration.lastError, "");
	});

	test("stop(false) overtaking an unregistration answers its caller at once; the late 200 OK changes nothing", () => {
		const h = new UaHarness();
		h.register();
		const calls: string[] = [];
		h.ua.registration.stop(true, () => calls.push("leave"));
		const leave = h.one();
		assert.equal(leave.header("expires"), "0");
		h.ua.registration.stop(false, () => calls.push("stop"));
		assert.deepEqual(calls, ["leave", "stop"]);
		assert.equal(h.ua.registration.state, "idle");
		h.answer(leave, 200, "OK", { toTag: "x" });
		assert.deepEqual(calls, ["leave", "stop"], "no second call");
		assert.deepEqual(h.sentDuring(40_000), []);
	});
});
