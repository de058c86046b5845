/*
 * modules/device/audio.ts (as tsc -p tsconfig.device.json emits it) on the XS test host, over
 * models of the SDK's audio drivers (sdk/io/audio/*.js; KLINGEL_XS_EMBEDDED=test/device/sdk):
 * a call's microphone and speaker for 1,000 frames of 20 ms, the microphone's samples arriving
 * in 32 ms pieces as the SDK's driver reads them from I2S. Every sample must arrive in order,
 * none may be dropped or doubled, and in steady state the JS heap must not grow: no slot and
 * no chunk byte allocated per frame (without a collection in between, so that every allocation
 * counts). Prints "ok - …" / "not ok - …" lines and "N passed, N failed".
 */
import { DeviceMic, DeviceSpeaker } from "../../build/device/modules/device/audio.js";
import AudioIn from "embedded:io/audio/in";
import AudioOut from "embedded:io/audio/out";
import { allocations, check, summary } from "./xs-checks.js";

const WARMUP = 100, FRAMES = 1000;

// A clock that moves when told, with a few timer slots (the drivers keep one or two timers).
// Not test/lib/fake-clock.ts: its for…of over the timers allocates an iterator on XS (8 slots
// a call), which the heap figures would count as the drivers'.
let now = 0;
const timers = [undefined, undefined, undefined, undefined], due = [0, 0, 0, 0], period = [0, 0, 0, 0];
function arm(callback, ms, every) {
	for (let i = 0; i < timers.length; i++) {
		if (timers[i] === undefined) {
			timers[i] = callback;
			due[i] = now + ms;
			period[i] = every ? ms : 0;
			return i + 1;
		}
	}
	throw new Error("more timers than the fake clock has slots");
}
const clock = {
	now: () => now,
	setTimeout: (callback, ms) => arm(callback, ms, false),
	clearTimeout(id) { if (id) timers[id - 1] = undefined; },
	setInterval: (callback, ms) => arm(callback, ms, true),
	clearInterval(id) { if (id) timers[id - 1] = undefined; },
};
/** Moves the clock to `to`, running the timers due on the way. */
function advance(to) {
	for (;;) {
		let k = -1;
		for (let i = 0; i < timers.length; i++) if (timers[i] !== undefined && due[i] <= to && (k < 0 || due[i] < due[k])) k = i;
		if (k < 0) break;
		now = due[k];
		const fire = timers[k];
		if (period[k]) due[k] += period[k];
		else timers[k] = undefined;
		fire();
	}
	now = to;
}
let warnings = 0;
const log = { info() {}, warn(text) { warnings++; print(`# warn: ${text}`); }, error(text) { print(`# error: ${text}`); } };

/** The n-th sample of the test's stream: every value differs from its neighbours. */
const pattern = (n) => ((n * 7919 + 13) << 16) >> 16;

for (const pieceMs of [32, 64]) {
	// The microphone: reads every 20 ms into one frame, pieces of 32 or 64 ms from the driver.
	// Then the event loop is held up for 300 ms: the frame clock runs five missed frames at once
	// and skips the rest, and the backlog this leaves must not stay.
	const mic = new DeviceMic({ sampleRate: 16000, clock, log });
	const input = AudioIn.last;
	const frame = new Int16Array(320), piece = new Int16Array(pieceMs * 16);
	let delivered = 0, taken = 0, wrong = 0, short = 0, frames = 0, backlog = 0;
	let nextPiece = now, nextFrame = now;
	const read = () => {
		const n = mic.read(frame), from = taken + mic.discarded;
		for (let i = 0; i < n; i++) if (frame[i] !== pattern(from + i)) wrong++;
		taken += n;
		if (n < frame.length && frames >= 10) short++;
		frames++;
		const waiting = delivered - taken - mic.discarded;
		if (waiting > backlog) backlog = waiting;
	};
	const step = (count) => {
		const end = frames + count;
		while (frames < end) {
			if (nextPiece <= nextFrame) {
				advance(nextPiece);
				nextPiece += pieceMs;
				if (!input.running) continue; // the driver reads nothing before the first read starts it
				for (let i = 0; i < piece.length; i++) piece[i] = pattern(delivered++);
				input.deliver(piece);
			} else {
				advance(nextFrame);
				read();
				nextFrame += 20;
			}
		}
	};
	step(WARMUP);
	const used = allocations(() => step(FRAMES));
	const steadyBacklog = backlog;
	check(wrong === 0 && taken > (WARMUP + FRAMES - 10) * 320 && mic.discarded === 0, `microphone, pieces of ${pieceMs} ms: every sample read once, in order, a frame every 20 ms`, `${wrong} wrong of ${taken} read, ${delivered} delivered, ${mic.discarded} discarded`);
	check(short === 0, `microphone, pieces of ${pieceMs} ms: no short frame once it has started (10 frames)`, `${short} short frames`);
	check(used.slots === 0 && used.chunks === 0, `microphone, pieces of ${pieceMs} ms: no JS heap allocated in ${FRAMES} frames`, `${used.slots} slots, ${used.chunks} chunk bytes (${(used.slots / FRAMES).toFixed(1)} slots a frame)`);
	// the stall: pieces go on arriving for 300 ms, then five frames at once, the rest skipped
	const stallEnd = nextFrame + 300;
	while (nextPiece <= stallEnd) {
		advance(nextPiece);
		nextPiece += pieceMs;
		for (let i = 0; i < piece.length; i++) piece[i] = pattern(delivered++);
		input.deliver(piece);
	}
	advance(stallEnd);
	for (let i = 0; i < 5; i++) read();
	nextFrame = stallEnd + 20;
	step(50);
	backlog = 0;
	step(100);
	check(wrong === 0 && backlog <= steadyBacklog + 320 && backlog <= 1600, `microphone, pieces of ${pieceMs} ms: after the event loop was held up for 300 ms, the door's audio is no later than before (at most 100 ms waits), in order`, `${backlog / 16} ms of backlog after a read (${steadyBacklog / 16} ms before the stall), ${wrong} wrong, ${mic.discarded} discarded`);
	check(warnings === 1, `microphone, pieces of ${pieceMs} ms: the dropped backlog is logged once`, `${warnings} warnings`);
	warnings = 0;
	mic.close();
}

