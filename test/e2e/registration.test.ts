/*
 * Registration against kamailio when the registrar grants less than asked (max_expires 10) and
 * another device holds a binding on the same account: the door reads its own binding's expiry,
 * refreshes before it runs out, keeps its Call-ID, and registers from
 * the default local port 5062 (when that port is free on this machine), keeps registering
 * during a call, which it ends at its talk-time limit. On shutdown it unregisters with Expires: 0.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Rig, Kamailio, Simulator, portFree, type DumpedMessage } from "../rig/index.js";

const GRANTED = 10;
/** The other device's binding on 620 (s). */
const OTHER_BINDING = 5;
/** The shortest talk-time limit the settings allow (s). */
const TALK_LIMIT = 10;
let rig: Rig;
let defaultPortFree = false;

before(async () => {
	defaultPortFree = await portFree(5062);
	rig = await Rig.start({
		name: "e2e-registration",
		// Challenges INVITEs with 401 as some FRITZ!OS versions do, and rings only 611.
		kamailio: { maxExpires: GRANTED, inviteChallenge: 401, ringMembers: ["611"] },
		// A second device on the door's account (an old doorbell still running), with a shorter
		// binding: the registrar's 200 OK lists both, and the door must read its own.
		handsets: [{ user: "611" }, { user: "620", registerInterval: OTHER_BINDING }],
		simulator: { sipPort: defaultPortFree ? "default" : undefined, sip: { talk_limit: TALK_LIMIT } },
	});
});

after(async () => {
	await rig?.stop();
});

const fromDoor = (m: DumpedMessage) => rig.fromDoor(m);
const toDoor = (m: DumpedMessage) => rig.toDoor(m);

test("registers from the default local port 5062", async (t) => {
	if (!defaultPortFree) {
		t.skip("UDP 5062 is taken on this machine");
		return;
	}
	const status = await rig.simulator!.status();
	assert.equal(status.local_port, 5062);
	const register = rig.kamailio.messages().find((m) => m.direction === "rcv" && m.method === "REGISTER" && m.src.port === 5062);
	assert.ok(register, "a REGISTER came from port 5062");
	assert.match(register.header("via") ?? "", /SIP\/2\.0\/UDP 127\.0\.0\.1:5062;/);
	assert.match(register.header("contact") ?? "", /<sip:620@127\.0\.0\.1:5062>/);
});

test(`honours the shorter expiry the registrar grants (${GRANTED} s): refreshes before it runs out`, { timeout: 40000 }, async () => {
	const status = await rig.simulator!.waitForStatus((s) => s.registered && s.registration_expires === GRANTED, { what: `registration_expires ${GRANTED}` });
	assert.ok(Number(status.next_register_in_s) <= GRANTED, `next REGISTER in ${status.next_register_in_s} s`);
	const okFor = (m: DumpedMessage) => toDoor(m) && m.status === 200 && m.cseq.method === "REGISTER";
	// Wait for three successful registrations in all: the first and two refreshes.
	const deadline = Date.now() + 3 * GRANTED * 1000;
	let oks: DumpedMessage[] = [];
	while (Date.now() < deadline) {
		oks = rig.kamailio.messages().filter(okFor);
		if (oks.length >= 3) break;
		await new Promise((r) => setTimeout(r, 250));
	}
	assert.ok(oks.length >= 3, `expected two refreshes, saw ${oks.length - 1}`);
	const contacts = oks[oks.length - 1].all("contact").join(", ");
	const ours = new RegExp(`<sip:620@127\\.0\\.0\\.1:${rig.simulator!.sipPort}>;expires=(\\d+)`).exec(contacts);
	assert.equal(ours?.[1], String(GRANTED), `kamailio granted the shorter time: ${contacts}`);
	assert.ok(/;expires=[1-5]\b/.test(contacts), `the other device's binding is listed too: ${contacts}`);
	for (let i = 1; i < oks.length; i++) {
		const gap = oks[i].time - oks[i - 1].time;
		assert.ok(gap < GRANTED - 1, `refresh ${i} came ${gap.toFixed(1)} s after the last, the binding lasts ${GRANTED} s`);
	}
	const registers = rig.kamailio.messages().filter((m) => fromDoor(m) && m.method === "REGISTER");
	assert.equal(new Set(registers.map((m) => m.callId)).size, 1, "one Call-ID for every refresh");
	for (let i = 1; i < registers.length; i++) assert.ok(registers[i].cseq.seq > registers[i - 1].cseq.seq, "CSeq rises");
	for (const register of registers) assert.equal(register.header("expires"), "120", "asks for 120 s each time");
	assert.equal((await rig.simulator!.status()).registered, true);
});

test(`keeps refreshing during a call, and ends the call with BYE at the talk-time limit (${TALK_LIMIT} s)`, { timeout: 40000 }, async () => {
	const h611 = rig.handset("611");
	const from = h611.mark();
	const dialledAt = Date.now() / 1000;
	h611.dial("620");
	await h611.waitFor("established", { from });
	await rig.simulator!.waitForStatus((s) => s.call === "answered", { what: "the call answered" });
	const invite = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "INVITE", { after: dialledAt, what: "the INVITE to the door" });
	const bye = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "BYE" && m.callId === invite.callId, { after: dialledAt, timeoutMs: (TALK_LIMIT + 5) * 1000, what: "the door's BYE at the talk limit" });
	const ack = rig.kamailio.messages().find((m) => toDoor(m) && m.method === "ACK" && m.callId === invite.callId)!;
	const talked = bye.time - ack.time;
	assert.ok(talked >= TALK_LIMIT - 0.5 && talked <= TALK_LIMIT + 1.5, `BYE after ${talked.toFixed(1)} s of talk`);
	const refreshes = rig.kamailio.messages().filter((m) => fromDoor(m) && m.method === "REGISTER" && m.time > ack.time && m.time < bye.time);
	assert.ok(refreshes.length >= 1, "a REGISTER refresh went out during the call");
	await h611.waitFor("closed", { from });
	const status = await rig.simulator!.waitForStatus((s) => s.call === "idle", { what: "idle after the talk limit" });
	assert.match(String((status.last_call as { reason?: string }).reason), /talk time limit of 10 s/);
	assert.equal(status.registered, true);
});

