/*
 * Leaving (a stop, a new account): Expires: 0 goes out exactly when a binding may exist, one a
 * 2xx granted on this Call-ID whose expiry has not passed, whatever the state now. Without one,
 * the attempt in flight is given up and the caller answered at once.
 */

import { test, group, assert } from "../lib/spec.js";
import { UaHarness, LOCAL } from "../lib/ua-harness.js";
import type { SipMessage } from "../../sip/message.js";

const CHALLENGE = 'Digest realm="fritz.box", nonce="5FCC4D494638D516", qop="auth"';

/** Registered for 120 s, then the refresh at 60 s is sent and returned unanswered. */
function refreshing(h: UaHarness): SipMessage {
	h.register(120);
	h.clock.advance(60_000);
	const refresh = h.one();
	assert.equal(refresh.method, "REGISTER");
	return refresh;
}

group("registration: leaving with no binding", () => {
	test("the first attempt unanswered: stop(true) sends nothing and is done at once; no retransmission, no retry", () => {
		const h = new UaHarness();
		h.ua.start();
		h.one();
		let done = 0;
		h.ua.stop(() => done++);
		assert.equal(done, 1);
		assert.equal(h.ua.registration.state, "idle");
		assert.deepEqual(h.sentDuring(400_000), []);
		assert.equal(h.ua.registration.lastError, "");
	});

	test("the first attempt challenged, its authenticated REGISTER in flight: nothing to unregister", () => {
		const h = new UaHarness();
		h.ua.start();
		h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: [`WWW-Authenticate: ${CHALLENGE}`] });
		const authenticated = h.one();
		let done = 0;
		h.ua.registration.stop(true, () => done++);
		assert.equal(done, 1);
		h.answer(authenticated, 200, "OK", { toTag: "x", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=120`] });
		assert.equal(h.ua.registration.state, "idle", "its late 200 OK changes nothing");
		assert.deepEqual(h.sentDuring(200_000), []);
	});

	test("a corrected server saved while the first attempt goes unanswered: the new account's REGISTER goes out at once", () => {
		const h = new UaHarness({ server: "192.168.178.99" });
		h.ua.start();
		const first = h.one();
		h.clock.advance(2_000);
		h.sent();
		h.ua.reconfigure({ ...h.ua.config, server: "fritz.box" });
		const register = h.one();
		assert.equal(register.header("expires"), "120");
		assert.equal(register.uri, "sip:fritz.box");
		assert.notEqual(register.header("call-id"), first.header("call-id"));
	});

	test("the granted expiry passed after a failed refresh: nothing to unregister", () => {
		const h = new UaHarness();
		const refresh = refreshing(h);
		h.answer(refresh, 500, "Server Internal Error", { toTag: "x" });
		h.clock.advance(15_000);
		h.answer(h.one(), 500, "Server Internal Error", { toTag: "x" });
		h.clock.advance(20_000);
		h.answer(h.one(), 500, "Server Internal Error", { toTag: "x" });
		assert.equal(h.clock.now(), 95_000);
		h.clock.advance(25_001);
		assert.equal(h.ua.registration.state, "registering", "the next attempt is in flight when the binding ends");
		h.sent();
		let done = 0;
		h.ua.stop(() => done++);
		assert.equal(done, 1);
		assert.deepEqual(h.sentDuring(40_000), []);
	});
});

group("registration: leaving while a binding may exist", () => {
	test("a refresh answered 500: stop(true) sends Expires: 0 on the binding's Call-ID and is done when it is answered", () => {
		const h = new UaHarness();
		const refresh = refreshing(h);
		h.answer(refresh, 500, "Server Internal Error", { toTag: "x" });
		assert.equal(h.ua.registration.state, "failed");
		let done = 0;
		h.ua.stop(() => done++);
		const leave = h.one();
		assert.equal(leave.header("expires"), "0");
		assert.equal(leave.header("call-id"), refresh.header("call-id"));
		assert.equal(done, 0);
		h.answer(leave, 200, "OK", { toTag: "x" });
		assert.equal(done, 1);
		assert.equal(h.ua.registration.state, "idle");
		h.ua.registration.stop(true, () => done++);
		assert.equal(done, 2, "after the un-REGISTER's 200 OK no binding is left");
		assert.deepEqual(h.sent(), []);
	});

	test("a refresh that timed out: a new account unregisters the old binding before registering", () => {
		const h = new UaHarness();
		const refresh = refreshing(h);
		h.clock.advance(32_000);
		h.sent();
		assert.equal(h.ua.registration.state, "failed");
		h.ua.reconfigure({ ...h.ua.config, password: "neu" });
		const leave = h.one();
		assert.equal(leave.header("expires"), "0");
		assert.equal(leave.header("call-id"), refresh.header("call-id"));
		h.answer(leave, 200, "OK", { toTag: "x" });
		const register = h.one();
		assert.equal(register.header("expires"), "120");
		assert.notEqual(register.header("call-id"), refresh.header("call-id"));
	});

	test("an un-REGISTER that went unanswered, the new account's PBX name still looked up: the next account is taken at once", () => {
		const h = new UaHarness();
		h.register();
		h.holdLookups = true;
		h.ua.reconfigure({ ...h.ua.config, password: "neu" });
		assert.equal(h.one().header("expires"), "0");
		h.clock.advance(32_000);
		h.sent();
		assert.equal(h.ua.pbx, undefined);
		h.ua.reconfigure({ ...h.ua.config, password: "neuer" });
		assert.equal(h.ua.config.password, "neuer", "no Expires: 0 waits without a PBX address to send it to");
		assert.deepEqual(h.sent(), []);
	});

	test("stop(true) overtaking an unregistration: the one Expires: 0 in flight answers both callers", () => {
		const h = new UaHarness();
		h.register();
		const calls: string[] = [];
		h.ua.registration.stop(true, () => calls.push("first"));
		const leave = h.one();
		h.ua.registration.stop(true, () => calls.push("second"));
		assert.deepEqual(calls, [], "both wait for the registrar");
		assert.deepEqual(h.sent(), [], "the un-REGISTER in flight is not sent again");
		h.answer(leave, 200, "OK", { toTag: "x" });
		assert.deepEqual(calls, ["first", "second"]);
		assert.equal(h.ua.registration.state, "idle");
	});
});
