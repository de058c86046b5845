/*
 * sipp scenarios against the simulator: a PBX on a lossy line (it drops the first REGISTER
 * and the first INVITE, so only the retransmissions get through) and a caller from another
 * address (127.0.0.2), which the door must refuse with 403.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { RunDir, Sipp, Simulator, runSipp, sourcePath, type SippTraced } from "../rig/index.js";

let dir: RunDir;
let pbx: Sipp;
let simulator: Simulator;

before(async () => {
	dir = new RunDir("e2e-sipp");
	pbx = await Sipp.start({ dir: dir.dir("sipp"), scenario: sourcePath("test/e2e/sipp/lossy-pbx.xml"), address: "127.0.0.1", calls: 2, timeoutS: 60 });
	simulator = await Simulator.start({ dir: dir.dir("simulator"), pbx: { address: pbx.address, port: pbx.port }, password: "any" });
});

after(async () => {
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
