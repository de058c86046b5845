/*
 * The door's lock-out across calls end to end: handset 611 (baresip, RFC 4733) and sipp as 613
 * (SIP INFO) call the door through kamailio again and again with wrong codes. After the tenth the
 * right code opens nothing, in that call and in the next; once the lock-out has run out it opens.
 * A restart while the lock-out lasts starts it again in full. The simulator runs with
 * --door-lockout-ms so that the first lock-out lasts 15 s instead of 5 minutes (the unit specs
 * show the real durations on a fake clock).
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Rig, Simulator, DEFAULT_USERS, type SimulatorStatus } from "../rig/index.js";
import { SIPP_USER, SIPP_PASSWORD, sippCall, infoDigits, udpSocket } from "./door-callers.js";

const LOCKOUT_MS = 15000;
const ARGS = ["--door-lockout-ms", String(LOCKOUT_MS)];

let rig: Rig;

before(async () => {
	rig = await Rig.start({
		name: "e2e-door-lockout",
		kamailio: { users: { ...DEFAULT_USERS, [SIPP_USER]: SIPP_PASSWORD } },
		handsets: [{ user: "611" }],
		simulator: { settings: { door: { code: "123" } }, args: ARGS },
	});
});

after(async () => {
	await rig?.stop();
});

const sim = () => rig.simulator!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface DoorEvent {
	kind: string;
	at: number;
	via: string;
	reason: string;
	count: number;
}
const events = (status: SimulatorStatus) => (status.door_events ?? []) as DoorEvent[];
const pulses = (status: SimulatorStatus) => ((status.relay_pulses ?? []) as unknown[]).length;
const lockout = (status: SimulatorStatus) => status.door_lockout as { active: boolean; level: number; wrong_codes: number; remaining_s: number };

/** Handset 611 calls the door, keys each entry (RFC 4733), waits for the door to take them, hangs up. */
async function handsetCall(entries: string[], settle: (s: SimulatorStatus) => boolean): Promise<SimulatorStatus> {
	const h611 = rig.handset("611");
	const mark = h611.mark();
	h611.dial("620");
	await h611.waitFor("established", { from: mark });
	// The handset's audio reaches the door: its RTP peer is known, so its digits count.
	await sim().waitForStatus((s) => s.call === "answered" && ((s.media as { session?: { audio_received?: number } } | null)?.session?.audio_received ?? 0) > 0, { what: "the call answered, the handset's audio arriving" });
	for (const entry of entries) await h611.dtmf(entry);
	const status = await sim().waitForStatus(settle, { timeoutMs: 8000, what: "the door to take the digits" });
	h611.hangup();
	await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
	return status;
}

/** sipp (613) calls the door and keys `digits` by SIP INFO; the door hangs up once `settle` holds. */
async function infoCall(name: string, digits: string, type: "application/dtmf-relay" | "application/dtmf", settle: (s: SimulatorStatus) => boolean): Promise<SimulatorStatus> {
	const media = await udpSocket();
	try {
		const sipp = await sippCall(rig, name, infoDigits(digits, type), media.address().port);
		const status = await sim().waitForStatus(settle, { timeoutMs: 15000, what: "the door to take the INFO digits" });
		// sipp waits 250 ms after the last INFO's 200 before it expects the door's BYE.
		await sleep(800);
		sim().hangup();
		const result = await sipp.done();
		assert.equal(result.code, 0, `sipp failed:\n${result.output.slice(-2000)}`);
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
		return status;
	} finally {
		media.close();
	}
}

const wrongCodes = (s: SimulatorStatus) => events(s).filter((e) => e.kind === "wrong_code" || e.kind === "locked_out").length;

test("wrong codes over four calls (RFC 4733 and SIP INFO) lock the door out; the right code opens nothing until the lock-out ends", { timeout: 180000 }, () =>
	rig.withLogs(async () => {
		const first = await sim().status();
		assert.equal(lockout(first).active, false);
		assert.match(String(first.door_warning), /the door code is still the default 123/, "the default code is warned about");

		await handsetCall(["999", "888", "777"], (s) => wrongCodes(s) >= 3);
		await infoCall("lockout-info-relay", "999888777", "application/dtmf-relay", (s) => wrongCodes(s) >= 6);
		let status = await handsetCall(["999", "888", "777"], (s) => wrongCodes(s) >= 9);
		assert.equal(lockout(status).active, false, "nine wrong codes: not yet");
		assert.equal(lockout(status).wrong_codes, 9);

		// The tenth, by INFO, starts the lock-out; the right code keyed right after it in the same call is refused.
		status = await infoCall("lockout-info-dtmf", "999123", "application/dtmf", (s) => events(s).some((e) => e.kind === "refused"));
		const started = events(status).filter((e) => e.kind === "lockout_started");
		assert.equal(started.length, 1, JSON.stringify(events(status)));
		assert.equal(started[0].via, "info");
		assert.match(started[0].reason, /^10 wrong codes within 60 min: every code is refused for 15 s \(lock-out 1 in a row\)$/);
		assert.equal(lockout(status).active, true);

		// A new call from the handset while it lasts: the right code opens nothing.
		status = await handsetCall(["123"], (s) => events(s).filter((e) => e.kind === "refused").length >= 2);
		assert.equal(lockout(status).active, true, "still locked out when the right code came");
		assert.equal(pulses(status), 0, "no pulse during the lock-out");
		const refused = events(status).filter((e) => e.kind === "refused");
		assert.deepEqual(refused.map((e) => e.via), ["info", "rtp"]);

		// A restart while it lasts (the simulator stops and starts again over its settings file):
		// the lock-out is in the file, and starts again with its full duration.
		const file = sim().settingsFile;
		await sim().stop();
		const stored = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string | number>>;
		assert.deepEqual(stored.door_lockout, { locked: 1 }, "only the level of the lock-out in force is stored");
		rig.simulator = await Simulator.start({ dir: rig.dir.dir("simulator-restarted"), pbx: rig.pbx, password: DEFAULT_USERS["620"], settings: { door: stored.door, door_lockout: stored.door_lockout }, args: ARGS });
		status = await sim().status();
		assert.equal(lockout(status).active, true, "locked out after the restart");
		assert.ok(lockout(status).remaining_s > LOCKOUT_MS / 1000 - 3, `the full ${LOCKOUT_MS / 1000} s again: ${lockout(status).remaining_s} s left`);
		assert.match(events(status)[0]?.reason ?? "", /^lock-out 1 was in force at a restart: every code is refused for 15 s from now$/);
		status = await handsetCall(["123"], (s) => events(s).some((e) => e.kind === "refused"));
		assert.equal(pulses(status), 0, "no pulse after the restart either");

		// After the lock-out the right code opens.
		status = await sim().waitForStatus((s) => !lockout(s).active, { timeoutMs: LOCKOUT_MS + 5000, what: "the lock-out's end" });
		assert.equal(events(status).filter((e) => e.kind === "lockout_ended").length, 1);
		assert.deepEqual(JSON.parse(readFileSync(sim().settingsFile, "utf8")).door_lockout, { locked: 0, level: 1 }, "the series level stays for the next lock-out");
		status = await handsetCall(["123"], (s) => pulses(s) >= 1 && s.door_relay_on === false);
		assert.equal(pulses(status), 1);
		assert.equal(events(status).filter((e) => e.kind === "opened").length, 1);
		const order = events(status).map((e) => e.kind).filter((k) => k !== "ignored");
		assert.deepEqual(order, ["lockout_started", "refused", "lockout_ended", "opened"]);
	}));
