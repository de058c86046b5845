// The simulator's door box (--echo): what its speaker plays comes back into its microphone
// through a delay and decaying reflections, mixed with the --mic source, on one clock with the
// speaker; `clip` overdrives a small speaker. Measured on the box alone, frame by frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadNativeAudio } from "../../modules/host/native-audio.js";
import { CLIP_LEVEL, ECHO_DELAY_SAMPLES, ECHO_DIRECT_GAIN, ECHO_LATENCY_MAX_MS, ECHO_PATH_SAMPLES, EchoBox, type EchoMode } from "../../modules/host/echo-box.js";
import { parseOptions } from "../../modules/host/options.js";
import { ToneMic, RecordingSpeaker, rms, toneShare, zeroCrossingFrequency } from "../lib/rtp-fixtures.js";
import type { AudioIn } from "../../modules/ports.js";
import { FakeClock } from "../lib/fake-clock.js";

const audio = loadNativeAudio();
const FRAME = 320;

/** Plays `frames` through the box (speaker frame, then microphone frame of the same length, as a call does); what the microphone gave. */
function run(box: EchoBox, frames: Int16Array[]): Int16Array {
	const length = frames[0].length;
	const out = new Int16Array(frames.length * length);
	const mic = new Int16Array(length);
	frames.forEach((frame, f) => {
		box.speaker.write(frame);
		assert.equal(box.mic.read(mic), length);
		out.set(mic, f * length);
	});
	return out;
}

function silence(count: number): Int16Array[] {
	return Array.from({ length: count }, () => new Int16Array(FRAME));
}

function noise(count: number, level: number, seed = 7, length = FRAME): Int16Array[] {
	return Array.from({ length: count }, () => {
		const frame = new Int16Array(length);
		for (let i = 0; i < length; i++) {
			seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
			frame[i] = Math.round(((seed >>> 16) / 65536 - 0.5) * 2 * level);
		}
		return frame;
	});
}

function sineFrames(count: number, hz: number, amplitude: number): Int16Array[] {
	return Array.from({ length: count }, (_, f) => {
		const frame = new Int16Array(FRAME);
		for (let i = 0; i < FRAME; i++) frame[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (f * FRAME + i)) / 16000));
		return frame;
	});
}

const energy = (x: ArrayLike<number>, from: number, to: number) => {
	let e = 0;
	for (let i = from; i < to; i++) e += x[i] * x[i];
	return e;
};

test("an impulse on the speaker reaches the microphone 2.5 ms later at half its level, then reflections that decay 60 dB within the path", () => {
	const box = new EchoBox({ mode: "room", audio });
	const frames = silence(6);
	frames[0][100] = 20000;
	const heard = run(box, frames);
	const direct = 100 + ECHO_DELAY_SAMPLES;
	assert.equal(energy(heard, 0, direct), 0, "nothing before the delay");
	assert.equal(heard[direct], 20000 * ECHO_DIRECT_GAIN);
	assert.equal(ECHO_DELAY_SAMPLES / 16, 2.5, "2.5 ms at 16 kHz");
	// The reflections: present, decaying, and over within the path (45 ms).
	const end = direct + ECHO_PATH_SAMPLES;
	assert.equal(energy(heard, end, heard.length), 0, "nothing after the path's end");
	const early = energy(heard, direct + 1, direct + 160), late = energy(heard, end - 160, end);
	assert.ok(early > 0.05 * 20000 * 20000, `reflections in the first 10 ms: ${Math.sqrt(early).toFixed(0)}`);
	const decay = 10 * Math.log10(early / late);
	assert.ok(decay > 40, `the last 10 ms of the path are ${decay.toFixed(1)} dB below its first 10 ms`);
});

test("--echo-latency: the same echo, later by the latency to the sample, for every latency up to the longest and frames of 10 to 60 ms", () => {
	// An impulse 150 ms later: nothing before it, then the direct sound at half its level.
	const impulse = silence(12);
	impulse[0][100] = 20000;
	const late = run(new EchoBox({ mode: "room", audio, latencyMs: 150 }), impulse);
	const direct = 100 + ECHO_DELAY_SAMPLES + 150 * 16;
	assert.equal(energy(late, 0, direct), 0, "nothing before the delay and the latency");
	assert.equal(late[direct], 20000 * ECHO_DIRECT_GAIN);
	// Noise in frames of 10, 20, 30 and 60 ms: sample for sample the echo without
	// latency, shifted by it (the history holds the whole path behind the latency).
	for (const [latencyMs, length] of [[1, 160], [150, 320], [ECHO_LATENCY_MAX_MS, 480], [ECHO_LATENCY_MAX_MS, 960]] as const) {
		const talk = noise(Math.ceil((16 * (ECHO_LATENCY_MAX_MS + 200)) / length), 8000, 11, length);
		const shift = latencyMs * 16;
		const now = run(new EchoBox({ mode: "clip", audio }), talk), later = run(new EchoBox({ mode: "clip", audio, latencyMs }), talk);
		assert.equal(energy(later, 0, shift), 0, `${latencyMs} ms, ${length}-sample frames: silence while the first frame is on its way`);
		assert.deepEqual(later.subarray(shift), now.subarray(0, now.length - shift), `${latencyMs} ms, ${length}-sample frames`);
		assert.ok(rms(now) > 2000);
	}
	for (const bad of [-1, 1.5, ECHO_LATENCY_MAX_MS + 1, NaN]) assert.throws(() => new EchoBox({ mode: "room", audio, latencyMs: bad }), /echo latency must be a whole number of ms, 0 to 250/, String(bad));
});

