/*
 * A call in progress when a new account is saved: the old registration is given up and the
 * PBX's name looked up again, and until the look-up answers the user agent knows no PBX. The
 * call goes on with the PBX it began with: its ACK, CANCEL and BYE go there, and that PBX's
 * requests in it are served.
 */

import { test, group, assert } from "../lib/spec.js";
import { UaHarness, handsetRequest, OFFER, PBX } from "../lib/ua-harness.js";
import type { SipMessage } from "../../sip/message.js";
import type { Sent } from "../lib/fake-udp.js";

const ANSWER = OFFER.replace("m=audio 7078 RTP/AVP 8 0 101", "m=audio 7080 RTP/AVP 0 101").replace("a=rtpmap:8 PCMA/8000\r\n", "");
/** Where the new account's PBX name points once the look-up answers. */
const NEW_PBX = "192.168.178.2";

/** Saves a new password and lets the registrar answer the un-REGISTER; the look-up of the PBX then waits. */
function newPassword(h: UaHarness): void {
	h.holdLookups = true;
	h.ua.reconfigure({ ...h.ua.config, password: "neu" });
	const leave = h.one();
	assert.equal(leave.header("expires"), "0");
	h.answer(leave, 200, "OK", { toTag: "reg1" });
	assert.equal(h.ua.pbx, undefined, "no PBX known until the look-up answers");
	assert.equal(h.lookups.length, 1);
}

/** The only message sent since the last look, with where it went. */
function oneTo(h: UaHarness): SipMessage & { to: Sent } {
	const all = h.sent();
	assert.equal(all.length, 1, all.map((m) => m.method || m.status).join(", "));
	return all[0];
}

function ringing(h: UaHarness): SipMessage {
	h.register();
	h.ua.ring();
	const invite = h.one();
	h.answer(invite, 180, "Ringing", { toTag: "a1" });
	return invite;
}

group("a call while a new account's PBX is looked up", () => {
	test("answered then: the ACK goes to the PBX the call began with, and so does the BYE after the look-up found another", () => {
		const h = new UaHarness();
		const invite = ringing(h);
		newPassword(h);
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		const ack = oneTo(h);
		assert.equal(ack.method, "ACK");
		assert.equal(ack.to.address, PBX);
		assert.equal(h.ua.call?.state, "answered");
		h.lookups.shift()!(undefined, NEW_PBX);
		const register = oneTo(h);
		assert.equal(register.method, "REGISTER");
		assert.equal(register.to.address, NEW_PBX);
		h.ua.hangup();
		const sent = oneTo(h);
		assert.equal(sent.method, "BYE");
		assert.equal(sent.to.address, PBX);
		assert.equal(h.ua.call, undefined);
	});

	test("hung up while ringing then: CANCEL to the PBX the call began with, and its 487 is ACKed", () => {
		const h = new UaHarness();
		const invite = ringing(h);
		newPassword(h);
		h.ua.hangup();
		const cancel = oneTo(h);
		assert.equal(cancel.method, "CANCEL");
		assert.equal(cancel.to.address, PBX);
		h.answer(cancel, 200, "OK", { toTag: "a1" });
		h.answer(invite, 487, "Request Terminated", { toTag: "a1" });
		assert.equal(oneTo(h).method, "ACK");
		assert.equal(h.ua.call, undefined);
		assert.match(h.events[h.events.length - 1], /ended hung up at the door/);
	});

	test("the handset hangs up then: the PBX's BYE is answered with 200 and ends the call", () => {
		const h = new UaHarness();
		const invite = ringing(h);
		h.answer(invite, 200, "OK", { toTag: "a1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: ANSWER });
		assert.equal(h.one().method, "ACK");
		newPassword(h);
		h.deliver(handsetRequest(invite));
		const ok = oneTo(h);
		assert.equal(ok.status, 200);
		assert.equal(h.ua.call, undefined);
		assert.match(h.events[h.events.length - 1], /ended the other side hung up/);
	});

	test("a handset's call to the door: its BYE at the talk limit goes to the PBX", () => {
		const h = new UaHarness();
		const inDialog = h.answeredCall();
		h.deliver(inDialog("ACK"));
		assert.equal(h.sent().length, 0);
		newPassword(h);
		h.clock.advance(120_000);
		const sent = oneTo(h);
		assert.equal(sent.method, "BYE");
		assert.equal(sent.to.address, PBX);
		assert.match(h.events[h.events.length - 1], /talk time limit/);
	});
});
