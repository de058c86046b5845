// The Node addon over the C audio core, checked against the C reference's results.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadNativeAudio } from "../../modules/host/native-audio.js";
import { G722_STATE_SAMPLES, GAIN_UNITY, LAW_PCMA, LAW_PCMU, RESAMPLER_STATE_SAMPLES, TONE_STATE_WORDS } from "../../modules/native-audio.js";
import { g722Decode, g722Encode } from "../lib/reference-g722.js";

const audio = loadNativeAudio();
const vectorsPath = fileURLToPath(new URL("../../native/g711-vectors.bin", import.meta.url));

/** Per law: codes of -32768..32767, their decoded values, the 256 decoded codes (see g711_vectors.c). */
function referenceVectors(law: number): { codes: Uint8Array; roundTrip: Int16Array; decoded: Int16Array } {
	assert.ok(existsSync(vectorsPath), `${vectorsPath} missing: make -C rtp/native addon`);
	const file = readFileSync(vectorsPath);
	const perLaw = 65536 + 2 * 65536 + 2 * 256;
	assert.equal(file.length, 2 * perLaw);
	const base = law * perLaw;
	const bytes = new Uint8Array(file.buffer, file.byteOffset, file.length).slice(base, base + perLaw);
	return {
		codes: bytes.subarray(0, 65536),
		roundTrip: new Int16Array(bytes.buffer, 65536, 65536),
		decoded: new Int16Array(bytes.buffer, 65536 * 3, 256),
	};
}

function allInputs(): Int16Array {
	const pcm = new Int16Array(65536);
	for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
	return pcm;
}

for (const [name, law] of [["µ-law", LAW_PCMU], ["A-law", LAW_PCMA]] as const) {
	test(`${name}: encode and round trip of all 65,536 inputs equal the C reference`, () => {
		const want = referenceVectors(law);
		const codes = new Uint8Array(65536);
		audio.encode(law, allInputs(), codes);
		assert.deepEqual(codes, want.codes);
		const back = new Int16Array(65536);
		audio.decode(law, codes, back);
		assert.deepEqual(back, want.roundTrip);
	});

	test(`${name}: decode of all 256 codes equals the C reference`, () => {
		const codes = new Uint8Array(256).map((_, i) => i);
		const pcm = new Int16Array(256);
		audio.decode(law, codes, pcm);
		assert.deepEqual(pcm, referenceVectors(law).decoded);
	});
}

test("encode and decode work on views into larger buffers and leave the rest alone", () => {
	const pcm = new Int16Array(200).fill(1000);
	const codes = new Uint8Array(300).fill(7);
	audio.encode(LAW_PCMU, pcm.subarray(10, 170), codes.subarray(20));
	assert.equal(codes[19], 7);
	assert.equal(codes[20], 0xce);
	assert.equal(codes[179], 0xce);
	assert.equal(codes[180], 7);
	const out = new Int16Array(400).fill(5);
	audio.decode(LAW_PCMA, codes.subarray(20, 180), out.subarray(1));
	assert.equal(out[0], 5);
	assert.equal(out[161], 5);
});

test("mix saturates, rounds and mixes in place", () => {
	const a = Int16Array.from([30000, -30000, 3, -3, 100]);
	const b = Int16Array.from([10000, -10000, 0, 0, 50]);
	const out = new Int16Array(5);
	audio.mix(out, [a, b], [GAIN_UNITY, GAIN_UNITY]);
	assert.deepEqual(Array.from(out), [32767, -32768, 3, -3, 150]);
	audio.mix(out, [a, b], [2048, 0]);
	assert.deepEqual(Array.from(out), [15000, -15000, 2, -1, 50]);
	audio.mix(out, [a, b, a], [GAIN_UNITY, 65536, 0]);
	assert.deepEqual(Array.from(out), [32767, -32768, 3, -3, 900]);
	audio.mix(a, [a, b], [GAIN_UNITY, GAIN_UNITY]);
	assert.equal(a[4], 150);
	audio.mix(out, [], []);
	assert.deepEqual(Array.from(out), [0, 0, 0, 0, 0]);
});

