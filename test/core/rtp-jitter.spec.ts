import { test, group, assert } from "../lib/spec.js";
import { JitterBuffer, TAKE_CONCEAL, TAKE_FRAME, TAKE_SILENCE } from "../../rtp/jitter-buffer.js";
import { rtpPacket, filled } from "../lib/rtp-fixtures.js";

const T0 = 0xfffff000; // close to the 32-bit wrap, so that every test crosses it

/** A one-frame packet whose payload bytes all equal `n & 0xff`. */
function frame(n: number): Uint8Array {
	return rtpPacket({ sequence: n, timestamp: (T0 + n * 160) >>> 0, payload: filled(160, n & 0xff) });
}

function put(jb: JitterBuffer, n: number, at: number): void {
	jb.put(frame(n), 12, 160, (T0 + n * 160) >>> 0, at);
}

/** Takes one frame (at `now`, when given): the byte value played, "conceal" or "silence". */
function take(jb: JitterBuffer, now?: number): number | string {
	const r = jb.take(now);
	if (r === TAKE_FRAME) return jb.frame[0];
	return r === TAKE_CONCEAL ? "conceal" : r === TAKE_SILENCE ? "silence" : `?${r}`;
}

group("jitter buffer", () => {
	test("frames in order play in order, one per take, across the timestamp wrap", () => {
		const jb = new JitterBuffer();
		const played: Array<number | string> = [];
		for (let n = 0; n < 60; n++) {
			put(jb, n, n * 20);
			played.push(take(jb));
		}
		assert.deepEqual(played.slice(0, 5), [0, 1, 2, 3, 4]);
		assert.equal(played[59], 59);
		assert.equal(jb.counters.played, 60);
		assert.equal(jb.counters.lost + jb.counters.late + jb.counters.duplicates, 0);
		assert.equal(jb.targetFrames, 1, "no jitter: 20 ms");
	});

	test("reordered frames are put back in order", () => {
		const jb = new JitterBuffer();
		put(jb, 0, 0);
		assert.equal(take(jb), 0);
		put(jb, 2, 20);
		put(jb, 1, 21);
		put(jb, 4, 40);
		put(jb, 3, 41);
		assert.deepEqual([take(jb), take(jb), take(jb), take(jb)], [1, 2, 3, 4]);
		assert.equal(jb.counters.lost, 0);
	});

	test("a duplicate is dropped and counted", () => {
		const jb = new JitterBuffer();
		put(jb, 0, 0);
		put(jb, 1, 20);
		put(jb, 1, 21);
		assert.deepEqual([take(jb), take(jb)], [0, 1]);
		assert.equal(jb.counters.duplicates, 1);
		assert.equal(take(jb), "conceal");
	});

	test("10 ms packets: a duplicated half is counted as a duplicate and cannot make its frame look whole", () => {
		const jb = new JitterBuffer();
		const half = (n: number, at: number) => jb.put(rtpPacket({ sequence: n, timestamp: (T0 + n * 80) >>> 0, payload: filled(80, 0x11 * (n + 1)) }), 12, 80, (T0 + n * 80) >>> 0, at);
		half(0, 0);
		half(1, 10);
		assert.equal(take(jb, 20), 0x11);
		half(2, 20);
		half(2, 21); // the network doubled it
		// The tick comes before the frame's second half: it waits for it.
		assert.equal(take(jb, 25), "conceal");
		half(3, 32);
		const r = jb.take(45);
		assert.equal(r, TAKE_FRAME);
		assert.deepEqual([jb.frame[0], jb.frame[159]], [0x33, 0x44], "both halves");
		assert.equal(jb.counters.duplicates, 1);
		assert.equal(jb.counters.late, 0);
		assert.equal(jb.counters.frames, 2);
	});

	test("frames of a length that is not whole milliseconds are refused when the buffer is made", () => {
		assert.throws(() => new JitterBuffer({ frameBytes: 100 }), /whole milliseconds/);
		assert.throws(() => new JitterBuffer({ frameBytes: 256 }), /8 to 248/);
	});

	test("a lost frame is reported for concealment and playout goes on", () => {
		const jb = new JitterBuffer();
		put(jb, 0, 0);
		put(jb, 1, 20);
		put(jb, 3, 60);
		put(jb, 4, 80);
		assert.deepEqual([take(jb), take(jb), take(jb), take(jb), take(jb)], [0, 1, "conceal", 3, 4]);
		assert.equal(jb.counters.lost, 1);
	});

	test("an empty buffer holds the playout point, so a late frame still plays; a frame past its time is dropped", () => {
		const jb = new JitterBuffer();
		put(jb, 0, 0);
		assert.equal(take(jb), 0);
		assert.equal(take(jb), "conceal", "frame 1 not there yet");
		assert.equal(jb.counters.underruns, 1);
		put(jb, 1, 45);
		put(jb, 2, 46);
		assert.deepEqual([take(jb), take(jb)], [1, 2]);
		// Frame 4 arrives, then frame 3 after frame 4 was played: too late.
		put(jb, 4, 80);
		assert.equal(take(jb), "conceal");
		assert.equal(take(jb), 4);
		put(jb, 3, 100);
		assert.equal(jb.counters.late, 1);
		assert.equal(jb.counters.lost, 1);
	});

	test("the delay grows with jitter (at most 100 ms) and shrinks back when the network calms", () => {
		const jb = new JitterBuffer();
		// Arrival times jump by up to ±35 ms around the 20 ms grid.
		let seed = 7;
		const wobble = () => {
			seed = (seed * 1103515245 + 12345) & 0x7fffffff;
			return (seed % 71) - 35;
		};
		let n = 0, next = 0;
		const arrivals: Array<[number, number]> = [];
		for (; n < 500; n++) arrivals.push([n, Math.max(0, n * 20 + 40 + wobble())]);
		arrivals.sort((a, b) => a[1] - b[1]);
		let maxTarget = 0, maxDepth = 0;
		for (let tick = 0; tick * 20 < 500 * 20 + 200; tick++) {
			const now = tick * 20;
			while (next < arrivals.length && arrivals[next][1] <= now) {
				put(jb, arrivals[next][0], arrivals[next][1]);
				next++;
			}
			take(jb);
			if (jb.targetFrames > maxTarget) maxTarget = jb.targetFrames;
			if (jb.depth > maxDepth) maxDepth = jb.depth;
		}
		assert.ok(jb.jitterMs > 5, `jitter seen: ${jb.jitterMs} ms`);
		assert.ok(maxTarget >= 3 && maxTarget <= 5, `target rose to ${maxTarget} frames`);
		assert.ok(maxDepth <= 5, `never more than 100 ms buffered (${maxDepth} frames)`);
		const lostWhileJittery = jb.counters.lost;
		// Now a steady stream for 10 s: the jitter estimate decays, the target falls, the delay shrinks.
		for (let k = 0; k < 500; k++, n++) {
			put(jb, n, 10300 + k * 20);
			take(jb);
		}
		assert.equal(jb.targetFrames, 1, `target back to one frame (jitter ${jb.jitterMs} ms)`);
		assert.ok(jb.depth <= 2, `depth back to at most 2 frames, is ${jb.depth}`);
		assert.ok(jb.counters.lost - lostWhileJittery <= 2, "the steady stream plays without loss");
	});

	/**
	 * Ticks every 20 ms (at 20, 40, ...); frame n arrives `early` ms before tick n + 1, but frame 50
	 * comes 2 ms after its tick, so the playout holds once. Returns what the last ticks played.
	 */
	function steadyWithOneLate(jb: JitterBuffer, early: number, timed: boolean): Array<number | string> {
		const played: Array<number | string> = [];
		let n = 0;
		for (let tick = 20; tick <= 6000; tick += 20) {
			for (;;) {
				const at = n === 50 ? 1022 : (n + 1) * 20 - early;
				if (at > tick) break;
				put(jb, n++, at);
			}
			played.push(take(jb, timed ? tick : undefined));
		}
		return played.slice(-3);
	}

	test("without jitter, the frame an underrun added goes again once every frame waited a frame more than needed", () => {
		const timed = new JitterBuffer();
		// After the hold every frame waits 30 ms; after a second one frame goes, and they wait 10 ms.
		const last = steadyWithOneLate(timed, 10, true);
		assert.equal(timed.counters.underruns, 1);
		assert.equal(timed.counters.dropped, 1, "one frame dropped to take the added delay away");
		assert.deepEqual(last, [297 & 0xff, 298 & 0xff, 299 & 0xff], "each frame plays at the tick after it arrived");
		// Without the time, the depth alone (2 frames: the target 1 + 1) keeps the extra frame.
		const untimed = new JitterBuffer();
		assert.deepEqual(steadyWithOneLate(untimed, 10, false), [296 & 0xff, 297 & 0xff, 298 & 0xff], "a frame behind: 30 ms wait");
		assert.equal(untimed.counters.dropped, 0);
	});

	test("frames that wait less than a frame more than needed keep their delay (no drop that would underrun)", () => {
		// Frames arrive 1 ms before their tick: after the hold each waits 21 ms.
		const jb = new JitterBuffer();
		const last = steadyWithOneLate(jb, 1, true);
		assert.equal(jb.counters.underruns, 1);
		assert.equal(jb.counters.dropped, 0);
		assert.deepEqual(last, [296 & 0xff, 297 & 0xff, 298 & 0xff]);
	});

	test("a new stream's spare time is known after 200 ms, then once a second", () => {
		// Frames arrive 10 ms before the tick that plays them: 10 ms waited, 4 ms of margin kept.
		const jb = new JitterBuffer();
		const spare: number[] = [];
		for (let n = 0; n < 60; n++) {
			put(jb, n, n * 20 + 10);
			take(jb, n * 20 + 20);
			spare.push(jb.spareMs);
			jb.spareMs = NaN; // taken, as the media session takes it
		}
		assert.ok(Number.isNaN(spare[8]), `nothing measured after 9 frames (${spare[8]})`);
		assert.equal(spare[9], 6, "after 10 frames");
		assert.ok(Number.isNaN(spare[58]), "nothing new before the next 50 frames");
		assert.equal(spare[59], 6, "after the next 50 frames");
	});

	test("a deeper buffer than 100 ms is cut at once", () => {
		const jb = new JitterBuffer();
		put(jb, 0, 0);
		assert.equal(take(jb), 0);
		for (let n = 1; n <= 10; n++) put(jb, n, 200);
		assert.equal(jb.depth, 10);
		const first = take(jb);
		assert.equal(first, 6, "frames 1-5 dropped, 6-10 kept");
		assert.equal(jb.counters.dropped, 5);
	});

	test("a sender that paused or jumped ahead resynchronises instead of adding its pause as delay", () => {
		const jb = new JitterBuffer();
		for (let n = 0; n < 10; n++) {
			put(jb, n, n * 20);
			take(jb);
		}
		for (let k = 0; k < 50; k++) take(jb); // a second with nothing
		put(jb, 1000, 1200); // the next talk spurt, 20 s later in RTP time
		assert.equal(take(jb), 1000 & 0xff, "plays at once (target 1 frame)");
		assert.equal(jb.counters.resyncs, 1);
		// And a frame that belongs long before the playout point, while empty, restarts the stream too.
		for (let k = 0; k < 3; k++) take(jb);
		put(jb, 1000 - 5000, 1300);
		assert.equal(take(jb), (1000 - 5000) & 0xff);
		assert.equal(jb.counters.resyncs, 2);
	});

	test("a 40 ms packet gives two frames; an empty payload or one longer than 100 ms is refused", () => {
		const jb = new JitterBuffer();
		const payload = new Uint8Array(320);
		payload.fill(1, 0, 160);
		payload.fill(2, 160);
		jb.put(rtpPacket({ sequence: 0, timestamp: 0, payload }), 12, 320, 0, 0);
		assert.deepEqual([take(jb), take(jb)], [1, 2]);
		jb.put(rtpPacket({ sequence: 1, timestamp: 320, payload: filled(0, 3) }), 12, 0, 320, 40);
		jb.put(rtpPacket({ sequence: 1, timestamp: 320, payload: filled(960, 3) }), 12, 960, 320, 40);
		assert.equal(jb.counters.badSize, 2);
		assert.equal(take(jb), "conceal");
	});

	for (const samples of [80, 240, 120]) {
		test(`${samples / 8} ms packets are cut into 20 ms frames in order, with nothing lost or silent`, () => {
			const jb = new JitterBuffer();
			// Byte k of the stream is k & 0x7f (never 0xff, the silence code).
			const out: number[] = [];
			let sent = 0, ts = 1000;
			for (let tick = 0; tick < 60; tick++) {
				while (sent < (tick + 2) * 160) {
					const payload = new Uint8Array(samples);
					for (let i = 0; i < samples; i++) payload[i] = (sent + i) & 0x7f;
					jb.put(rtpPacket({ sequence: sent / samples, timestamp: ts + sent, payload }), 12, samples, ts + sent, tick * 20);
					sent += samples;
				}
				if (jb.take() === TAKE_FRAME) for (let i = 0; i < 160; i++) out.push(jb.frame[i]);
			}
			assert.ok(out.length >= 55 * 160, `${out.length / 160} frames played`);
			for (let k = 0; k < out.length; k++) if (out[k] !== (k & 0x7f)) assert.ok(false, `byte ${k} is ${out[k]}, not ${k & 0x7f}`);
			assert.equal(jb.counters.lost + jb.counters.late + jb.counters.underruns, 0);
		});
	}

	test("a half-filled frame waits for its other half, and plays with a silent gap once a later frame is there", () => {
		const jb = new JitterBuffer();
		jb.silence = 0xd5;
		jb.put(rtpPacket({ sequence: 0, timestamp: 0, payload: filled(80, 1) }), 12, 80, 0, 0);
		assert.equal(take(jb), "conceal", "frame 0 is half there: hold");
		jb.put(rtpPacket({ sequence: 2, timestamp: 160, payload: filled(160, 2) }), 12, 160, 160, 25);
		assert.equal(jb.take(), TAKE_FRAME);
		assert.equal(jb.frame[0], 1);
		assert.equal(jb.frame[159], 0xd5);
		assert.equal(take(jb), 2);
	});

	test("nothing plays before the first frame; reset forgets the stream", () => {
		const jb = new JitterBuffer();
		assert.equal(take(jb), "silence");
		put(jb, 0, 0);
		jb.reset();
		assert.equal(take(jb), "silence");
		assert.equal(jb.depth, 0);
	});

	test("take hands out the same slot views: no buffer is made per frame", () => {
		const jb = new JitterBuffer();
		const seen: Uint8Array[] = [];
		for (let n = 0; n < 1000; n++) {
			put(jb, n, n * 20);
			assert.equal(jb.take(), TAKE_FRAME);
			if (seen.indexOf(jb.frame) < 0) seen.push(jb.frame);
		}
		assert.equal(seen.length, jb.slots, "one view per slot, reused");
	});
});
