import { test, group, assert } from "../lib/spec.js";
import { FrameClock } from "../../rtp/frame-clock.js";
import type { Clock, TimerId } from "../../modules/ports.js";
import { FakeClock } from "../lib/fake-clock.js";

/** A clock whose timers fire late, by whatever `lateness()` says each time. */
class LateClock implements Clock {
	readonly inner = new FakeClock();
	lateness: () => number = () => 0;
	now(): number {
		return this.inner.now();
	}
	setTimeout(callback: () => void, ms: number): TimerId {
		return this.inner.setTimeout(callback, ms + this.lateness());
	}
	clearTimeout(id: TimerId): void {
		this.inner.clearTimeout(id);
	}
	setInterval(callback: () => void, ms: number): TimerId {
		return this.inner.setInterval(callback, ms);
	}
	clearInterval(id: TimerId): void {
		this.inner.clearInterval(id);
	}
}

function pseudoRandom(seed: number): () => number {
	let s = seed;
	return () => {
		s = (s * 1103515245 + 12345) & 0x7fffffff;
		return s / 0x7fffffff;
	};
}

group("frame clock", () => {
	test("50 frames a second, each exactly on its due time with punctual timers", () => {
		const clock = new FakeClock();
		clock.advance(1234.5);
		const fc = new FrameClock(clock);
		const at: number[] = [];
		fc.start((n) => at.push(clock.now() - 1234.5 - n * 20));
		clock.advance(10000);
		assert.equal(at.length, 501);
		for (const late of at) assert.equal(late, 0);
		fc.stop();
		assert.equal(clock.pending, 0);
	});

	test("timers up to 15 ms late never add up: after a minute the count is exact and frames are at most 15 ms late", () => {
		const clock = new LateClock();
		const random = pseudoRandom(42);
		clock.lateness = () => random() * 15;
		const fc = new FrameClock(clock);
		const frames: number[] = [];
		const lateness: number[] = [];
		let worst = 0;
		fc.start((n) => {
			frames.push(n);
			const late = clock.now() - n * 20;
			lateness.push(late);
			if (late > worst) worst = late;
		}, 0);
		clock.inner.advance(60000);
		// Frame 3000 is due at 60000; it may still be waiting for its late timer.
		assert.ok(frames.length === 3000 || frames.length === 3001, `${frames.length} frames in 60 s`);
		for (let i = 0; i < frames.length; i++) assert.equal(frames[i], i, "no frame skipped or repeated");
		assert.ok(worst <= 15, `worst lateness ${worst} ms`);
		assert.equal(fc.skipped, 0);
		// Drift would show as growing lateness: the last thousand frames are no later than the first.
		const mean = (from: number, to: number) => lateness.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
		const early = mean(0, 1000), late = mean(lateness.length - 1000, lateness.length);
		assert.ok(Math.abs(late - early) < 1.5, `mean lateness ${early.toFixed(2)} ms then ${late.toFixed(2)} ms`);
		fc.stop();
	});

	test("after the event loop was held up, missed frames catch up at most 5 at once and older ones are skipped", () => {
		const clock = new LateClock();
		const fc = new FrameClock(clock, 20, 5);
		const ran: Array<[number, number]> = [];
		fc.start((n) => ran.push([n, clock.now()]), 0);
		clock.inner.advance(100); // frames 0-5; frame 6's timer is armed for 120
		clock.lateness = () => 60; // the loop gets busy: frame 7's timer fires 60 ms late (at 200)
		clock.inner.advance(25);
		clock.lateness = () => 0;
		clock.inner.advance(175);
		const burst = ran.filter(([, t]) => t === 200).map(([n]) => n);
		assert.deepEqual(burst, [7, 8, 9, 10]);
		assert.equal(fc.skipped, 0, "4 late frames are within the cap");
		// A 300 ms stall: frames 17-32 due at once at 640; 5 run, 11 are skipped; the schedule stays.
		clock.lateness = () => 300;
		clock.inner.advance(25);
		clock.lateness = () => 0;
		clock.inner.advance(400);
		assert.deepEqual(ran.filter(([, t]) => t === 640).map(([n]) => n), [28, 29, 30, 31, 32]);
		assert.equal(fc.skipped, 11);
		const after = ran.filter(([, t]) => t > 640);
		assert.ok(after.length >= 4);
		for (const [n, t] of after) assert.equal(t, n * 20, `frame ${n} back on its time`);
		assert.ok(fc.bursts >= 2);
		fc.stop();
	});

	test("a frame whose handler throws is counted and the clock goes on", () => {
		const clock = new FakeClock();
		const fc = new FrameClock(clock);
		let count = 0;
		fc.start((n) => {
			count++;
			if (n === 3) throw new Error("boom");
		});
		clock.advance(200);
		assert.equal(count, 11);
		assert.equal(fc.errors, 1);
		assert.match(String(fc.lastError), /boom/);
		fc.stop();
	});

	test("a clock started in the past runs the frames due since then (capped) and keeps the original schedule", () => {
		const clock = new FakeClock();
		clock.advance(1000);
		const fc = new FrameClock(clock, 20, 3);
		const ran: number[] = [];
		fc.start((n) => ran.push(n), 950);
		assert.deepEqual(ran, [0, 1, 2]);
		assert.equal(fc.skipped, 0);
		clock.advance(10);
		assert.deepEqual(ran, [0, 1, 2, 3]);
		fc.stop();
	});
});
