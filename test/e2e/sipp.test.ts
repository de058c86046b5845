/*
 * sipp scenarios against the simulator: a PBX on a lossy line (it drops the first REGISTER
 * and the first INVITE, so only the retransmissions get through) and a caller from another
 * address (127.0.0.2), which the door must refuse with 403.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { RunDir, Sipp, Simulator, freePort, runSipp, sourcePath, type SippTraced } from "../rig/index.js";

let dir: RunDir;
let pbx: Sipp;
let simulator: Simulator;

before(async () => {
	dir = new RunDir("e2e-sipp");
	pbx = await Sipp.start({ dir: dir.dir("sipp"), scenario: sourcePath("test/e2e/sipp/lossy-pbx.xml"), address: "127.0.0.1", calls: 2, timeoutS: 60 });
	simulator = await Simulator.start({ dir: dir.dir("simulator"), pbx: { address: pbx.address, port: pbx.port }, password: "any" });
});

after(async () => {
	await noAck?.door.stop();
	await noAck?.caller.stop();
	await simulator?.stop();
	await pbx?.stop();
	dir?.remove();
});

const received = (method: string) => pbx.messages().filter((m) => m.direction === "received" && m.method === method);

/** The PBX's first answer to a request (by Call-ID and CSeq method). */
const firstAnswer = (request: SippTraced) => pbx.messages().find((m) => m.direction === "sent" && m.status > 0 && m.callId === request.callId && m.cseq.method === request.method);

function sameTransaction(a: SippTraced, b: SippTraced): void {
	assert.equal(b.viaParam("branch"), a.viaParam("branch"), "a retransmission keeps the branch");
	assert.equal(b.cseq.seq, a.cseq.seq, "and the CSeq");
	assert.equal(b.callId, a.callId);
	const gap = b.time - a.time;
	assert.ok(gap >= 400 && gap <= 1500, `retransmitted ${gap} ms later (T1 = 500 ms)`);
}

/** The call whose ACK never comes runs beside the other tests (Timer H is 32 s); checked last. */
let noAck: { caller: Sipp; door: Simulator; started: number } | undefined;

test("a call whose 200 OK is never acknowledged starts (checked at the end, after Timer H)", async () => {
	const noAckDir = dir.dir("no-ack");
	const port = await freePort();
	// The caller is the door's PBX (127.0.0.1): its INVITE is taken, its REGISTERs are not answered.
	const door = await Simulator.start({ dir: noAckDir, pbx: { address: "127.0.0.1", port }, password: "any", waitRegistered: false });
	const caller = await Sipp.start({ dir: noAckDir, scenario: sourcePath("test/e2e/sipp/no-ack-caller.xml"), address: "127.0.0.1", port, remote: { address: "127.0.0.1", port: door.sipPort }, timeoutS: 60 });
	noAck = { caller, door, started: Date.now() };
	await door.waitForStatus((s) => s.call === "answered", { what: "the call answered" });
});

test("registers although the PBX dropped the first REGISTER: the retransmission gets through", async () => {
	const status = await simulator.status();
	assert.equal(status.registered, true);
	const registers = received("REGISTER");
	assert.ok(registers.length >= 2, `the PBX saw ${registers.length} REGISTER`);
	sameTransaction(registers[0], registers[1]);
	const answer = firstAnswer(registers[0]);
	assert.ok(answer && answer.time >= registers[1].time, "the PBX answered only after the retransmission");
});

test("an INVITE from another address (127.0.0.2) is refused with 403", { timeout: 20000 }, async () => {
	const result = await runSipp({ dir: dir.dir("sipp"), scenario: sourcePath("test/e2e/sipp/foreign-invite.xml"), address: "127.0.0.2", remote: { address: "127.0.0.1", port: simulator.sipPort }, timeoutS: 10 });
	assert.equal(result.code, 0, `sipp failed:\n${result.output.slice(-1500)}`);
	const refusal = result.messages.find((m) => m.direction === "received" && m.status >= 200);
	assert.equal(refusal?.status, 403);
	assert.match(simulator.process.output, /refused INVITE from 127\.0\.0\.2/);
	assert.equal((await simulator.status()).call, "idle", "no call was started");
});

test("rings although the PBX dropped the first INVITE; the call is answered, then ends with the door's BYE", { timeout: 30000 }, async () => {
	await simulator.press();
	await simulator.waitForStatus((s) => s.call === "answered", { what: "the call answered", timeoutMs: 10000 });
	const invites = received("INVITE");
	assert.ok(invites.length >= 2, `the PBX saw ${invites.length} INVITE`);
	sameTransaction(invites[0], invites[1]);
	const answer = firstAnswer(invites[0]);
	assert.ok(answer && answer.time >= invites[1].time, "the PBX answered only after the retransmission");
	assert.ok(received("ACK").length >= 1, "the door acknowledged the 200 OK");
	simulator.hangup();
	const result = await pbx.done();
	assert.equal(result.code, 0, `the PBX scenario failed:\n${result.output.slice(-2000)}`);
	const bye = received("BYE")[0];
	assert.ok(bye, "the door sent BYE");
	assert.equal(bye.callId, invites[0].callId);
	await simulator.waitForStatus((s) => s.call === "idle", { what: "idle after the BYE" });
});

