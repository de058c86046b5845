/*
 * A PBX that stops answering (a FRITZ!Box restarting): the door keeps asking, so that it is
 * registered again soon after the PBX is back, however long the PBX was away. A registrar that
 * cannot take the registration now is asked again when it says, or as after a timeout; one that
 * refuses it is asked far less often.
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

/**
 * The times (ms) of each new REGISTER attempt (its first transmission) while the clock moves `ms`
 * forward in 1 s steps; the registrar answers each REGISTER at once with `status`.
 */
function attemptsAnswered(h: UaHarness, ms: number, status: number, reason: string, headers: string[] = []): number[] {
	h.ua.start();
	const starts: number[] = [];
	for (let t = 0; t <= ms; t += 1000) {
		for (const m of h.sent()) {
			if (m.method !== "REGISTER") continue;
			starts.push(h.clock.now());
			h.answer(m, status, reason, { toTag: "x", headers });
		}
		h.clock.advance(1000);
	}
	return starts;
}

group("registration: a registrar that answers with an error", () => {
	test("503 with Retry-After: 5: each next attempt 5 s later, as often as it comes", () => {
		const h = new UaHarness();
		assert.deepEqual(attemptsAnswered(h, 21_000, 503, "Service Unavailable", ["Retry-After: 5"]), [0, 5_000, 10_000, 15_000, 20_000]);
		assert.equal(h.ua.registration.state, "failed");
		assert.equal(h.ua.registration.lastStatus, 503);
		assert.match(h.ua.registration.lastError, /^the registrar answered 503 Service Unavailable/);
	});

	test("a 5xx without Retry-After: the pauses after a timeout (15 s, then 20 s)", () => {
		const h = new UaHarness();
		assert.deepEqual(attemptsAnswered(h, 80_000, 500, "Server Internal Error"), [0, 15_000, 35_000, 55_000, 75_000]);
	});

	test("Retry-After with a comment and parameters: its delta-seconds", () => {
		const h = new UaHarness();
		assert.deepEqual(attemptsAnswered(h, 250_000, 503, "Service Unavailable", ["Retry-After: 120 (restarting);duration=60"]), [0, 120_000, 240_000]);
	});

	test("Retry-After is held to at least 5 s and at most 30 min", () => {
		const soon = new UaHarness();
		assert.deepEqual(attemptsAnswered(soon, 11_000, 503, "Service Unavailable", ["Retry-After: 0"]), [0, 5_000, 10_000]);
		const late = new UaHarness();
		assert.deepEqual(attemptsAnswered(late, 3_700_000, 503, "Service Unavailable", ["Retry-After: 86400"]), [0, 1_800_000, 3_600_000]);
	});

	test("480 and 408 pass like a 5xx: Retry-After when given, else the timeout's pauses", () => {
		const busy = new UaHarness();
		assert.deepEqual(attemptsAnswered(busy, 61_000, 480, "Temporarily Unavailable", ["Retry-After: 30"]), [0, 30_000, 60_000]);
		const slow = new UaHarness();
		assert.deepEqual(attemptsAnswered(slow, 36_000, 408, "Request Timeout"), [0, 15_000, 35_000]);
	});

	test("a refusal that asking again does not mend (404 unknown user, 302 elsewhere, 403): 1 min, doubling, Retry-After or not", () => {
		for (const [status, reason] of [[404, "Not Found"], [302, "Moved Temporarily"], [403, "Forbidden"]] as const) {
			const h = new UaHarness();
			assert.deepEqual(attemptsAnswered(h, 425_000, status, reason, ["Retry-After: 5"]), [0, 60_000, 180_000, 420_000], `${status}`);
		}
	});
});
