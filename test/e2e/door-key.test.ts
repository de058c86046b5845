/*
 * A FRITZ!Fon's door key end to end: the door code is "#9", as a FRITZ!Box door intercom's
 * Zeichenfolge für Türöffner may be. Handset 611 (baresip) keys it by RFC 4733 and a sipp caller
 * (613) sends it by SIP INFO through kamailio; each opens once. With hangup_after the door ends
 * the call that long after the opening.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Rig, DEFAULT_USERS, type SimulatorStatus } from "../rig/index.js";
import { SIPP_USER, SIPP_PASSWORD, sippCall, infoDigits, udpSocket } from "./door-callers.js";

let rig: Rig;

before(async () => {
	rig = await Rig.start({
		name: "e2e-door-key",
		kamailio: { users: { ...DEFAULT_USERS, [SIPP_USER]: SIPP_PASSWORD } },
		handsets: [{ user: "611" }],
		simulator: { settings: { door: { code: "#9", pulse_ms: 600, hangup_after: 3 } } },
	});
});

after(async () => {
	await rig?.stop();
});

const sim = () => rig.simulator!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Pulse = { at: number; ms: number };
type DoorEvent = { kind: string; at: number; via: string; reason: string };
const pulsesSince = (s: SimulatorStatus, since: number) => ((s.relay_pulses ?? []) as Pulse[]).filter((p) => p.at >= since);
const eventsSince = (s: SimulatorStatus, since: number) => ((s.door_events ?? []) as DoorEvent[]).filter((e) => e.at >= since);

test("handset 611 keys #9 by RFC 4733: one pulse, and the door hangs up 3 s after the opening", { timeout: 60000 }, () =>
	rig.withLogs(async () => {
		await rig.idle();
		const h611 = rig.handset("611");
		const mark = h611.mark();
		const since = Date.now();
		h611.dial("620");
		await h611.waitFor("established", { from: mark });
		await sim().waitForStatus((s) => s.call === "answered", { what: "the call answered" });
		await sleep(500);
		await h611.dtmf("#9");
		const opened = await sim().waitForStatus((s) => pulsesSince(s, since).length === 1, { timeoutMs: 8000, what: "one relay pulse" });
		const openedAt = Date.now();
		const event = eventsSince(opened, since).find((e) => e.kind === "opened");
		assert.ok(event, JSON.stringify(opened.door_events));
		assert.equal(event.via, "rtp");
		// The door ends the call by itself.
		await h611.waitFor("closed", { from: mark, timeoutMs: 10000 });
		const closedAfter = Date.now() - openedAt;
		assert.ok(closedAfter >= 2000, `the call lasted ${closedAfter} ms after the opening, 3 s expected`);
		const idle = await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the hang-up" });
		assert.match(String((idle.last_call as { reason?: string }).reason), /hung up 3 s after the door opened/);
		assert.equal(pulsesSince(idle, since).length, 1);
	}));

test("sipp sends #9 by SIP INFO (application/dtmf-relay, Signal=#): one pulse", { timeout: 60000 }, () =>
	rig.withLogs(async () => {
		await rig.idle();
		await sleep(300);
		const since = Date.now();
		const media = await udpSocket();
		try {
			const sipp = await sippCall(rig, "door-key-info", infoDigits("#9", "application/dtmf-relay"), media.address().port);
			const status = await sim().waitForStatus((s) => pulsesSince(s, since).length === 1, { timeoutMs: 10000, what: "one relay pulse" });
			const event = eventsSince(status, since).find((e) => e.kind === "opened");
			assert.ok(event);
			assert.equal(event.via, "info");
			await sleep(1000);
			sim().hangup();
			await sipp.done();
			assert.equal(pulsesSince(await sim().status(), since).length, 1);
		} finally {
			media.close();
		}
	}));
