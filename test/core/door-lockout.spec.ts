import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { RelayPulse } from "../../hardware/relay-pulse.js";
import { doorEventLog } from "../lib/door-event-log.js";
import { DoorOpener, DEFAULT_DOOR_SETTINGS, type DoorCall } from "../../door/door-opener.js";
import { DoorLockout, DEFAULT_LOCKOUT_TIMES, LOCKOUT_NAMESPACE, LOCKOUT_THRESHOLD } from "../../door/door-lockout.js";
import { keySpec } from "../../config/keys.js";
import { memoryLogger } from "../lib/memory-logger.js";
import { RecordingOut } from "../lib/recording-out.js";
import { MemoryStore } from "../lib/app-harness.js";

const PBX = { address: "192.168.178.1", port: 5060 };
const RTP = { address: "192.168.178.1", port: 7078 };
const MINUTE = 60_000;

/** A store that counts its writes (flash wear). */
class CountingStore extends MemoryStore {
	writes: string[] = [];
	override set(namespace: string, key: string, value: string | number) {
		this.writes.push(`${namespace}.${key}=${value}`);
		super.set(namespace, key, value);
	}
}

/** A door opener on a fake clock; `restart()` builds a new one over the same store, as a reset would. */
function rig(store = new CountingStore(), code = "123") {
	const clock = new FakeClock();
	const lines: string[] = [];
	const log = memoryLogger(lines);
	const out = new RecordingOut(clock);
	const relay = new RelayPulse(out, clock, log);
	const events = doorEventLog(() => 1_780_000_000_000 + clock.now(), 200, clock).doorEvents;
	const opener = new DoorOpener({ clock, log, relay, events, store, pbx: () => PBX }, { code, pulseMs: 800, maxOpenings: 1 });
	const tones: string[] = [];
	opener.playTone = (kind) => tones.push(kind);
	let calls = 0;
	/** A new answered call from the PBX. */
	const call = (): DoorCall & { state: string } => ({ state: "answered", peer: "Gast", peerAddress: PBX.address, peerPort: PBX.port, callId: `c${++calls}`, media: { remoteAddress: RTP.address, remotePort: RTP.port } });
	/** Keys `entries` in one call (RFC 4733, 100 ms a digit, 1 s between entries), then hangs up. */
	const callWith = (...entries: string[]) => {
		const c = call();
		const outcomes: string[] = [];
		for (const entry of entries) {
			for (const d of entry) {
				const outcome = opener.digit(c, d, "rtp", RTP);
				clock.advance(100);
				if (outcome !== "entered") outcomes.push(outcome);
			}
			clock.advance(1000);
		}
		c.state = "ended";
		return outcomes;
	};
	/** Wrong codes, three a call, until `n` have been keyed. */
	const guess = (n: number) => {
		const outcomes: string[] = [];
		for (let left = n; left > 0; left -= 3) outcomes.push(...callWith(...["999", "998", "997"].slice(0, Math.min(3, left))));
		return outcomes;
	};
	/** Keys the digits at once (no time passes), returning the last outcome. */
	const key = (c: DoorCall, digits: string) => {
		let outcome = "";
		for (const d of digits) outcome = opener.digit(c, d, "rtp", RTP);
		return outcome;
	};
	const kinds = () => events.last(200).map((e) => e.kind);
	return { clock, lines, out, events, opener, tones, store, call, callWith, guess, key, kinds, pulses: () => out.pulses().length };
}

