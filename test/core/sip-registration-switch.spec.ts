/*
 * Accounts saved one after the other while the registrar has not yet answered the un-REGISTER
 * of the one registered (a slow or vanished PBX takes up to 32 s): the last one saved is the
 * one registered, once, and no account the user replaced is registered or unregistered.
 */

import { test, group, assert } from "../lib/spec.js";
import { UaHarness, LOCAL } from "../lib/ua-harness.js";
import type { SipMessage } from "../../sip/message.js";

/** The user a REGISTER registers or unregisters (its To), with its Expires: "620 120", "620 0". */
function what(m: SipMessage): string {
	const user = /<sip:([^@]*)@/.exec(m.header("to") ?? "")?.[1];
	return `${user} ${m.header("expires")}`;
}

/** Registered as 620, then 621 saved: returns the un-REGISTER of 620 in flight. */
function switching(h: UaHarness): SipMessage {
	h.register();
	h.ua.reconfigure({ ...h.ua.config, user: "621" });
	const leave = h.one();
	assert.equal(what(leave), "620 0");
	return leave;
}

function granting(expires: number): { toTag: string; headers: string[] } {
	return { toTag: "reg1", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=${expires}`] };
}

group("registration: accounts saved while the old one's un-REGISTER is in flight", () => {
	test("the first account saved again before the answer: it ends registered, and the replaced one is never registered", () => {
		const h = new UaHarness();
		const leave = switching(h);
		h.ua.reconfigure({ ...h.ua.config, user: "620" });
		assert.deepEqual(h.sent(), [], "nothing before the registrar answers");
		h.answer(leave, 200, "OK", { toTag: "x" });
		const register = h.one();
		assert.equal(what(register), "620 120");
		h.answer(register, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
		assert.equal(h.ua.config.user, "620");
		h.clock.advance(60_000);
		assert.equal(what(h.one()), "620 120", "then its refresh");
	});

	test("the first account saved again and the un-REGISTER unanswered: it registers again after Timer F", () => {
		const h = new UaHarness();
		switching(h);
		h.ua.reconfigure({ ...h.ua.config, user: "620" });
		h.clock.advance(32_000);
		const sent = h.sent();
		assert.deepEqual(sent.map(what).filter((w) => !w.endsWith(" 0")), ["620 120"], "the un-REGISTER's retransmissions, then 620's REGISTER");
	});

	test("a third account saved before the answer: only it registers, once", () => {
		const h = new UaHarness();
		const leave = switching(h);
		h.ua.reconfigure({ ...h.ua.config, user: "622" });
		assert.deepEqual(h.sent(), [], "no second un-REGISTER");
		h.answer(leave, 200, "OK", { toTag: "x" });
		const register = h.one();
		assert.equal(what(register), "622 120");
		h.answer(register, 200, "OK", granting(120));
		assert.equal(h.ua.registration.state, "registered");
		assert.equal(h.ua.config.user, "622");
	});

	test("a hundred saves before the answer: the last one alone registers", () => {
		const h = new UaHarness();
		const leave = switching(h);
		for (let i = 0; i < 100; i++) h.ua.reconfigure({ ...h.ua.config, user: String(700 + i), displayName: `Tür ${i}` });
		assert.deepEqual(h.sent(), []);
		h.answer(leave, 200, "OK", { toTag: "x" });
		const register = h.one();
		assert.equal(what(register), "799 120");
		assert.match(register.header("from") ?? "", /Tür 99/);
	});

	test("the SIP port taken by another program meanwhile (the socket moves): the new account still registers after the answer, the old one not again", () => {
		const h = new UaHarness();
		const leave = switching(h);
		h.udpOptions?.onError?.(Object.assign(new Error("bind EADDRINUSE 0.0.0.0:5062"), { code: "EADDRINUSE" }));
		assert.deepEqual(h.sent(), []);
		h.answer(leave, 200, "OK", { toTag: "x" });
		assert.deepEqual(h.sent().map(what), ["621 120"]);
	});

	test("the new account's REGISTER in flight when another is saved: no un-REGISTER for it, the other registers at once", () => {
		const h = new UaHarness();
		const leave = switching(h);
		h.answer(leave, 200, "OK", { toTag: "x" });
		assert.equal(what(h.one()), "621 120");
		h.ua.reconfigure({ ...h.ua.config, user: "620" });
		assert.deepEqual(h.sent().map(what), ["620 120"]);
	});
});