test("tone: 425 Hz ring-back has 850 zero crossings a second and continues across frames", () => {
	const state = new Int32Array(TONE_STATE_WORDS);
	audio.toneInit(state, 425, 8000, 10000);
	const frame = new Int16Array(160);
	let crossings = 0, previous = 0, peak = 0;
	for (let f = 0; f < 50; f++) {
		audio.toneFill(state, frame);
		for (const s of frame) {
			if ((previous < 0) !== (s < 0)) crossings++;
			previous = s;
			peak = Math.max(peak, Math.abs(s));
		}
	}
	assert.ok(Math.abs(crossings - 850) <= 1, `${crossings} crossings`);
	assert.ok(peak > 9990 && peak <= 10000, `peak ${peak}`);
});

test("resampler: DC passes unchanged both ways, lengths are checked", () => {
	const down = new Int16Array(RESAMPLER_STATE_SAMPLES);
	const up = new Int16Array(RESAMPLER_STATE_SAMPLES);
	const input = new Int16Array(320).fill(-7777);
	const half = new Int16Array(160);
	const double = new Int16Array(320);
	for (let i = 0; i < 3; i++) audio.downsample(down, input, half);
	assert.ok(half.every((s) => s === -7777));
	for (let i = 0; i < 3; i++) audio.upsample(up, half, double);
	assert.ok(double.every((s) => s === -7777));
	assert.throws(() => audio.downsample(down, input.subarray(1), half), RangeError);
	assert.throws(() => audio.downsample(down, input, half.subarray(1)), RangeError);
	assert.throws(() => audio.upsample(up, half, double.subarray(1)), RangeError);
	assert.throws(() => audio.upsample(up.subarray(1), half, double), RangeError);
});

test("bad arguments throw TypeError or RangeError and write nothing", () => {
	const pcm = new Int16Array(160), codes = new Uint8Array(160).fill(9);
	assert.throws(() => audio.encode(2, pcm, codes), RangeError);
	assert.throws(() => audio.encode(0.5, pcm, codes), RangeError);
	assert.throws(() => audio.encode(LAW_PCMU, new Uint16Array(160) as unknown as Int16Array, codes), TypeError);
	assert.throws(() => audio.encode(LAW_PCMU, pcm, new Int8Array(160) as unknown as Uint8Array), TypeError);
	assert.throws(() => audio.encode(LAW_PCMU, pcm, codes.subarray(1)), RangeError);
	assert.throws(() => audio.decode(LAW_PCMU, codes, pcm.subarray(1)), RangeError);
	const shared = new ArrayBuffer(480);
	assert.throws(() => audio.decode(LAW_PCMU, new Uint8Array(shared, 0, 160), new Int16Array(shared, 0, 160)), /overlap/);
	assert.ok(codes.every((c) => c === 9));
	assert.throws(() => audio.mix(pcm, [pcm.subarray(1)], [GAIN_UNITY]), RangeError);
	assert.throws(() => audio.mix(pcm, [new Int16Array(160)], [GAIN_UNITY, 1]), RangeError);
	assert.throws(() => audio.mix(pcm, [new Int16Array(160)], [-1]), RangeError);
	assert.throws(() => audio.mix(pcm, [new Int16Array(160)], [65537]), RangeError);
	assert.throws(() => audio.mix(pcm, [new Int16Array(160)], [1.5]), RangeError);
	assert.throws(() => audio.mix(pcm, [new Float32Array(160) as unknown as Int16Array], [1]), TypeError);
	assert.throws(() => audio.mix(pcm, new Array(17).fill(pcm), new Array(17).fill(1)), RangeError);
	assert.throws(() => audio.mix(pcm.subarray(0, 100), [new Int16Array(pcm.buffer, 2, 100)], [1]), /overlaps/);
	const state = new Int32Array(TONE_STATE_WORDS);
	assert.throws(() => audio.toneFill(state, pcm), /toneInit/);
	assert.throws(() => audio.toneInit(state, 4000, 8000, 1000), RangeError);
	assert.throws(() => audio.toneInit(state, 400, 8000, 40000), RangeError);
	assert.throws(() => audio.toneInit(new Int32Array(7), 400, 8000, 1000), RangeError);
	assert.throws(() => audio.toneInit(new Int16Array(8) as unknown as Int32Array, 400, 8000, 1000), TypeError);
});