group("door lock-out across calls", () => {
	test("10 wrong codes over four calls lock the door: the right code in the next call opens nothing", () => {
		const r = rig();
		assert.deepEqual(r.guess(9), ["wrong_code", "wrong_code", "locked_out", "wrong_code", "wrong_code", "locked_out", "wrong_code", "wrong_code", "locked_out"]);
		assert.equal(r.opener.lockout.active, false, "nine are not yet too many");
		assert.deepEqual(r.callWith("996"), ["locked_out"], "the tenth starts the lock-out");
		assert.equal(r.opener.lockout.active, true);
		const started = r.events.last(200).filter((e) => e.kind === "lockout_started");
		assert.equal(started.length, 1);
		assert.equal(started[0].reason, "10 wrong codes within 60 min: every code is refused for 5 min (lock-out 1 in a row)");
		assert.equal(started[0].call_id, "c4");
		assert.deepEqual(r.tones.slice(-1), ["reject"]);
		assert.deepEqual(r.callWith("123", "123"), ["refused", "refused"]);
		assert.equal(r.pulses(), 0, "the right code opened nothing");
		const refused = r.events.last(1)[0];
		assert.equal(refused.kind, "refused");
		assert.equal(refused.reason, "the door is locked out after too many wrong codes: every code is refused until the lock-out ends");
		assert.ok(r.lines.some((l) => l.startsWith("warn door: lockout started: 10 wrong codes")));
	});

	test("a caller keying codes during a lock-out: one refused entry for the call, told once, and the openings stay in the history", () => {
		const r = rig();
		const c = r.call();
		assert.equal(r.key(c, "123"), "opened");
		r.guess(10);
		assert.equal(r.opener.lockout.active, true);
		const warned = r.lines.length;
		const flood = r.call();
		for (let i = 0; i < 240; i++) {
			assert.equal(r.key(flood, "123"), "refused");
			r.clock.advance(1000);
		}
		const [refused] = r.events.last(1);
		assert.equal(refused.kind, "refused");
		assert.equal(refused.count, 240, "four minutes of codes, one entry");
		assert.equal(r.lines.length - warned, 1, "logged once");
		assert.ok(r.events.last(50).some((e) => e.kind === "opened"), "the opening is still in the history");
	});

	test("the first lock-out lasts exactly 5 minutes; its end is an event, and then the right code opens", () => {
		const r = rig();
		r.guess(10);
		const left = r.opener.lockout.remainingMs;
		assert.equal(left, 5 * MINUTE - 1100, "started at the tenth wrong code's last digit, 1.1 s ago");
		r.clock.advance(left - 1);
		const c = r.call();
		assert.equal(r.key(c, "123"), "refused", "1 ms before the end");
		r.clock.advance(1);
		assert.equal(r.opener.lockout.active, false);
		assert.deepEqual(r.kinds().slice(-2), ["refused", "lockout_ended"]);
		assert.equal(r.events.last(1)[0].reason, "lock-out 1 is over: codes are taken again");
		assert.equal(r.events.last(1)[0].call_id, "");
		assert.equal(r.key(c, "123"), "opened");
		r.clock.advance(1000);
		assert.equal(r.pulses(), 1);
	});

	test("each further lock-out of a series lasts twice as long, up to 1 hour: 5, 10, 20, 40, 60, 60 min", () => {
		const r = rig();
		const durations: number[] = [];
		for (let i = 0; i < 6; i++) {
			r.guess(10);
			assert.equal(r.opener.lockout.active, true, `lock-out ${i + 1}`);
			const left = r.opener.lockout.remainingMs;
			durations.push((left + 1100) / MINUTE);
			r.clock.advance(left);
		}
		assert.deepEqual(durations, [5, 10, 20, 40, 60, 60]);
		const reasons = r.events.last(200).filter((e) => e.kind === "lockout_started").map((e) => e.reason.replace(/^.*refused for /, ""));
		assert.deepEqual(reasons, ["5 min (lock-out 1 in a row)", "10 min (lock-out 2 in a row)", "20 min (lock-out 3 in a row)", "40 min (lock-out 4 in a row)", "60 min (lock-out 5 in a row)", "60 min (lock-out 6 in a row)"]);
	});

	test("wrong codes count for one hour: 10 in 15 minutes lock out, and so do 10 spread over 59 minutes", () => {
		const fast = rig();
		for (let i = 0; i < 10; i++) {
			fast.callWith("999");
			fast.clock.advance(90_000 - 1400);
		}
		assert.ok(fast.clock.now() <= 15 * MINUTE);
		assert.equal(fast.opener.lockout.active, true, "10 in 15 minutes");
		const slow = rig();
		for (let i = 0; i < 10; i++) {
			slow.callWith("999");
			if (i < 9) slow.clock.advance(6.5 * MINUTE - 1400);
		}
		assert.ok(slow.clock.now() < 59 * MINUTE);
		assert.equal(slow.opener.lockout.active, true, "10 in 59 minutes");
	});

	test("a wrong code older than the hour no longer counts", () => {
		const r = rig();
		r.guess(9);
		r.clock.advance(60 * MINUTE);
		assert.equal(r.opener.lockout.recentWrong, 0);
		r.guess(9);
		assert.equal(r.opener.lockout.active, false, "9 + 9 over more than an hour");
		assert.equal(r.opener.lockout.recentWrong, 9);
		r.guess(1);
		assert.equal(r.opener.lockout.active, true);
	});

	test("codes keyed during a lock-out are refused unread and do not count towards the next one", () => {
		const r = rig();
		r.guess(10);
		for (let i = 0; i < 20; i++) r.callWith("999", "123");
		assert.equal(r.opener.lockout.recentWrong, 0);
		r.clock.advance(5 * MINUTE);
		assert.equal(r.opener.lockout.active, false);
		r.guess(9);
		assert.equal(r.opener.lockout.active, false, "nine wrong codes after the lock-out: not yet");
		assert.equal(r.pulses(), 0);
	});

	test("a restart finds the lock-out in the store and starts it again with its full duration", () => {
		const store = new CountingStore();
		const before = rig(store);
		before.guess(10);
		before.clock.advance(4 * MINUTE);
		// The reset: a new opener, its monotonic clock from zero, over the same store.
		const after = rig(store);
		assert.equal(after.opener.lockout.active, true);
		assert.equal(after.opener.lockout.remainingMs, 5 * MINUTE);
		const [event] = after.events.last(1);
		assert.equal(event.kind, "lockout_started");
		assert.equal(event.reason, "lock-out 1 was in force at a restart: every code is refused for 5 min from now");
		assert.ok(after.lines.some((l) => l === "warn door: lockout started: lock-out 1 was in force at a restart: every code is refused for 5 min from now"));
		assert.deepEqual(after.callWith("123"), ["refused"]);
		after.clock.advance(5 * MINUTE);
		assert.deepEqual(after.callWith("123"), ["opened"]);
	});

	test("the series level survives a restart: the next lock-out after one is 10 minutes", () => {
		const store = new CountingStore();
		const before = rig(store);
		before.guess(10);
		before.clock.advance(5 * MINUTE);
		assert.equal(before.opener.lockout.active, false);
		const after = rig(store);
		assert.equal(after.opener.lockout.active, false, "an ended lock-out stays ended");
		after.guess(10);
		assert.equal(after.opener.lockout.remainingMs + 1100, 10 * MINUTE);
	});

	test("flash writes only when a lock-out starts and ends, never per wrong code", () => {
		const r = rig();
		r.guess(9);
		assert.deepEqual(r.store.writes, []);
		r.guess(1);
		assert.deepEqual(r.store.writes, [`${LOCKOUT_NAMESPACE}.locked=1`]);
		r.guess(30);
		assert.equal(r.store.writes.length, 1, "refused codes write nothing");
		r.clock.advance(5 * MINUTE);
		assert.deepEqual(r.store.writes, [`${LOCKOUT_NAMESPACE}.locked=1`, `${LOCKOUT_NAMESPACE}.level=1`, `${LOCKOUT_NAMESPACE}.locked=0`]);
	});

	test("a reset between the two writes at the end of a lock-out leaves it in force", () => {
		const store = new MemoryStore({ [LOCKOUT_NAMESPACE]: { locked: 2, level: 2 } });
		const r = rig(store as CountingStore);
		assert.equal(r.opener.lockout.active, true);
		assert.equal(r.opener.lockout.remainingMs, 10 * MINUTE);
	});

	test("a day without a lock-out starts a new series: 5 minutes again", () => {
		const r = rig();
		r.guess(10);
		r.clock.advance(5 * MINUTE);
		r.guess(10);
		assert.equal(r.opener.lockout.remainingMs + 1100, 10 * MINUTE);
		r.clock.advance(10 * MINUTE + 24 * 60 * MINUTE);
		r.guess(10);
		assert.equal(r.opener.lockout.remainingMs + 1100, 5 * MINUTE);
	});

	test("a damaged stored value locks out for the longest time rather than not at all", () => {
		const store = new MemoryStore({ [LOCKOUT_NAMESPACE]: { locked: "x" } });
		const r = rig(store as CountingStore);
		assert.equal(r.opener.lockout.active, true);
		assert.equal(r.opener.lockout.remainingMs, 60 * MINUTE);
		assert.ok(r.lines.some((l) => l.startsWith("warn door: stored lock-out locked is \"x\"")));
	});

	test("a store that cannot be written still locks out until a restart", () => {
		const store = new CountingStore();
		store.set = () => {
			throw new Error("NVS full");
		};
		const r = rig(store);
		r.guess(10);
		assert.equal(r.opener.lockout.active, true);
		assert.ok(r.lines.some((l) => l.includes("cannot store the lock-out (locked): NVS full")));
		assert.deepEqual(r.callWith("123"), ["refused"]);
	});

	test("the defaults are the documented ones: 10 wrong codes, 5 minutes doubling to 1 hour", () => {
		assert.equal(LOCKOUT_THRESHOLD, 10);
		assert.deepEqual(DEFAULT_LOCKOUT_TIMES, { windowMs: 60 * MINUTE, firstMs: 5 * MINUTE, maxMs: 60 * MINUTE, seriesMs: 24 * 60 * MINUTE });
		const clock = new FakeClock();
		const lockout = new DoorLockout({ clock, store: new MemoryStore(), log: { info() {}, warn() {}, error() {} } });
		assert.deepEqual([1, 2, 3, 4, 5, 6, 30].map((level) => lockout.durationOf(level) / MINUTE), [5, 10, 20, 40, 60, 60, 60]);
		assert.throws(() => new DoorLockout({ clock, store: new MemoryStore(), log: { info() {}, warn() {}, error() {} } }, { ...DEFAULT_LOCKOUT_TIMES, firstMs: 0 }));
	});

	test("/sipDebug: the lock-out's state, and a warning while the code is the default 123", () => {
		const r = rig();
		const status = r.opener.status();
		assert.deepEqual(status.door_lockout, { active: false, remaining_s: 0, level: 0, wrong_codes: 0, limit: 10, window_s: 3600, next_lockout_s: 300 });
		assert.match(String(status.door_warning), /^the door code is still the default 123/);
		r.guess(10);
		assert.deepEqual(r.opener.status().door_lockout, { active: true, remaining_s: 299, level: 1, wrong_codes: 0, limit: 10, window_s: 3600, next_lockout_s: 600 });
		const own = rig(new CountingStore(), "4711");
		assert.equal(own.opener.status().door_warning, null);
		own.opener.settings = { code: "123", pulseMs: 800, maxOpenings: 1 };
		assert.notEqual(own.opener.status().door_warning, null, "saving 123 again brings the warning back");
	});

	test("the opener's default code is the setting's default", () => {
		assert.equal(DEFAULT_DOOR_SETTINGS.code, keySpec("code")!.fallback);
	});
});
