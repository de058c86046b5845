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
