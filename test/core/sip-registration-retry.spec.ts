/*
 * A PBX that stops answering (a FRITZ!Box restarting): the door keeps asking, so that it is
 * registered again soon after the PBX is back, however long the PBX was away.
 */

import { test, group, assert } from "../lib/spec.js";
import { UaHarness } from "../lib/ua-harness.js";

group("registration: a PBX that does not answer", () => {
	test("each new attempt starts at most 20 s after the last one timed out (32 s), for as long as the PBX is away", () => {
		const h = new UaHarness();
		h.ua.start();
		const starts: number[] = [];
		let lastCSeq = "";
		for (let t = 0; t < 15 * 60_000; t += 100) {
			for (const m of h.sent()) {
				const cseq = m.header("cseq") ?? "";
				if (m.method === "REGISTER" && cseq !== lastCSeq) {
					starts.push(h.clock.now());
					lastCSeq = cseq;
				}
			}
			h.clock.advance(100);
		}
		assert.ok(starts.length >= 15, `${starts.length} attempts in 15 minutes`);
		for (let i = 1; i < starts.length; i++) {
			const gap = starts[i] - starts[i - 1];
			assert.ok(gap <= 32_000 + 20_000 + 200, `attempt ${i + 1} came ${gap} ms after the one before`);
		}
		assert.match(h.ua.registration.lastError, /^no answer from the PBX/);
	});
});