test("G.722: the addon and the specs' TypeScript G.722 give the same codes and samples, frame by frame", () => {
	const ours = { enc: new Int16Array(G722_STATE_SAMPLES), dec: new Int16Array(G722_STATE_SAMPLES) };
	const ts = { enc: new Int16Array(G722_STATE_SAMPLES), dec: new Int16Array(G722_STATE_SAMPLES) };
	const input = new Int16Array(320), a = new Uint8Array(160), b = new Uint8Array(160), pa = new Int16Array(320), pb = new Int16Array(320);
	let seed = 1;
	for (let f = 0; f < 250; f++) {
		for (let i = 0; i < 320; i++) {
			const n = f * 320 + i;
			seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
			// a pitch glide with harmonics up to 7 kHz, a syllable envelope, noise; full scale now and then
			const level = f % 50 < 3 ? 40000 : 9000 * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 4000));
			const v = level * (Math.sin(n / (8 + (f % 7))) + 0.4 * Math.sin(n * 2.7) + 0.2 * Math.sin(n * 2.9)) + ((seed >>> 20) - 2048);
			input[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
		}
		audio.g722Encode(ours.enc, input, a);
		g722Encode(ts.enc, input, b);
		assert.deepEqual(a, b, `codes of frame ${f}`);
		for (let i = 0; i < 160; i++) b[i] = (Math.imul(f * 160 + i, 2654435761) >>> 24) & 0xff; // and arbitrary codes
		audio.g722Decode(ours.dec, f % 2 ? a : b, pa);
		g722Decode(ts.dec, f % 2 ? a : b, pb);
		assert.deepEqual(pa, pb, `samples of frame ${f}`);
	}
	assert.throws(() => audio.g722Encode(ours.enc.subarray(1), input, a), /G722_STATE_SAMPLES/);
	assert.throws(() => audio.g722Encode(ours.enc, input.subarray(1), a), /even/);
	assert.throws(() => audio.g722Decode(ours.dec, a, pa.subarray(1)), /codes.length \* 2/);
	assert.throws(() => audio.g722Decode(ours.dec, a, new Uint8Array(320) as unknown as Int16Array), TypeError);
});

test("a missing addon gives an error that names the make command", () => {
	assert.throws(() => loadNativeAudio("/nonexistent/klingel_audio.node"), /make -C rtp\/native addon/);
});

test("copyBytes copies a datagram's first bytes into the target and returns its length", () => {
	const datagram = new Uint8Array(172).map((_, i) => (i * 7 + 3) & 0xff);
	const target = new Uint8Array(1500).fill(0xee);
	assert.equal(audio.copyBytes(datagram.buffer, target), 172);
	assert.deepEqual(target.subarray(0, 172), datagram);
	assert.equal(target[172], 0xee);
	const short = new Uint8Array(new ArrayBuffer(40), 8, 16);
	assert.equal(audio.copyBytes(datagram.buffer, short), 172);
	assert.deepEqual(short, datagram.subarray(0, 16));
	assert.equal(new Uint8Array(short.buffer)[24], 0);
	assert.throws(() => audio.copyBytes(datagram as unknown as ArrayBuffer, target), /ArrayBuffer/);
	assert.throws(() => audio.copyBytes(datagram.buffer, new Int16Array(4) as unknown as Uint8Array), /Uint8Array/);
});

