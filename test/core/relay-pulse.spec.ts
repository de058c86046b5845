import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { RelayPulse, MAX_PULSE_MS, OFF_RETRY_MS } from "../../hardware/relay-pulse.js";
import type { DigitalOut } from "../../modules/ports.js";
import { RecordingOut } from "../lib/recording-out.js";
import { memoryLogger } from "../lib/memory-logger.js";

/** Moves the clock like an event loop that reports a throwing callback and goes on. */
function runUntil(clock: FakeClock, end: number): string[] {
	const errors: string[] = [];
	for (let guard = 0; guard < 10000; guard++) {
		try {
			clock.advance(end - clock.now());
			return errors;
		} catch (error) {
			errors.push(String((error as Error).message));
		}
	}
	throw new Error("runUntil: too many errors");
}

function rig() {
	const clock = new FakeClock();
	const out = new RecordingOut(clock);
	const lines: string[] = [];
	const relay = new RelayPulse(out, clock, memoryLogger(lines));
	return { clock, out, relay, lines };
}

group("relay pulse", () => {
	test("the relay is forced off at start", () => {
		const { out, relay } = rig();
		assert.deepEqual(out.writes, [[0, 0]]);
		assert.equal(relay.on, false);
	});

	test("a pulse lasts exactly its length and fires once", () => {
		const { clock, out, relay } = rig();
		clock.advance(100);
		assert.equal(relay.pulse(800), true);
		assert.equal(relay.on, true);
		assert.equal(relay.endsAt, 900);
		clock.advance(799);
		assert.equal(out.value, 1, "still on 1 ms before the end");
		clock.advance(1);
		assert.equal(out.value, 0);
		assert.deepEqual(out.pulses(), [[100, 900]]);
		assert.equal(relay.pulses, 1);
		assert.equal(clock.pending, 0, "no timer left behind");
	});

	test("the off-timer is armed before the relay turns on", () => {
		const clock = new FakeClock();
		let pendingWhenOn = -1;
		const out: DigitalOut = {
			write(v) {
				if (v === 1) pendingWhenOn = clock.pending;
			},
			close() {},
		};
		new RelayPulse(out, clock, memoryLogger()).pulse(500);
		assert.equal(pendingWhenOn, 1);
	});

	test("a second pulse during one extends nothing", () => {
		const { clock, out, relay } = rig();
		relay.pulse(800);
		clock.advance(500);
		assert.equal(relay.pulse(800), false);
		clock.advance(300);
		assert.deepEqual(out.pulses(), [[0, 800]]);
		assert.equal(relay.pulses, 1);
	});

	test("extend: true restarts the remaining time on purpose", () => {
		const { clock, out, relay } = rig();
		relay.pulse(800);
		clock.advance(500);
		assert.equal(relay.pulse(800, { extend: true }), true);
		clock.advance(1300);
		assert.deepEqual(out.pulses(), [[0, 1300]]);
		assert.equal(clock.pending, 0);
	});

	test("a pulse after the end of the previous one works again", () => {
		const { clock, out, relay } = rig();
		relay.pulse(800);
		clock.advance(1000);
		assert.equal(relay.pulse(200), true);
		clock.advance(200);
		assert.deepEqual(out.pulses(), [[0, 800], [1000, 1200]]);
	});

	test("listeners that throw can neither skip the off nor stop other listeners", () => {
		const { clock, out, relay, lines } = rig();
		const heard: boolean[] = [];
		relay.listen(() => {
			throw new Error("listener boom");
		});
		relay.listen((on) => heard.push(on));
		assert.equal(relay.pulse(800), true);
		clock.advance(800);
		assert.deepEqual(out.pulses(), [[0, 800]]);
		assert.deepEqual(heard, [true, false]);
		assert.equal(lines.filter((l) => l.includes("listener boom")).length, 2);
	});

	test("a timer callback that throws elsewhere does not delay the end", () => {
		const { clock, out, relay } = rig();
		// Scheduled first and due at the same moment: runs before the relay's timer and throws.
		clock.setTimeout(() => {
			throw new Error("media tick failed");
		}, 800);
		// And a noisy periodic callback that throws every 20 ms.
		clock.setInterval(() => {
			throw new Error("interval failed");
		}, 20);
		relay.pulse(800);
		const errors = runUntil(clock, 2000);
		assert.ok(errors.includes("media tick failed"));
		assert.ok(errors.length > 40);
		assert.deepEqual(out.pulses(), [[0, 800]]);
	});

	test("a program that throws right after starting the pulse still gets it ended", () => {
		const { clock, out, relay } = rig();
		assert.throws(() => {
			relay.pulse(800);
			throw new Error("the caller crashed");
		}, /crashed/);
		clock.advance(800);
		assert.deepEqual(out.pulses(), [[0, 800]]);
	});

	test("a write(0) that throws is retried until the relay is off", () => {
		const { clock, out, relay, lines } = rig();
		relay.pulse(800);
		out.failWrites = 2;
		clock.advance(800);
		assert.equal(out.value, 1, "first attempt failed");
		assert.equal(relay.on, true);
		clock.advance(2 * OFF_RETRY_MS);
		assert.equal(out.value, 0);
		assert.deepEqual(out.pulses(), [[0, 800 + 2 * OFF_RETRY_MS]]);
		assert.equal(lines.filter((l) => l.startsWith("error relay: cannot switch off")).length, 2);
		assert.equal(relay.on, false);
	});

	test("a write(1) that throws leaves the relay off and no timer behind", () => {
		const { clock, out, relay } = rig();
		out.failOn = true;
		assert.equal(relay.pulse(800), false);
		assert.equal(relay.on, false);
		assert.equal(out.value, 0);
		assert.equal(clock.pending, 0);
	});

	test("lengths are clamped; a length that is not a number is refused", () => {
		const { clock, out, relay } = rig();
		relay.pulse(60 * 60 * 1000);
		clock.advance(MAX_PULSE_MS);
		assert.deepEqual(out.pulses(), [[0, MAX_PULSE_MS]]);
		assert.throws(() => relay.pulse(NaN), /finite/);
		assert.throws(() => relay.pulse(Infinity), /finite/);
		assert.equal(relay.on, false);
	});

	test("close forces the relay off at once, releases the port and refuses later pulses", () => {
		const { clock, out, relay } = rig();
		relay.pulse(800);
		clock.advance(300);
		relay.close();
		assert.equal(out.value, 0);
		assert.equal(out.closed, true);
		assert.equal(clock.pending, 0);
		assert.equal(relay.pulse(800), false);
		assert.deepEqual(out.pulses(), [[0, 300]]);
	});
});