test("the microphone gives the --mic source plus the echo, sample for sample; with the speaker silent, the source alone", () => {
	const talk = noise(20, 8000);
	const echoOnly = run(new EchoBox({ mode: "room", audio }), talk);
	const tone = new Int16Array(20 * FRAME);
	new ToneMic(audio, 440, 16000, 6000).read(tone);
	const mixed = run(new EchoBox({ mode: "room", audio, source: new ToneMic(audio, 440, 16000, 6000) }), talk);
	for (let i = 0; i < mixed.length; i++) assert.equal(mixed[i], tone[i] + echoOnly[i], `sample ${i}`);
	assert.ok(rms(echoOnly, FRAME, echoOnly.length) > 2000, `the echo of noise at RMS ${rms(talk[0]).toFixed(0)}: ${rms(echoOnly, FRAME).toFixed(0)}`);

	const quiet = run(new EchoBox({ mode: "room", audio, source: new ToneMic(audio, 440, 16000, 6000) }), silence(20));
	assert.deepEqual(quiet, tone);
	// No speaker writes at all between the reads: silence too, whatever was played long before.
	const box = new EchoBox({ mode: "room", audio, source: new ToneMic(audio, 440, 16000, 6000) });
	run(box, noise(3, 8000));
	const mic = new Int16Array(FRAME), later = new Int16Array(10 * FRAME);
	for (let f = 0; f < 10; f++) {
		box.mic.read(mic);
		later.set(mic, f * FRAME);
	}
	assert.notDeepEqual(later.subarray(0, FRAME), new Int16Array(FRAME), "the reflections of the last frames played");
	const reference = new Int16Array(13 * FRAME);
	new ToneMic(audio, 440, 16000, 6000).read(reference);
	assert.deepEqual(later.subarray(3 * FRAME), reference.subarray(6 * FRAME), "the source alone once the echo has died away");
	assert.equal(box.readsWithoutPlay, 10, "each read with no speaker frame before it is counted");
	assert.equal(box.playsUnread, 0);
});

test("the microphone catches up with a speaker that played while no one listened (the chime before a call)", () => {
	const sound = noise(12, 8000, 3);
	const box = new EchoBox({ mode: "room", audio });
	for (const frame of sound.slice(0, 11)) box.speaker.write(frame);
	const caughtUp = run(box, [sound[11]]);
	// A box that only played the last four frames (the path reaches back 2.4 frames) hears the same.
	const fresh = new EchoBox({ mode: "room", audio });
	for (const frame of sound.slice(8, 11)) fresh.speaker.write(frame);
	assert.deepEqual(caughtUp, run(fresh, [sound[11]]));
	assert.equal(box.playsUnread, 11, "the frames no microphone frame followed are counted");
	assert.equal(box.readsWithoutPlay, 0);
	assert.equal(fresh.playsUnread, 3);
	assert.ok(rms(caughtUp) > 1000);
});

test("between calls time passes: after a pause longer than the echo takes (latency, delay and path), nothing played before it is heard; after a shorter one the rest of it is", () => {
	for (const [latencyMs, pauseMs, heard] of [[150, 660, false], [150, 60, true], [0, 60, false], [0, 20, true]] as const) {
		const clock = new FakeClock();
		const box = new EchoBox({ mode: "room", audio, latencyMs, clock });
		const frames = noise(10, 8000, 5);
		const mic = new Int16Array(FRAME);
		for (const frame of frames) {
			box.speaker.write(frame);
			box.mic.read(mic);
			clock.advance(20);
		}
		clock.advance(pauseMs - 20);
		// The next call: silence played, and what the microphone hears over the same 20 ms.
		const next = run(box, silence(1));
		const what = `${latencyMs} ms latency, a pause of ${pauseMs} ms`;
		if (heard) assert.ok(rms(next) > 100, `${what}: the echo still on its way is heard (rms ${rms(next).toFixed(0)})`);
		else assert.equal(energy(next, 0, FRAME), 0, `${what}: nothing from before the pause`);
	}
});