test("the CANCEL at the ring timeout crosses a 200 OK: the door ACKs the 2xx, then ends the call with BYE", { timeout: 30000 }, async () => {
	const raceDir = dir.dir("race");
	const racePbx = await Sipp.start({ dir: raceDir, scenario: sourcePath("test/e2e/sipp/cancel-race-pbx.xml"), calls: 2, timeoutS: 30 });
	const door = await Simulator.start({ dir: raceDir, pbx: { address: racePbx.address, port: racePbx.port }, password: "any", sip: { ring_timeout: 5 } });
	try {
		await door.press();
		const result = await racePbx.done();
		assert.equal(result.code, 0, `the PBX scenario failed:\n${result.output.slice(-2000)}`);
		const from = (method: string) => result.messages.filter((m) => m.direction === "received" && m.method === method);
		const [invite] = from("INVITE");
		const [cancel] = from("CANCEL");
		assert.ok(cancel.time - invite.time >= 4500, "the CANCEL came at the ring timeout (5 s)");
		assert.equal(cancel.viaParam("branch"), invite.viaParam("branch"));
		const [ack] = from("ACK");
		assert.ok(ack.tag("to"), "the ACK is for the 2xx: it carries the dialog's To tag");
		assert.notEqual(ack.viaParam("branch"), invite.viaParam("branch"), "an ACK for a 2xx is a transaction of its own");
		const [bye] = from("BYE");
		assert.ok(bye.time >= ack.time, "BYE after the ACK");
		assert.equal(bye.tag("to"), ack.tag("to"));
		const status = await door.waitForStatus((s) => s.call === "idle", { what: "idle after the BYE" });
		assert.equal((status.last_call as { state: string }).state, "ended");
		// What happened: answered, then hung up; not "nobody answered".
		assert.match(String((status.last_call as { reason?: string }).reason), /^answered just as the ring time of 5 s ran out \(the 200 OK crossed the CANCEL\): hung up with BYE$/);
		assert.equal(/nobody answered/.test(door.process.output), false, "the log does not say nobody answered");
	} finally {
		await door.stop();
		await racePbx.stop();
	}
});

test("two forks answer (two 2xx with different To tags, the first retransmitted): the door ACKs each, keeps the first and ends the second with BYE", { timeout: 30000 }, async () => {
	const forkDir = dir.dir("fork");
	const forkPbx = await Sipp.start({ dir: forkDir, scenario: sourcePath("test/e2e/sipp/forking-pbx.xml"), calls: 2, timeoutS: 30 });
	const door = await Simulator.start({ dir: forkDir, pbx: { address: forkPbx.address, port: forkPbx.port }, password: "any" });
	try {
		await door.press();
		const status = await door.waitForStatus((s) => s.call === "answered", { what: "the call answered" });
		const deadline = Date.now() + 5000;
		const from = (method: string) => forkPbx.messages().filter((m) => m.direction === "received" && m.method === method);
		while (from("BYE").length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
		const acks = from("ACK");
		assert.deepEqual(acks.map((m) => m.tag("to")).sort(), ["forkA", "forkA", "forkB"], "an ACK for each 2xx, the retransmitted one too");
		const [first] = from("BYE");
		assert.equal(first.tag("to"), "forkB", "the second answer is ended at once");
		assert.equal((await door.status()).call, "answered", "the first answer's call stays up");
		assert.equal((status.current_call as { state: string }).state, "answered");
		door.hangup();
		const result = await forkPbx.done();
		assert.equal(result.code, 0, `the PBX scenario failed:\n${result.output.slice(-2000)}`);
		const byes = result.messages.filter((m) => m.direction === "received" && m.method === "BYE");
		assert.equal(byes[1]?.tag("to"), "forkA", "hanging up ends the first answer's dialog");
		await door.waitForStatus((s) => s.call === "idle", { what: "idle" });
	} finally {
		await door.stop();
		await forkPbx.stop();
	}
});

test("no ACK: the door retransmits its 200 OK with Timer G and ends the call with BYE when Timer H (32 s) runs out", { timeout: 60000 }, async () => {
	assert.ok(noAck, "the call was started");
	const result = await noAck.caller.done();
	assert.equal(result.code, 0, `the caller's scenario failed:\n${result.output.slice(-2000)}`);
	const oks = result.messages.filter((m) => m.direction === "received" && m.status === 200 && m.cseq.method === "INVITE");
	assert.ok(oks.length >= 8, `the 200 OK was sent ${oks.length} times`);
	const gaps = oks.slice(1, 5).map((m, i) => m.time - oks[i].time);
	const expected = [500, 1000, 2000, 4000];
	// Timer G doubles from T1 = 500 ms; the margin allows for a loaded machine.
	gaps.forEach((gap, i) => assert.ok(Math.abs(gap - expected[i]) <= Math.max(300, expected[i] * 0.15), `retransmission ${i + 1} after ${gap} ms, Timer G says ${expected[i]}`));
	for (let i = 5; i < oks.length; i++) assert.ok(oks[i].time - oks[i - 1].time <= 4600, "capped at T2 = 4 s");
	const bye = result.messages.find((m) => m.direction === "received" && m.method === "BYE");
	assert.ok(bye, "the door sent BYE");
	const after = bye.time - oks[0].time;
	assert.ok(after >= 31500 && after <= 34000, `BYE ${after} ms after the 200 OK, Timer H is 32 s`);
	const status = await noAck.door.waitForStatus((s) => s.call === "idle", { what: "idle after Timer H" });
	assert.match(String((status.last_call as { reason?: string }).reason), /never acknowledged/);
});

