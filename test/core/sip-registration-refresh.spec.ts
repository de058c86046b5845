/*
 * A refresh of a binding that holds is no change of state: the door stays registered while its
 * REGISTER (and the authenticated retry a FRITZ!Box asks for each time) is out, so the log, the
 * status LED and the page do not flicker every minute. Only an outcome that differs is told.
 */

import { test, group, assert } from "../lib/spec.js";
import { LOCAL, UaHarness } from "../lib/ua-harness.js";

const CHALLENGE = 'WWW-Authenticate: Digest realm="fritz.box", nonce="5FCC4D494638D516"';

/** A harness whose onRegistration events are noted as "state (lastError)". */
function watched(): { h: UaHarness; told: string[] } {
	const told: string[] = [];
	const h = new UaHarness({}, { onRegistration: (r) => told.push(r.lastError ? `${r.state} (${r.lastError})` : r.state) });
	return { h, told };
}

/** Answers the REGISTER out now with 401, then its authenticated retry with 200 granting 120 s. */
function answerWithChallenge(h: UaHarness): void {
	h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: [CHALLENGE] });
	const retry = h.one();
	assert.ok(/^Digest /.test(retry.header("authorization") ?? ""), "the retry carries credentials");
	h.answer(retry, 200, "OK", { toTag: "x", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=120`] });
}

group("registration: a refresh", () => {
	test("a first registration with a challenge is told once as registering, once as registered", () => {
		const { h, told } = watched();
		h.ua.start();
		answerWithChallenge(h);
		assert.deepEqual(told, ["registering", "registered"]);
	});

	test("a refresh answered after a challenge keeps the door registered and tells nothing", () => {
		const { h, told } = watched();
		h.ua.start();
		answerWithChallenge(h);
		told.length = 0;
		h.clock.advance(60_000);
		assert.equal(h.ua.registration.registered, true, "registered while the refresh is out");
		assert.equal(h.ua.registration.state, "registered");
		answerWithChallenge(h);
		assert.equal(h.ua.registration.registered, true);
		assert.deepEqual(told, []);
	});

	test("a refresh the PBX leaves unanswered: registered until it times out (32 s), then failed", () => {
		const { h, told } = watched();
		h.register();
		told.length = 0;
		h.clock.advance(60_000);
		h.clock.advance(31_900);
		assert.equal(h.ua.registration.registered, true);
		h.clock.advance(200);
		assert.equal(h.ua.registration.state, "failed");
		assert.deepEqual(told, ["failed (no answer from the PBX at 192.168.178.1:5060)"]);
	});

	test("a refresh refused with 403: failed, told once", () => {
		const { h, told } = watched();
		h.register();
		told.length = 0;
		h.clock.advance(60_000);
		h.answer(h.one(), 403, "Forbidden", { toTag: "x" });
		assert.equal(h.ua.registration.state, "failed");
		assert.deepEqual(told, ["failed (the registrar answered 403 Forbidden)"]);
	});

	test("an unregistration with a challenge is told once as unregistering, once as idle", () => {
		const { h, told } = watched();
		h.register();
		told.length = 0;
		h.ua.registration.stop(true);
		h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: [CHALLENGE] });
		h.answer(h.one(), 200, "OK", { toTag: "x" });
		assert.deepEqual(told, ["unregistering", "idle"]);
	});

	test("after a failure, the next attempt is told as registering again", () => {
		const { h, told } = watched();
		h.register();
		h.clock.advance(60_000);
		h.answer(h.one(), 503, "Service Unavailable", { toTag: "x", headers: ["Retry-After: 5"] });
		told.length = 0;
		h.clock.advance(5_000);
		assert.equal(h.ua.registration.state, "registering");
		h.answer(h.one(), 200, "OK", { toTag: "x", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=120`] });
		assert.deepEqual(told, ["registering (the registrar answered 503 Service Unavailable)", "registered"]);
	});
});