test("clip: a small speaker driven hard adds harmonics to the echo and caps it; quiet sound passes nearly as in room", () => {
	const echoOf = (mode: EchoMode, amplitude: number) => run(new EchoBox({ mode, audio }), sineFrames(25, 1000, amplitude)).subarray(5 * FRAME);
	const loudRoom = echoOf("room", 30000), loudClip = echoOf("clip", 30000);
	const thirdRoom = toneShare(loudRoom, 16000, 3000), thirdClip = toneShare(loudClip, 16000, 3000);
	assert.ok(thirdRoom < 1e-4, `room: ${(100 * thirdRoom).toFixed(4)} % of the echo at 3 kHz`);
	assert.ok(thirdClip > 0.01, `clip: ${(100 * thirdClip).toFixed(2)} % of the echo at 3 kHz`);
	// The speaker gives at most CLIP_LEVEL, against the sine's RMS of 21213.
	assert.ok(rms(loudClip) < rms(loudRoom) * (CLIP_LEVEL / 21213) * 1.2, `clip ${rms(loudClip).toFixed(0)}, room ${rms(loudRoom).toFixed(0)}`);
	const quietRoom = echoOf("room", 2000), quietClip = echoOf("clip", 2000);
	const ratio = rms(quietClip) / rms(quietRoom);
	assert.ok(ratio > 0.98 && ratio <= 1, `a quiet tone's echo through the small speaker: ${ratio.toFixed(4)} of room's`);
	assert.ok(toneShare(quietClip, 16000, 3000) < 1e-4);
});

test("an 8 kHz --mic source is brought to the box's 16 kHz; the speaker recording gets what the door played", () => {
	const source: AudioIn = new ToneMic(audio, 1000, 8000, 8000);
	const recording = new RecordingSpeaker(16000);
	let finished = 0;
	const box = new EchoBox({ mode: "clip", audio, source, recording: Object.assign(recording, { finish: () => finished++ }) });
	assert.equal(box.mic.sampleRate, 16000);
	assert.equal(box.speaker.sampleRate, 16000);
	const loud = sineFrames(10, 500, 30000);
	const heard = run(box, silence(10));
	const hz = zeroCrossingFrequency(heard, 16000, FRAME);
	assert.ok(Math.abs(hz - 1000) < 10, `${hz.toFixed(1)} Hz`);
	run(box, loud);
	assert.deepEqual(Int16Array.from(recording.samples.slice(10 * FRAME)), Int16Array.from(loud.flatMap((f) => [...f])), "the recording holds the speaker's input, not its clipping");
	box.speaker.finish();
	assert.equal(finished, 1);
	assert.throws(() => new EchoBox({ mode: "room", audio, source: { sampleRate: 44100, read: () => 0, close() {} } }), /44100 Hz; 8000 or 16000 Hz/);
});

test("--echo [room|clip] on the command line", () => {
	assert.equal(parseOptions([]).echo, undefined);
	assert.equal(parseOptions(["--echo"]).echo, "room");
	assert.equal(parseOptions(["--echo", "room"]).echo, "room");
	const o = parseOptions(["--echo", "--mic", "tone:440"]);
	assert.equal(o.echo, "room");
	assert.equal(o.mic, "tone:440");
	assert.equal(parseOptions(["--echo", "clip", "--trace"]).echo, "clip");
	assert.throws(() => parseOptions(["--echo", "loud"]), /--echo takes room or clip, not "loud"/);
});

test("--echo-latency MS on the command line: 0 to 250 ms, only with --echo", () => {
	assert.equal(parseOptions(["--echo"]).echoLatencyMs, 0);
	assert.equal(parseOptions(["--echo", "--echo-latency", "150"]).echoLatencyMs, 150);
	const o = parseOptions(["--echo-latency", "250", "--echo", "clip"]);
	assert.equal(o.echoLatencyMs, 250);
	assert.equal(o.echo, "clip");
	assert.equal(parseOptions(["--echo", "--echo-latency", "0"]).echoLatencyMs, 0);
	for (const bad of ["251", "-5", "1.5", "150ms", "", "1e2"]) assert.throws(() => parseOptions(["--echo", "--echo-latency", bad]), new RegExp(`--echo-latency must be a whole number of ms, 0 to 250, not "${bad}"`), bad);
	assert.throws(() => parseOptions(["--echo", "--echo-latency"]), /--echo-latency needs a value/);
	assert.throws(() => parseOptions(["--echo-latency", "150"]), /--echo-latency needs --echo/);
	assert.throws(() => parseOptions(["--mic", "tone:440", "--echo-latency", "0"]), /--echo-latency needs --echo/);
});
