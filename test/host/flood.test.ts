/*
 * 30,000 INFOs at 2,000 a second against the running simulator, half from a stranger on
 * 127.0.0.2 and half from its PBX's address: the PBX's call to the door during the flood is
 * answered and ended normally, and afterwards /sipDebug counts no more live SIP table entries
 * than their bounds. (The memory this costs is measured by `npm run bench -- sip-flood`.)
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { FloodRig } from "../rig/sip-flood.js";
import { MAX_SERVER_TRANSACTIONS } from "../../sip/transaction-layer.js";
import { MAX_REFUSED } from "../../sip/refused-answers.js";

let rig: FloodRig;

before(async () => {
	rig = await FloodRig.start("flood");
});

after(async () => {
	await rig?.stop();
});

test("a call from the PBX during a flood of 30,000 requests at 2,000/s works, and the SIP tables stay within their bounds", { timeout: 120000 }, async () => {
	let during: Record<string, unknown> | undefined;
	await rig.flood(30_000, 2000, async () => {
		await new Promise((r) => setTimeout(r, 3000));
		const ok = await rig.call();
		assert.equal(ok.status, 200);
		await new Promise((r) => setTimeout(r, 3000));
		during = await rig.simulator.status();
		const bye = await rig.bye();
		assert.equal(bye.status, 200, "the PBX's BYE ends the call");
	});
	assert.equal(during?.call, "answered", "the call was up during the flood");
	const status = await rig.simulator.status();
	assert.equal(status.call, "idle");
	const tables = status.sip_transactions as { server: number; stranger: number; refused_kept: number };
	assert.ok(tables.server <= MAX_SERVER_TRANSACTIONS, `server transactions: ${tables.server}`);
	assert.equal(tables.stranger, 0, "a refused stranger holds no transaction");
	assert.ok(tables.refused_kept <= MAX_REFUSED, `refused answers kept: ${tables.refused_kept}`);
	assert.ok(Number(status.refused_requests) > 0, "the stranger's requests were refused");
	assert.ok((rig.counts.answers[403] ?? 0) > 0 && (rig.counts.answers[481] ?? 0) > 0, `answers: ${JSON.stringify(rig.counts.answers)}`);
	assert.equal(rig.counts.answers[200] ?? 0, 0, "no flood INFO was taken");
	assert.equal(rig.simulator.process.running, true);
});
