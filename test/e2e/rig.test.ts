// The rig itself: a run that cannot start leaves no process behind (the test process would
// otherwise wait for them) and says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rig, liveProcesses } from "../rig/index.js";

test("a handset kamailio has no account for is refused by name before anything starts for it", { timeout: 30000 }, async () => {
	await assert.rejects(Rig.start({ name: "e2e-rig-unknown", handsets: [{ user: "611" }, { user: "699" }], simulator: false }), /handset 699 has no account at kamailio/);
	assert.deepEqual(liveProcesses().map((p) => p.name), []);
});

test("a handset that cannot register fails the start, and the one that did register is stopped with the rig", { timeout: 30000 }, async () => {
	await assert.rejects(Rig.start({ name: "e2e-rig-wrong-password", handsets: [{ user: "611" }, { user: "612", password: "wrong" }], simulator: false }), /registration of 612/);
	assert.deepEqual(liveProcesses().map((p) => p.name), []);
});

test("idle() ends a call a handset still rings with while the door is idle (the next /accept would answer it, not the door's call)", { timeout: 60000 }, async () => {
	const rig = await Rig.start({ name: "e2e-rig-idle", handsets: [{ user: "611" }, { user: "612" }] });
	try {
		const h611 = rig.handset("611"), h612 = rig.handset("612");
		const mark = h612.mark();
		h611.dial("612");
		await h612.waitFor("incoming", { from: mark });
		assert.equal((await rig.simulator!.status()).call, "idle", "the door has no part in the call");
		assert.equal(await h612.activeCalls(), 1, "612 rings");
		await rig.idle();
		assert.equal(await h612.activeCalls(), 0, "612 no longer rings");
		assert.equal(await h611.activeCalls(), 0, "611's call was refused");
		assert.ok(h612.saw("closed", mark), "612 says its call closed");
	} finally {
		await rig.stop();
	}
});