test("an INVITE challenged with 401 (not 407) is retried with Authorization; the handset rings and answers", { timeout: 30000 }, async () => {
	const h611 = rig.handset("611");
	const from = h611.mark();
	const pressedAt = Date.now() / 1000;
	await rig.simulator!.press();
	await h611.waitFor("incoming", { from });
	const challenged = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.status === 401 && m.cseq.method === "INVITE", { after: pressedAt, what: "401 to the INVITE" });
	const retry = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.method === "INVITE" && m.header("authorization") !== undefined, { after: pressedAt, what: "the INVITE with Authorization" });
	assert.equal(retry.callId, challenged.callId);
	assert.equal(retry.cseq.seq, challenged.cseq.seq + 1, "new CSeq");
	assert.match(retry.header("authorization") ?? "", /uri="sip:\*\*610@127\.0\.0\.1"/, "digest URI = Request-URI");
	assert.equal(retry.header("proxy-authorization"), undefined);
	h611.answer();
	await rig.simulator!.waitForStatus((s) => s.call === "answered", { what: "the call answered" });
	rig.simulator!.hangup();
	await h611.waitFor("closed", { from });
	await rig.simulator!.waitForStatus((s) => s.call === "idle", { what: "idle" });
});

test("a PBX given by name (localhost) is resolved; the name is the domain of the REGISTER and of the digest URI", { timeout: 20000 }, async () => {
	const named = await Simulator.start({ dir: rig.dir.dir("by-name"), pbx: { address: "localhost", port: rig.kamailio.port }, user: "612", password: rig.kamailio.users["612"] });
	try {
		const status = await named.status();
		assert.equal(status.registered, true);
		assert.equal(status.pbx, `127.0.0.1:${rig.kamailio.port}`);
		const registers = rig.kamailio.messages().filter((m) => m.direction === "rcv" && m.method === "REGISTER" && m.src.port === named.sipPort);
		assert.equal(registers[0].uri, "sip:localhost");
		assert.match(registers[1].header("authorization") ?? "", /uri="sip:localhost"/);
		assert.match(registers[0].header("to") ?? "", /<sip:612@localhost>/);
	} finally {
		await named.stop();
	}
});

test("423 Interval Too Brief: it registers again asking for the Min-Expires the registrar names", { timeout: 20000 }, async () => {
	const strict = await Kamailio.start({ dir: rig.dir.dir("strict-registrar"), minExpires: 300, maxExpires: 3600, refuseShortExpiry: true });
	let door: Simulator | undefined;
	try {
		door = await Simulator.start({ dir: rig.dir.dir("strict-door"), pbx: { address: strict.address, port: strict.port }, password: strict.users["620"] });
		const status = await door.status();
		assert.equal(status.registration_expires, 300);
		const sent = strict.messages().filter((m) => m.direction === "rcv" && m.method === "REGISTER");
		const refused = strict.messages().find((m) => m.direction === "snd" && m.status === 423);
		assert.ok(refused, "the registrar refused 120 s with 423");
		assert.equal(refused.header("min-expires"), "300");
		assert.equal(sent[sent.length - 1].header("expires"), "300", "the last REGISTER asked for the Min-Expires");
		assert.ok(Number(status.next_register_in_s) <= 60, "refreshed within the usual 60 s all the same");
	} finally {
		await door?.stop();
		await strict.stop();
	}
});

test("a wrong password: one challenge answered, then it waits (no hammering) and says why", { timeout: 20000 }, async () => {
	const wrong = await Simulator.start({ dir: rig.dir.dir("wrong-password"), pbx: rig.pbx, user: "612", password: "not-the-password", waitRegistered: false });
	try {
		const status = await wrong.waitForStatus((s) => s.registration === "failed", { what: "a failed registration" });
		assert.equal(status.registered, false);
		assert.match(status.last_error, /wrong user name or password/);
		assert.ok(Number(status.next_register_in_s) >= 50, `next try in ${status.next_register_in_s} s`);
		await new Promise((r) => setTimeout(r, 3000));
		const registers = rig.kamailio.messages().filter((m) => m.direction === "rcv" && m.method === "REGISTER" && m.src.port === wrong.sipPort);
		assert.equal(registers.length, 2, "one REGISTER and one authenticated retry, then nothing");
		assert.doesNotMatch(wrong.process.output, /not-the-password/, "the password is never logged");
	} finally {
		await wrong.stop();
	}
});

test("unregisters with Expires: 0 when it stops", { timeout: 20000 }, async () => {
	const stoppedAt = Date.now() / 1000;
	await rig.simulator!.stop();
	const leave = rig.kamailio.messages().find((m) => fromDoor(m) && m.method === "REGISTER" && m.time >= stoppedAt && m.header("expires") === "0");
	assert.ok(leave, "a REGISTER with Expires: 0");
	const ok = rig.kamailio.messages().find((m) => toDoor(m) && m.status === 200 && m.cseq.method === "REGISTER" && m.cseq.seq >= leave.cseq.seq);
	assert.ok(ok, "the registrar took the unregistration");
	assert.equal(rig.simulator!.process.exitCode, 0, "the simulator exited cleanly");
});
