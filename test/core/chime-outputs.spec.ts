import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { bootApp } from "../lib/app-harness.js";
import { RecordingOut } from "../lib/recording-out.js";
import { StatusLed, patternFor, levelAt, TICK_MS, type LedInputs } from "../../hardware/status-led.js";
import { GONG_PULSE_MS } from "../../config/bells.js";
import type { DigitalIn, LevelOut, Logger } from "../../modules/ports.js";

class RecordingLed implements LevelOut {
	writes: Array<[number, number]> = [];
	closed = false;
	constructor(private clock: FakeClock) {}
	write(level: number) { this.writes.push([this.clock.now(), level]); }
	close() { this.closed = true; }
}

function quietLog(lines: string[] = []): Logger {
	return { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

class FakeInput implements DigitalIn {
	onChange: ((value: number) => void) | undefined;
	read() { return 1; }
	close() {}
	press() { this.onChange?.(0); this.onChange?.(1); }
}

group("chime outputs", () => {
	test("the LED pattern: a call over ringing over access point over no registration over idle", () => {
		const base: LedInputs = { registered: true, accessPoint: false };
		assert.equal(patternFor(base), "idle");
		assert.equal(patternFor({ ...base, registered: false }), "unregistered");
		assert.equal(patternFor({ ...base, registered: false, accessPoint: true }), "access_point");
		assert.equal(patternFor({ ...base, accessPoint: true, call: { state: "ringing", direction: "outbound" } }), "ringing");
		assert.equal(patternFor({ ...base, call: { state: "calling", direction: "outbound" } }), "ringing");
		assert.equal(patternFor({ ...base, registered: false, call: { state: "answered", direction: "inbound" } }), "call");
		assert.equal(patternFor({ ...base, call: { state: "calling", direction: "inbound" } }), "idle", "an inbound call is answered at once, it does not ring at the door");
		assert.equal(patternFor({ ...base, adminReset: true, call: { state: "answered", direction: "inbound" } }), "admin_reset", "the BOOT button held past its reset comes first: let go");
	});

	test("levels: ringing blinks 200/200 ms, no registration flashes 100 ms every 2 s, the access point breathes", () => {
		assert.deepEqual([0, 1, 2, 3, 4, 5].map((t) => levelAt("ringing", t)), [1, 1, 0, 0, 1, 1]);
		assert.deepEqual([0, 1, 19, 20].map((t) => levelAt("unregistered", t)), [1, 0, 0, 1]);
		assert.deepEqual([0, 5, 10, 15, 20].map((t) => levelAt("access_point", t)), [0, 0.5, 1, 0.5, 0]);
		assert.equal(levelAt("call", 7), 1);
		assert.equal(levelAt("idle", 7), 0);
	});

	test("StatusLed writes only changes, logs each new pattern once, and is off after close", () => {
		const clock = new FakeClock();
		const led = new RecordingLed(clock);
		const lines: string[] = [];
		let inputs: LedInputs = { registered: false, accessPoint: false };
		const status = new StatusLed(led, clock, quietLog(lines), () => inputs);
		status.start();
		clock.advance(2 * 20 * TICK_MS - 1);
		assert.deepEqual(led.writes, [[0, 0], [0, 1], [100, 0], [2000, 1], [2100, 0]]);
		inputs = { registered: true, accessPoint: false, call: { state: "answered", direction: "inbound" } };
		clock.advance(TICK_MS + 1);
		assert.equal(status.pattern, "call");
		assert.equal(status.level, 1);
		assert.deepEqual(lines.filter((l) => l.startsWith("info status LED")), ["info status LED: unregistered", "info status LED: call"]);
		status.close();
		assert.equal(led.writes[led.writes.length - 1][1], 0);
		assert.equal(led.closed, true);
		const count = led.writes.length;
		clock.advance(5000);
		assert.equal(led.writes.length, count, "no writes after close");
	});

	test("the gong pulses 500 ms for each press of a button that has it on, not for one that has it off or the web page's ring", () => {
		const inputs = new Map<number, FakeInput>();
		const gongClock: { clock?: FakeClock } = {};
		const writes: Array<[number, number]> = [];
		const a = bootApp({
			settings: { bell: { bell2_target: "**12", bell2_gong: 0 } },
			env: {
				gong: { write: (v) => writes.push([gongClock.clock!.now(), v]), close() {} },
				openButton: (n) => {
					const input = new FakeInput();
					inputs.set(n, input);
					return input;
				},
			},
		});
		gongClock.clock = a.clock;
		writes.length = 0;
		a.application.doorbell.press("button", 1);
		a.clock.advance(GONG_PULSE_MS + 100);
		assert.deepEqual(writes.map(([t, v]) => [t, v]).filter(([, v]) => v === 1).length, 1);
		const on = writes.find(([, v]) => v === 1)!, off = writes.find(([t, v]) => v === 0 && t > on[0])!;
		assert.equal(off[0] - on[0], GONG_PULSE_MS);
		writes.length = 0;
		a.clock.advance(1500);
		inputs.get(2)!.press();
		a.clock.advance(1000);
		assert.equal(writes.filter(([, v]) => v === 1).length, 0, "button 2 has the gong off");
		a.clock.advance(1500);
		a.application.doorbell.press("web", 1);
		a.clock.advance(1000);
		assert.equal(writes.filter(([, v]) => v === 1).length, 0, "the web page's test ring sounds no gong");
		const status = JSON.parse(JSON.stringify(a.application.status())) as { gong: { pulses: number } };
		assert.equal(status.gong.pulses, 1);
	});

	test("a press while the gong sounds does not lengthen it, and a second press after it sounds again", () => {
		const writes: Array<[number, number]> = [];
		const holder: { clock?: FakeClock } = {};
		const a = bootApp({ env: { gong: { write: (v) => writes.push([holder.clock!.now(), v]), close() {} } } });
		holder.clock = a.clock;
		writes.length = 0;
		a.application.doorbell.press("button", 1);
		a.clock.advance(300);
		a.application.doorbell.press("button", 1);
		a.clock.advance(300);
		assert.deepEqual(writes, [[0, 1], [GONG_PULSE_MS, 0]].map(([t, v]) => [t + writes[0][0], v]));
		a.clock.advance(1000);
		a.application.doorbell.press("button", 1);
		assert.equal(writes.filter(([, v]) => v === 1).length, 2);
	});
});