test("echo canceller: the addon removes a two-tap echo of noise by 30 dB and keeps a near-end tone; errors, close and use after close as the XS binding", () => {
	const canceller = audio.echoCanceller(16000, 0);
	const far = new Int16Array(320), mic = new Int16Array(320), out = new Int16Array(320), history = new Int16Array(64);
	let seed = 7, n = 0, echo = 0, left = 0, near = 0, kept = 0;
	for (let f = 0; f < 150; f++) {
		for (let i = 0; i < 320; i++, n++) {
			seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
			history.copyWithin(1, 0, 63);
			history[0] = far[i] = (seed >>> 20) * 4 - 8192;
			mic[i] = (history[20] >> 1) + (history[50] >> 2);
		}
		// from 2 s on a 500 Hz tone speaks at the door too (double talk)
		const tone = f >= 100 ? Int16Array.from({ length: 320 }, (_, i) => Math.round(4000 * Math.sin((2 * Math.PI * 500 * (f * 320 + i)) / 16000))) : undefined;
		if (tone) for (let i = 0; i < 320; i++) mic[i] += tone[i];
		canceller.process(far, mic, out);
		for (let i = 0; i < 320; i++) {
			if (f >= 50 && f < 100) {
				echo += mic[i] * mic[i];
				left += out[i] * out[i];
			}
			if (tone && f >= 110) {
				near += tone[i] * tone[i];
				kept += out[i] * tone[i];
			}
		}
	}
	const erle = 10 * Math.log10(echo / (left + 1)), loss = -20 * Math.log10(kept / near);
	assert.ok(erle >= 30, `echo reduced by ${erle.toFixed(1)} dB`);
	assert.ok(loss <= 3, `near-end tone ${loss.toFixed(2)} dB down`);
	assert.throws(() => audio.echoCanceller(22050, 0), { name: "RangeError", message: /8000 or 16000/ });
	assert.throws(() => audio.echoCanceller(16000, 2), { name: "RangeError", message: /flags/ });
	assert.throws(() => canceller.process(far.subarray(1), mic, out), { name: "RangeError", message: /at least mic.length/ });
	assert.throws(() => canceller.process(far, mic, far), { name: "RangeError", message: /must not overlap/ });
	assert.throws(() => canceller.process(far, mic, new Float32Array(320) as unknown as Int16Array), { name: "TypeError" });
	const { process, close } = canceller;
	for (const other of [{}, new Int32Array(8192), undefined, Object.create(Object.getPrototypeOf(canceller))]) {
		assert.throws(() => process.call(other, far, mic, out), { name: "TypeError", message: /not an EchoCanceller/ });
		assert.throws(() => close.call(other), { name: "TypeError", message: /not an EchoCanceller/ });
	}
	// what it counted: 150 frames of 320 samples are 375 blocks
	assert.equal(canceller.count(0), 375);
	const passed = canceller.count(1), restarts = canceller.count(2);
	// the echo path turns over at half the level: the filter's estimate is now 3 times the echo
	// (9.5 dB more error than microphone), the microphone passes as it is, the filter starts over
	for (let f = 0; f < 10; f++) {
		for (let i = 0; i < 320; i++) {
			seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
			history.copyWithin(1, 0, 63);
			history[0] = far[i] = (seed >>> 20) * 4 - 8192;
			mic[i] = -((history[20] >> 2) + (history[50] >> 3));
		}
		canceller.process(far, mic, out);
	}
	assert.equal(canceller.count(0), 400);
	assert.ok(canceller.count(1) >= passed + 3, `${canceller.count(1) - passed} blocks passed after the swap`);
	assert.equal(canceller.count(2), restarts + 1, `${canceller.count(2) - restarts} restarts after the swap`);
	assert.throws(() => canceller.count(4), { name: "RangeError", message: /which/ });
	assert.throws(() => canceller.count.call({}, 0), { name: "TypeError", message: /not an EchoCanceller/ });
	canceller.close();
	canceller.close();
	assert.throws(() => canceller.process(far, mic, out), { name: "TypeError", message: /closed/ });
	assert.throws(() => canceller.count(0), { name: "TypeError", message: /closed/ });
});

test("echo control in a call through the addon: the handset's own voice (noise) does not come back, the door's sound gets through", async () => {
	const { callThroughBox, NoiseMic } = await import("../lib/echo-box.js");
	const { rms } = await import("../lib/rtp-fixtures.js");
	const from = 8000, to = 16000; // the second second at the handset (8 kHz)
	const voice = () => new NoiseMic();
	const echoOff = rms(callThroughBox(false, 0, audio, voice()).heard, from, to), echoOn = rms(callThroughBox(true, 0, audio, voice()).heard, from, to);
	assert.ok(echoOff > 1000 && echoOn < echoOff / 10, `the handset's voice back: ${echoOn.toFixed(0)} rms with echo control, ${echoOff.toFixed(0)} without`);
	// double talk from the call's start: the door's 700 Hz loses at most 4 dB against the door
	// alone (a silent handset, no echo control)
	const silent = { sampleRate: 8000, read: (target: Int16Array) => (target.fill(0), target.length), close() {} };
	const doorOff = rms(callThroughBox(false, 700, audio, silent).heard, from, to), doorOn = rms(callThroughBox(true, 700, audio, voice()).heard, from, to);
	assert.ok(doorOn >= doorOff * 0.63, `the door's sound: ${doorOn.toFixed(0)} rms with echo control, ${doorOff.toFixed(0)} without`);
});