{
	// The speaker: frames written every 20 ms (then 10 and 30 ms); the DMA plays a buffer of
	// 20 ms in 20 ms, after the writes of that time.
	const speaker = new DeviceSpeaker({ sampleRate: 16000, clock, log, queueMs: 200 });
	advance(now + 200); // the output opens a moment after
	const frame20 = new Int16Array(320), frame10 = new Int16Array(160), frame30 = new Int16Array(480);
	let written = 0, owed = 0;
	const step = (count, samples) => {
		for (let f = 0; f < count; f++) {
			for (let i = 0; i < samples.length; i++) samples[i] = pattern(written++);
			speaker.write(samples);
			const o = AudioOut.last;
			o.service();
			for (owed += samples.length; owed >= 320; owed -= 320) {
				o.play();
				o.service();
			}
			advance(now + samples.length / 16);
		}
	};
	step(WARMUP, frame20);
	const used = allocations(() => step(FRAMES, frame20));
	step(50, frame10);
	step(50, frame30);
	step(10, frame20);
	const o = AudioOut.last;
	let wrong = 0;
	for (let i = 0; i < o.playedCount; i++) if (o.played[i] !== pattern(i)) wrong++;
	check(wrong === 0 && written - o.playedCount <= 640 && speaker.dropped === 0 && o.underruns === 0, "speaker: every sample played once, in order, with no gap (frames of 20, 10 and 30 ms)", `${wrong} wrong of ${o.playedCount} played, ${written} written, ${speaker.dropped} dropped, ${o.underruns} DMA buffers of silence`);
	check(used.slots === 0 && used.chunks === 0, `speaker: no JS heap allocated in ${FRAMES} frames of 20 ms`, `${used.slots} slots, ${used.chunks} chunk bytes (${(used.slots / FRAMES).toFixed(1)} slots a frame)`);
	// The event loop held up for 300 ms: the DMA plays what it has, then silence; then the frame
	// clock runs five missed frames at once and skips the rest.
	const waiting = () => written - (o.playedCount - o.underruns * 320); // samples written, not yet played
	let before = 0;
	for (let i = 0; i < 50; i++) {
		step(1, frame20);
		if (waiting() > before) before = waiting();
	}
	for (let t = 0; t < 300; t += 20) {
		o.play();
		advance(now + 20);
	}
	o.service();
	for (let i = 0; i < 5; i++) {
		for (let k = 0; k < 320; k++) frame20[k] = pattern(written++);
		speaker.write(frame20);
		o.service();
	}
	let after = 0;
	for (let i = 0; i < 100; i++) {
		step(1, frame20);
		if (waiting() > after) after = waiting();
	}
	check(after <= 1600 + 320 && speaker.dropped === 0, "speaker: after the event loop was held up for 300 ms, at most about 100 ms waits to be played (five frames and the one being written)", `${after / 16} ms waited after a write (${before / 16} ms before), ${speaker.dropped} dropped`);
	speaker.close();
}

summary();
