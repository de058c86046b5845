import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { RecordingOut } from "../lib/recording-out.js";
import { RemoteDoor, LOCK_MS, MIN_INTERVAL_MS } from "../../door/remote-door.js";
import { RelayPulse } from "../../hardware/relay-pulse.js";
import { doorEventLog } from "../lib/door-event-log.js";

function rig(enabled = true, code = "4711") {
	const clock = new FakeClock();
	const lines: string[] = [];
	const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
	const out = new RecordingOut(clock);
	const relay = new RelayPulse(out, clock, log);
	const events = doorEventLog(() => 0).doorEvents;
	const door = new RemoteDoor({ clock, log, relay, events, settings: () => ({ code, pulseMs: 500 }), enabled: () => enabled });
	return { clock, lines, out, relay, events, door };
}

group("remote door opening", () => {
	test("off: every command is ignored and the relay never moves", () => {
		const { door, out, events } = rig(false);
		assert.equal(door.command("4711", "mqtt"), "ignored");
		assert.equal(out.pulses().length, 0);
		assert.equal(events.last(1)[0].reason, "remote opening is off");
	});

	test("the right code (plain or JSON) opens, with an event naming the source and never the code", () => {
		const { door, out, events, clock, lines } = rig();
		assert.equal(door.command("4711", "mqtt"), "opened");
		clock.advance(MIN_INTERVAL_MS);
		assert.equal(door.command('{"code":"4711"}', "mqtt"), "opened");
		clock.advance(1000);
		assert.equal(out.pulses().length, 2);
		const [event] = events.last(1);
		assert.equal(event.kind, "opened");
		assert.equal(event.via, "mqtt");
		for (const text of [...lines, JSON.stringify(events.last(20))]) assert.ok(!text.includes("4711"), text);
	});

	test("every door code the settings take works remotely: 1 to 16 keys of 0-9, * and #", () => {
		for (const code of ["#9", "1", "12", "4711", "123456789", "1234567890123456", "12*34", "*#*"]) {
			const { door, out, events, clock } = rig(true, code);
			assert.equal(door.command(JSON.stringify({ code }), "mqtt"), "opened", `code ${code}`);
			clock.advance(MIN_INTERVAL_MS);
			assert.equal(door.command(code + "0", "mqtt"), "wrong_code", `code ${code} and one key more`);
			clock.advance(1000);
			assert.equal(out.pulses().length, 1, `code ${code}`);
			assert.equal(events.last(2)[0].kind, "opened", `code ${code}`);
		}
	});

	test("no door code (or one the settings never take): every command is ignored as the opener is disabled", () => {
		for (const code of ["", "12a", "12345678901234567"]) {
			const { door, out, events, clock } = rig(true, code);
			assert.equal(door.command(code, "mqtt"), "ignored", `code ${JSON.stringify(code)}`);
			clock.advance(1000);
			assert.equal(out.pulses().length, 0);
			assert.equal(events.last(1)[0].reason, "door opener disabled");
		}
	});

	test("one attempt per 2 s; three wrong codes lock remote opening for 5 min", () => {
		const { door, clock, out } = rig();
		assert.equal(door.command("1", "mqtt"), "wrong_code");
		assert.equal(door.command("4711", "mqtt"), "ignored", "too soon");
		clock.advance(MIN_INTERVAL_MS);
		assert.equal(door.command("2", "mqtt"), "wrong_code");
		clock.advance(MIN_INTERVAL_MS);
		assert.equal(door.command("3", "mqtt"), "locked_out");
		clock.advance(MIN_INTERVAL_MS);
		assert.equal(door.command("4711", "mqtt"), "ignored", "locked");
		clock.advance(LOCK_MS);
		assert.equal(door.command("4711", "mqtt"), "opened");
		clock.advance(1000);
		assert.equal(out.pulses().length, 1);
	});

	test("a flood of commands cannot push the openings out of the history: repeats of one reason are one entry, told once", () => {
		const clock = new FakeClock();
		const log = { info() {}, warn() {}, error() {} };
		const out = new RecordingOut(clock);
		const { doorEvents: events, log: history } = doorEventLog(() => 0, undefined, clock);
		let told = 0;
		history.listen((e) => { if (e.count === 1) told++; });
		let locked = false;
		const door = new RemoteDoor({ clock, log, relay: new RelayPulse(out, clock, log), events, settings: () => ({ code: "4711", pulseMs: 500 }), enabled: () => true, lockedOut: () => locked });
		events.add({ kind: "opened", caller: "611", callId: "c1", via: "info", reason: "code accepted" });
		for (let i = 0; i < 3; i++) {
			door.command("0000", "mqtt");
			clock.advance(MIN_INTERVAL_MS);
		}
		assert.equal(events.last(1)[0].kind, "locked_out");
		let before = told;
		// Ten a second for a minute while remote opening is locked.
		for (let i = 0; i < 600; i++) {
			assert.equal(door.command("4711", "mqtt"), "ignored");
			clock.advance(100);
		}
		assert.equal(told - before, 1, "remote opening locked: one event");
		assert.equal(events.last(1)[0].count, 600);
		clock.advance(LOCK_MS);
		locked = true;
		before = told;
		// The door's lock-out: a burst at once, then ten a second and bursts of two every 2.1 s.
		for (let i = 0; i < 1000; i++) door.command("4711", "mqtt");
		for (let i = 0; i < 600; i++) {
			door.command("4711", "mqtt");
			clock.advance(100);
		}
		for (let i = 0; i < 30; i++) {
			door.command("4711", "mqtt");
			door.command("4711", "mqtt");
			clock.advance(2100);
		}
		assert.equal(told - before, 1, "the door locked out: one event");
		assert.equal(events.last(1)[0].kind, "refused");
		assert.equal(events.last(1)[0].count, 1660);
		assert.equal(out.pulses().length, 0);
		assert.ok(events.last(50).some((e) => e.kind === "opened"), "the resident's opening is still in the history");
	});

	test("the door's lock-out across calls holds for remote commands, and their wrong codes count towards it", () => {
		const clock = new FakeClock();
		const log = { info() {}, warn() {}, error() {} };
		const out = new RecordingOut(clock);
		let locked = false;
		let wrong = 0;
		const events = doorEventLog(() => 0).doorEvents;
		const door = new RemoteDoor({
			clock, log, relay: new RelayPulse(out, clock, log), events, settings: () => ({ code: "4711", pulseMs: 500 }), enabled: () => true,
			lockedOut: () => locked,
			wrong: () => {
				if (++wrong < 2) return undefined;
				locked = true;
				return "locked out for 5 min";
			},
		});
		assert.equal(door.command("1", "mqtt"), "wrong_code");
		clock.advance(MIN_INTERVAL_MS);
		assert.equal(door.command("2", "mqtt"), "locked_out");
		assert.equal(events.last(1)[0].kind, "lockout_started");
		clock.advance(MIN_INTERVAL_MS);
		assert.equal(door.command("4711", "mqtt"), "refused", "the right code is refused while locked out");
		assert.equal(out.pulses().length, 0);
	});
});
