/*
 * The XS binding (audio-xs.js + audio-xs.c) on the real XS engine, run by the XS test host:
 * known answers from the C reference, round trips, argument errors. In the GC-stress build
 * everything runs with a compacting collection before every allocation, and the negative
 * control shows that this catches a binding that keeps a buffer pointer across an allocation.
 */
import * as audio from "../audio-xs.js";
import { coreAec, coreG722, coreResample, coreTone, nativeBlocks, petrify, referenceDecode, referenceEncode, staleEncode } from "./reference-xs.js";

const STRESS = gcStress(true); // true only in the GC-stress build, which stresses everything from the module's loading on
const LABEL = STRESS ? "xs-gc-stress" : "xs";
const LAW_PCMU = 0, LAW_PCMA = 1, GAIN_UNITY = 4096;
const tests = [];

function test(name, body) {
	tests.push({ name, body });
}

function assert(condition, message) {
	if (!condition) throw new Error(message);
}

function throws(body, Kind, pattern) {
	try {
		body();
	}
	catch (error) {
		assert(error instanceof Kind, `expected ${Kind.name}, got ${error}`);
		assert(pattern.test(error.message), `message "${error.message}" does not match ${pattern}`);
		return;
	}
	throw new Error(`expected ${Kind.name} matching ${pattern}, nothing thrown`);
}

function saturate(v) {
	return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

for (const [name, law] of [["µ-law", LAW_PCMU], ["A-law", LAW_PCMA]]) {
	test(`${name}: encode of all 65,536 inputs equals the C reference`, () => {
		const pcm = new Int16Array(65536);
		for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
		const codes = new Uint8Array(65536);
		audio.encode(law, pcm, codes);
		for (let i = 0; i < 65536; i++) {
			if (codes[i] !== referenceEncode(law, pcm[i])) throw new Error(`encode(${pcm[i]}) = ${codes[i]}, reference ${referenceEncode(law, pcm[i])}`);
		}
	});

	test(`${name}: decode of all 256 codes equals the C reference, decode-encode round trip`, () => {
		const codes = new Uint8Array(256);
		for (let i = 0; i < 256; i++) codes[i] = i;
		const pcm = new Int16Array(256);
		audio.decode(law, codes, pcm);
		const back = new Uint8Array(256);
		audio.encode(law, pcm, back);
		for (let i = 0; i < 256; i++) {
			if (pcm[i] !== referenceDecode(law, i)) throw new Error(`decode(${i}) = ${pcm[i]}, reference ${referenceDecode(law, i)}`);
			const want = law === LAW_PCMU && i === 0x7f ? 0xff : i;
			if (back[i] !== want) throw new Error(`round trip of ${i} gave ${back[i]}`);
		}
	});
}

test("encode and decode work on views and write only their part", () => {
	const pcm = new Int16Array(200).fill(1000);
	const codes = new Uint8Array(301).fill(7);
	audio.encode(LAW_PCMU, pcm.subarray(10, 170), codes.subarray(21));
	assert(codes[20] === 7 && codes[21] === 0xce && codes[180] === 0xce && codes[181] === 7, "encode range");
	const out = new Int16Array(400).fill(5);
	audio.decode(LAW_PCMU, codes.subarray(21, 181), out.subarray(3));
	assert(out[2] === 5 && out[3] === referenceDecode(LAW_PCMU, 0xce) && out[162] === out[3] && out[163] === 5, "decode range");
	audio.encode(LAW_PCMA, new Int16Array(0), new Uint8Array(0));
});

test("mix: saturation, rounding, in place, many sources", () => {
	const a = Int16Array.from([30000, -30000, 3, -3, 100, 1, 2, 3, 4]);
	const b = Int16Array.from([10000, -10000, 0, 0, 50, -1, -2, -3, -4]);
	const out = new Int16Array(9);
	audio.mix(out, [a, b], [GAIN_UNITY, GAIN_UNITY]);
	assert(out.join() === "32767,-32768,3,-3,150,0,0,0,0", `unity: ${out.join()}`);
	audio.mix(out, [a, b], [2048, 0]);
	assert(out.join() === "15000,-15000,2,-1,50,1,1,2,2", `half: ${out.join()}`);
	audio.mix(out, [a, b, a], [GAIN_UNITY, 65536, 0]);
	assert(out.join() === "32767,-32768,3,-3,900,-15,-30,-45,-60", `three: ${out.join()}`);
	const gains = [1000, 2000, 3000, 4000, 5000];
	const sources = gains.map((g, k) => Int16Array.from({ length: 9 }, (_, i) => (i * 7919 + k * 104729) % 65536 - 32768));
	audio.mix(out, sources, gains);
	for (let i = 0; i < 9; i++) {
		let sum = 0;
		for (let k = 0; k < 5; k++) sum += sources[k][i] * gains[k];
		assert(out[i] === saturate(Math.floor((sum + 2048) / 4096)), `five sources, sample ${i}: ${out[i]}`);
	}
	audio.mix(a, [a, b], [GAIN_UNITY, GAIN_UNITY]);
	assert(a[4] === 150, "in place");
	audio.mix(out, [], []);
	assert(out.every((s) => s === 0), "no source");
});

test("tone: 425 Hz ring-back, 850 zero crossings a second, seamless frames", () => {
	const state = new Int32Array(8);
	const whole = new Int32Array(8);
	audio.toneInit(state, 425, 8000, 10000);
	audio.toneInit(whole, 425, 8000, 10000);
	const frame = new Int16Array(160), all = new Int16Array(8000);
	audio.toneFill(whole, all);
	let crossings = 0, previous = 0, peak = 0;
	for (let f = 0; f < 50; f++) {
		audio.toneFill(state, frame);
		for (let i = 0; i < 160; i++) {
			const s = frame[i];
			if (s !== all[f * 160 + i]) throw new Error(`frame ${f} sample ${i} differs from one fill`);
			if ((previous < 0) !== (s < 0)) crossings++;
			previous = s;
			if (Math.abs(s) > peak) peak = Math.abs(s);
		}
	}
	assert(Math.abs(crossings - 850) <= 1, `${crossings} crossings`);
	assert(peak > 9990 && peak <= 10000, `peak ${peak}`);
});

function checksum(h, samples, count) {
	for (let i = 0; i < count; i++) h = (Math.imul(h, 31) + (samples[i] & 0xffff)) >>> 0;
	return h;
}

test("toneInit/toneFill give the C core's samples (425 Hz ring-back, 1 kHz and 440 Hz beeps)", () => {
	for (const [frequency, rate, amplitude] of [[425, 8000, 12000], [1000, 8000, 32767], [440, 16000, 8000]]) {
		const state = new Int32Array(8), frame = new Int16Array(160);
		audio.toneInit(state, frequency, rate, amplitude);
		let h = 0;
		for (let f = 0; f < 25; f++) {
			audio.toneFill(state, frame);
			h = checksum(h, frame, 160);
		}
		const want = coreTone(frequency, rate, amplitude, 25, 160);
		assert(h === want, `${frequency} Hz: checksum ${h}, C core ${want}`);
	}
});

test("downsample/upsample give the C core's samples across frames", () => {
	for (const down of [true, false]) {
		const length = down ? 320 : 160;
		const state = new Int16Array(64), input = new Int16Array(length), output = new Int16Array(down ? 160 : 320);
		let h = 0, n = 0;
		for (let f = 0; f < 20; f++) {
			for (let i = 0; i < length; i++, n++) input[i] = (n * 7919) % 65536 - 32768;
			if (down) audio.downsample(state, input, output);
			else audio.upsample(state, input, output);
			h = checksum(h, output, output.length);
		}
		const want = coreResample(down, 20, length);
		assert(h === want, `${down ? "down" : "up"}: checksum ${h}, C core ${want}`);
	}
});

/* Amplitude of `frequency` in x (whole periods). */
function amplitudeAt(x, from, count, frequency, rate) {
	let c = 0, s = 0;
	for (let i = 0; i < count; i++) {
		c += x[from + i] * Math.cos(2 * Math.PI * frequency * i / rate);
		s += x[from + i] * Math.sin(2 * Math.PI * frequency * i / rate);
	}
	return 2 * Math.sqrt(c * c + s * s) / count;
}

test("downsample keeps 1 kHz and removes 6 kHz; upsample keeps 1 kHz without its 7 kHz image", () => {
	for (const [frequency, low, high] of [[1000, 0.99, 1.01], [6000, 0, 0.001]]) {
		const state = new Int16Array(64), input = new Int16Array(320), output = new Int16Array(160);
		const all = new Int16Array(8000);
		for (let f = 0; f < 50; f++) {
			for (let i = 0; i < 320; i++) input[i] = Math.round(20000 * Math.sin(2 * Math.PI * frequency * (f * 320 + i) / 16000));
			audio.downsample(state, input, output);
			all.set(output, f * 160);
		}
		const ratio = frequency < 4000 ? amplitudeAt(all, 200, 7600, frequency, 8000) / 20000 : amplitudeAt(all, 200, 7600, 8000 - frequency, 8000) / 20000;
		assert(ratio >= low && ratio <= high, `down ${frequency} Hz: gain ${ratio}`);
	}
	const state = new Int16Array(64), input = new Int16Array(160), output = new Int16Array(320);
	const all = new Int16Array(16000);
	for (let f = 0; f < 50; f++) {
		for (let i = 0; i < 160; i++) input[i] = Math.round(20000 * Math.sin(2 * Math.PI * 1000 * (f * 160 + i) / 8000));
		audio.upsample(state, input, output);
		all.set(output, f * 320);
	}
	const gain = amplitudeAt(all, 400, 15200, 1000, 16000) / 20000, image = amplitudeAt(all, 400, 15200, 7000, 16000) / 20000;
	assert(gain > 0.99 && gain < 1.01, `up 1 kHz gain ${gain}`);
	assert(image < 0.001, `up 7 kHz image ${image}`);
});

test("g722Encode/g722Decode give the C core's codes and samples across 20 ms frames", () => {
	const state = new Int16Array(66), back = new Int16Array(66);
	const input = new Int16Array(320), codes = new Uint8Array(160), output = new Int16Array(320);
	let hc = 0, hd = 0, n = 0;
	for (let f = 0; f < 50; f++) {
		for (let i = 0; i < 320; i++, n++) input[i] = Math.round(12000 * Math.sin(n / 5)) + (n * 7919) % 4096 - 2048;
		audio.g722Encode(state, input, codes);
		for (let i = 0; i < 160; i++) hc = (Math.imul(hc, 31) + codes[i]) >>> 0;
		audio.g722Decode(back, codes, output);
		hd = checksum(hd, output, 320);
	}
	const [wantCodes, wantSamples] = coreG722(50);
	assert(hc === wantCodes, `codes: checksum ${hc}, C core ${wantCodes}`);
	assert(hd === wantSamples, `samples: checksum ${hd}, C core ${wantSamples}`);
});

/* The echo canceller's input, as xs_test_core_aec makes it (test-xs.c). */
function aecInput(input, far, mic) {
	for (let i = 0; i < far.length; i++, input.n++) {
		input.seed = (Math.imul(input.seed, 1664525) + 1013904223) >>> 0;
		const x = (input.seed >>> 20) * 4 - 8192;
		input.history.copyWithin(1, 0, 63);
		input.history[0] = x;
		far[i] = x;
		mic[i] = (input.history[20] >> 1) + (input.history[50] >> 2) + (input.n >= 60 * 320 ? Math.round(3000 * Math.sin(input.n / 7)) : 0);
	}
}

test("EchoCanceller.process gives the C core's samples and cancels an echo by 30 dB; in place the same", () => {
	const canceller = audio.echoCanceller(16000, 0), inPlace = audio.echoCanceller(16000, 0);
	const input = { seed: 1, n: 0, history: new Int16Array(64) };
	const far = new Int16Array(320), mic = new Int16Array(320), out = new Int16Array(320);
	let h = 0, echo = 0, left = 0, differ = 0;
	for (let f = 0; f < 100; f++) {
		aecInput(input, far, mic);
		canceller.process(far, mic, out);
		h = checksum(h, out, 320);
		if (f >= 40 && f < 60) {
			for (let i = 0; i < 320; i++) {
				echo += mic[i] * mic[i];
				left += out[i] * out[i];
			}
		}
		inPlace.process(far, mic, mic);
		for (let i = 0; i < 320; i++) if (mic[i] !== out[i]) differ++;
	}
	// its counts, as the C core keeps them: 100 frames of 320 samples are 250 blocks
	assert(canceller.count(0) === 250, `${canceller.count(0)} blocks`);
	assert(canceller.count(1) === inPlace.count(1) && canceller.count(2) === inPlace.count(2), "the in-place canceller counted otherwise");
	const passed = canceller.count(1), restarts = canceller.count(2);
	// the echo path turns over at half the level: the filter's estimate is now 3 times the echo
	// (9.5 dB more error than microphone), the microphone passes as it is, the filter starts over
	for (let f = 0; f < 10; f++) {
		aecInput(input, far, mic);
		for (let i = 0; i < 320; i++) mic[i] = -(mic[i] >> 1);
		canceller.process(far, mic, out);
	}
	assert(canceller.count(1) >= passed + 3, `${canceller.count(1) - passed} blocks passed after the swap`);
	assert(canceller.count(2) === restarts + 1, `${canceller.count(2) - restarts} restarts after the swap`);
	canceller.close();
	inPlace.close();
	const want = coreAec(100);
	assert(h === want, `checksum ${h}, C core ${want}`);
	assert(differ === 0, `in place: ${differ} samples differ`);
	const erle = 10 * Math.log10(echo / (left + 1));
	assert(erle >= 30, `echo reduced by ${erle.toFixed(1)} dB`);
	print(`# ${LABEL}: echo of noise reduced by ${erle.toFixed(1)} dB from 0.8 s to 1.2 s`);
});

test("EchoCanceller: its state is a native block, not in the XS heap, freed once by close()", () => {
	gc();
	const [allocated0, freed0] = nativeBlocks(), chunk0 = heapChunkBytes();
	const canceller = audio.echoCanceller(16000, 0);
	gc();
	const grew = heapChunkBytes() - chunk0;
	assert(grew < 1024, `the XS chunk heap grew by ${grew} bytes`);
	let [allocated, freed, bytes] = nativeBlocks();
	assert(allocated === allocated0 + 1 && freed === freed0, `allocated ${allocated - allocated0}, freed ${freed - freed0}`);
	assert(bytes > 16384 && bytes < 65536, `the state holds ${bytes} bytes`);
	const far = new Int16Array(320), mic = new Int16Array(320);
	canceller.process(far, mic, mic);
	canceller.close();
	[allocated, freed, bytes] = nativeBlocks();
	assert(freed === freed0 + 1 && bytes === 0, `close() freed ${freed - freed0} blocks, ${bytes} bytes held`);
	canceller.close();
	throws(() => canceller.process(far, mic, mic), TypeError, /closed/);
	gc(); // the closed object's destructor, if collected now, has nothing to free
	[allocated, freed] = nativeBlocks();
	assert(allocated === allocated0 + 1 && freed === freed0 + 1, `after a second close: allocated ${allocated - allocated0}, freed ${freed - freed0}`);
});

test("EchoCanceller: one never closed is freed when collected (its destructor runs)", () => {
	gc();
	const [allocated0, freed0] = nativeBlocks();
	let during;
	(() => {
		const unused = audio.echoCanceller(8000, 0);
		unused.process(new Int16Array(160), new Int16Array(160), new Int16Array(160));
		during = nativeBlocks();
		unused.process(new Int16Array(160), new Int16Array(160), new Int16Array(160));
	})();
	assert(during[0] === allocated0 + 1 && during[1] === freed0, "not allocated, or freed while still reachable");
	gc();
	const [allocated, freed] = nativeBlocks();
	assert(allocated === allocated0 + 1 && freed === freed0 + 1, `after a collection: allocated ${allocated - allocated0}, freed ${freed - freed0}`);
});

test("EchoCanceller: bad arguments throw and write nothing; another object is refused", () => {
	const far = new Int16Array(320), mic = new Int16Array(320), out = new Int16Array(320).fill(7);
	throws(() => audio.echoCanceller(44100, 0), RangeError, /8000 or 16000/);
	throws(() => audio.echoCanceller(16000, 2), RangeError, /flags/);
	throws(() => audio.echoCanceller(16000), TypeError, /flags must be/);
	throws(() => audio.echoCanceller("16000", 0), TypeError, /8000 or 16000/);
	const canceller = audio.echoCanceller(8000, 0);
	throws(() => canceller.process(far.subarray(1), mic, out), RangeError, /at least mic.length/);
	throws(() => canceller.process(far, mic, out.subarray(1)), RangeError, /at least mic.length/);
	throws(() => canceller.process(far, mic, new Uint8Array(320)), TypeError, /Int16Array/);
	throws(() => canceller.process(far, mic), TypeError, /expected 3 arguments/);
	throws(() => canceller.process(far, mic, far), RangeError, /must not overlap/);
	throws(() => canceller.process(far, mic.subarray(0, 100), mic.subarray(1, 101)), RangeError, /mic overlaps out/);
	const process = canceller.process, close = canceller.close;
	for (const other of [{}, new Int32Array(8192), undefined, 5]) {
		throws(() => process.call(other, far, mic, out), TypeError, /not an EchoCanceller/);
		throws(() => close.call(other), TypeError, /not an EchoCanceller/);
		throws(() => canceller.count.call(other, 0), TypeError, /not an EchoCanceller/);
	}
	throws(() => canceller.count(4), RangeError, /which/);
	throws(() => canceller.count(), TypeError, /expected 1 argument/);
	assert(out[0] === 7 && out[319] === 7, "wrote into out");
	canceller.process(far, mic, out);
	assert(out[0] === 0, "silence in, silence out");
	canceller.close();
	throws(() => canceller.process(far, mic, out), TypeError, /closed/);
	throws(() => canceller.count(0), TypeError, /closed/);
});

test("G.722 carries 5 kHz (wideband) and writes only the views' parts", () => {
	const encoder = new Int16Array(100).subarray(7, 73), decoder = new Int16Array(66);
	const input = new Int16Array(8000), codes = new Uint8Array(4002).fill(3), output = new Int16Array(8004).fill(9);
	for (let i = 0; i < 8000; i++) input[i] = Math.round(12000 * Math.sin(2 * Math.PI * 5000 * i / 16000));
	audio.g722Encode(encoder, input, codes.subarray(1, 4001));
	assert(codes[0] === 3 && codes[4001] === 3, "codes written outside the view");
	audio.g722Decode(decoder, codes.subarray(1, 4001), output.subarray(2, 8002));
	assert(output[1] === 9 && output[8002] === 9, "samples written outside the view");
	const amplitude = amplitudeAt(output, 2 + 1600, 6400, 5000, 16000);
	assert(amplitude > 10800 && amplitude < 13200, `5 kHz came back at ${amplitude}`);
});

test("bad arguments throw TypeError or RangeError and write nothing", () => {
	const pcm = new Int16Array(160), codes = new Uint8Array(160).fill(9);
	throws(() => audio.encode(2, pcm, codes), RangeError, /law must be LAW_PCMU/);
	throws(() => audio.encode(0.5, pcm, codes), RangeError, /law/);
	throws(() => audio.encode("0", pcm, codes), TypeError, /law/);
	throws(() => audio.encode(LAW_PCMU, pcm), TypeError, /expected 3 arguments/);
	throws(() => audio.encode(LAW_PCMU, new Uint16Array(160), codes), TypeError, /pcm must be an Int16Array/);
	throws(() => audio.encode(LAW_PCMU, [1, 2], codes), TypeError, /pcm must be an Int16Array/);
	throws(() => audio.encode(LAW_PCMU, pcm, new Int8Array(160)), TypeError, /codes must be a/);
	throws(() => audio.encode(LAW_PCMU, pcm, codes.subarray(1)), RangeError, /shorter/);
	throws(() => audio.decode(LAW_PCMU, codes, pcm.subarray(1)), RangeError, /shorter/);
	const shared = new ArrayBuffer(480);
	throws(() => audio.decode(LAW_PCMU, new Uint8Array(shared, 0, 160), new Int16Array(shared, 0, 160)), RangeError, /overlap/);
	assert(codes.every((c) => c === 9), "codes written");
	throws(() => audio.mix(pcm, [pcm.subarray(1)], [GAIN_UNITY]), RangeError, /shorter/);
	throws(() => audio.mix(pcm, [new Int16Array(160)], [GAIN_UNITY, 1]), RangeError, /differ/);
	throws(() => audio.mix(pcm, [new Int16Array(160)], [-1]), RangeError, /gains/);
	throws(() => audio.mix(pcm, [new Int16Array(160)], [65537]), RangeError, /gains/);
	throws(() => audio.mix(pcm, [new Int16Array(160)], [1.5]), RangeError, /gains/);
	throws(() => audio.mix(pcm, [new Int16Array(160)], ["1"]), TypeError, /gains/);
	throws(() => audio.mix(pcm, [new Float32Array(160)], [1]), TypeError, /Int16Array/);
	throws(() => audio.mix(pcm, pcm, [1]), TypeError, /array/);
	throws(() => audio.mix(pcm, new Array(17).fill(pcm), new Array(17).fill(1)), RangeError, /16 sources/);
	throws(() => audio.mix(pcm.subarray(0, 100), [new Int16Array(pcm.buffer, 2, 100)], [1]), RangeError, /overlaps/);
	const state = new Int32Array(8);
	throws(() => audio.toneFill(state, pcm), RangeError, /toneInit/);
	throws(() => audio.toneInit(state, 4000, 8000, 1000), RangeError, /frequency/);
	throws(() => audio.toneInit(state, NaN, 8000, 1000), RangeError, /frequency/);
	throws(() => audio.toneInit(state, 400, 8000, 40000), RangeError, /amplitude/);
	throws(() => audio.toneInit(new Int32Array(7), 400, 8000, 1000), RangeError, /TONE_STATE_WORDS/);
	throws(() => audio.toneInit(new Int16Array(8), 400, 8000, 1000), TypeError, /Int32Array/);
	const rs = new Int16Array(64);
	throws(() => audio.downsample(rs, new Int16Array(321), new Int16Array(200)), RangeError, /even/);
	throws(() => audio.downsample(rs, new Int16Array(320), new Int16Array(159)), RangeError, /input.length \/ 2/);
	throws(() => audio.upsample(rs, new Int16Array(160), new Int16Array(319)), RangeError, /input.length \* 2/);
	throws(() => audio.upsample(rs.subarray(1), new Int16Array(160), new Int16Array(320)), RangeError, /RESAMPLER_STATE_SAMPLES/);
	throws(() => audio.upsample(rs, rs, new Int16Array(320)), RangeError, /overlap/);
	const gs = new Int16Array(66), g722Codes = new Uint8Array(160).fill(9);
	throws(() => audio.g722Encode(gs.subarray(1), pcm, new Uint8Array(80)), RangeError, /G722_STATE_SAMPLES/);
	throws(() => audio.g722Encode(gs, pcm.subarray(1), new Uint8Array(80)), RangeError, /even/);
	throws(() => audio.g722Encode(gs, pcm, new Uint8Array(79)), RangeError, /pcm.length \/ 2/);
	throws(() => audio.g722Encode(new Int32Array(66), pcm, new Uint8Array(80)), TypeError, /state must be an Int16Array/);
	throws(() => audio.g722Encode(gs, pcm, new Int16Array(80)), TypeError, /codes must be an? Uint8Array/);
	throws(() => audio.g722Encode(gs, pcm), TypeError, /expected 3 arguments/);
	throws(() => audio.g722Encode(gs, gs.subarray(0, 20), new Uint8Array(10)), RangeError, /overlap/);
	throws(() => audio.g722Decode(gs, g722Codes, new Int16Array(319)), RangeError, /codes.length \* 2/);
	throws(() => audio.g722Decode(gs, new Int16Array(160), pcm), TypeError, /codes must be an? Uint8Array/);
	const g722Shared = new ArrayBuffer(800);
	throws(() => audio.g722Decode(gs, new Uint8Array(g722Shared, 0, 160), new Int16Array(g722Shared, 0, 320)), RangeError, /overlap/);
	assert(gs.every((v) => v === 0) && g722Codes.every((c) => c === 9), "G.722 state or codes written");
});

test("a getter that shrinks an earlier argument's buffer during the call gives a RangeError, not a stray write", () => {
	const resizable = new ArrayBuffer(320, { maxByteLength: 320 });
	const pcm = new Int16Array(resizable, 0, 160);
	class Shrinking extends Uint8Array {
		get buffer() {
			resizable.resize(0);
			return super.buffer;
		}
	}
	throws(() => audio.encode(LAW_PCMU, pcm, new Shrinking(160)), RangeError, /shrank/);
	const out = new Int16Array(resizable, 0, 0);
	assert(out.length === 0 && resizable.byteLength === 0, "resized");
});

test("a view whose byteOffset getter gives an offset its elements cannot start at is refused, not read or written at an odd address", () => {
	// A subclass (or an object on Int16Array.prototype) can say any byteOffset: the binding reads
	// it as JS does. An int16_t or int32_t at an address not a multiple of its size is undefined
	// behaviour in C.
	class Odd extends Int16Array {
		get byteOffset() {
			return 1;
		}
	}
	class OddWords extends Int32Array {
		get byteOffset() {
			return 2;
		}
	}
	const codes = new Uint8Array(160).fill(9);
	throws(() => audio.encode(LAW_PCMU, new Odd(new ArrayBuffer(400), 0, 160), codes), RangeError, /pcm's byteOffset/);
	const out = new Odd(new ArrayBuffer(400), 0, 160);
	throws(() => audio.decode(LAW_PCMU, codes, out), RangeError, /pcm's byteOffset/);
	throws(() => audio.g722Decode(new Odd(new ArrayBuffer(200), 0, 66), codes, new Int16Array(320)), RangeError, /state's byteOffset/);
	throws(() => audio.toneInit(new OddWords(new ArrayBuffer(40), 0, 8), 425, 8000, 1000), RangeError, /state's byteOffset/);
	const canceller = audio.echoCanceller(8000, 0);
	throws(() => canceller.process(new Int16Array(160), new Int16Array(160), out), RangeError, /out's byteOffset/);
	canceller.close();
	assert(new Uint8Array(out.buffer).every((b) => b === 0) && codes.every((c) => c === 9), "written");
});

test("a buffer XS holds read-only is not written: TypeError, as for a write from JS; reading from it is fine", () => {
	const readOnly = petrify(new ArrayBuffer(640));
	const view = new Int16Array(readOnly), bytes = new Uint8Array(readOnly);
	throws(() => { view[0] = 1; }, TypeError, /read-only/);
	const pcm = new Int16Array(160).fill(1000), codes = new Uint8Array(160);
	throws(() => audio.encode(LAW_PCMU, pcm, new Uint8Array(readOnly, 0, 160)), TypeError, /read-only/);
	throws(() => audio.decode(LAW_PCMU, codes, view.subarray(0, 160)), TypeError, /read-only/);
	throws(() => audio.mix(view.subarray(0, 160), [pcm], [GAIN_UNITY]), TypeError, /read-only/);
	throws(() => audio.toneInit(new Int32Array(readOnly, 0, 8), 425, 8000, 1000), TypeError, /read-only/);
	throws(() => audio.upsample(view.subarray(0, 64), pcm, new Int16Array(320)), TypeError, /read-only/);
	throws(() => audio.g722Decode(new Int16Array(66), codes, view), TypeError, /read-only/);
	throws(() => audio.g722Encode(view.subarray(0, 66), pcm, codes), TypeError, /read-only/);
	const canceller = audio.echoCanceller(8000, 0);
	throws(() => canceller.process(pcm, pcm, view.subarray(0, 160)), TypeError, /read-only/);
	throws(() => audio.copyBytes(new ArrayBuffer(8), bytes), TypeError, /read-only/);
	assert(bytes.every((b) => b === 0), "wrote into the read-only buffer");
	// as input it is read: silence in, silence out
	audio.encode(LAW_PCMA, view.subarray(0, 160), codes);
	assert(codes.every((c) => c === 0xd5), "encoding the read-only buffer");
	canceller.process(view.subarray(0, 160), view.subarray(160, 320), pcm);
	canceller.close();
});

test("copyBytes: the datagram's first bytes into the target, its length back; errors for wrong arguments", () => {
	const datagram = new ArrayBuffer(172);
	const bytes = new Uint8Array(datagram);
	for (let i = 0; i < 172; i++) bytes[i] = (i * 7 + 3) & 0xff;
	const target = new Uint8Array(1500).fill(0xee);
	for (let round = 0; round < 3; round++) {
		// Garbage between the rounds: in the stress build every allocation compacts and moves both.
		const junk = [];
		for (let i = 0; i < 16; i++) junk.push(new ArrayBuffer(64 + i));
		assert(audio.copyBytes(datagram, target) === 172, "length");
		for (let i = 0; i < 172; i++) assert(target[i] === bytes[i], `byte ${i}`);
		assert(target[172] === 0xee, "nothing written past the datagram");
	}
	const small = new Uint8Array(new ArrayBuffer(40), 8, 16);
	assert(audio.copyBytes(datagram, small) === 172, "the whole length even when the target is shorter");
	for (let i = 0; i < 16; i++) assert(small[i] === bytes[i], `short target byte ${i}`);
	assert(new Uint8Array(small.buffer)[7] === 0 && new Uint8Array(small.buffer)[24] === 0, "only the view's bytes");
	assert(audio.copyBytes(new ArrayBuffer(0), target) === 0, "empty datagram");
	throws(() => audio.copyBytes(bytes, target), TypeError, /ArrayBuffer/);
	throws(() => audio.copyBytes(datagram, new Int16Array(10)), TypeError, /Uint8Array/);
	throws(() => audio.copyBytes(datagram), TypeError, /arguments/);
});

test("promise jobs run: a binding call after an await", async () => {
	const codes = new Uint8Array(1);
	await Promise.resolve();
	audio.encode(LAW_PCMA, Int16Array.of(0), codes);
	await new Promise((resolve) => resolve());
	assert(codes[0] === 0xd5, `got ${codes[0]}`);
});

/*
 * Negative control: staleEncode keeps the pcm pointer across an allocation. Garbage lies before
 * pcm in the heap, so a compaction moves pcm's bytes. The stress build must see wrong codes;
 * the normal build never collects there and cannot tell (which is why the stress build exists).
 */
/*
 * Negative control: staleEncode keeps the pcm pointer across an allocation. The heap is laid
 * out as [garbage][pcm][live buffers]: the compaction that the stress build runs at that
 * allocation removes the garbage and slides pcm and the live buffers down, so the stale
 * pointer then reads live-buffer bytes. The normal build does not collect there and cannot
 * tell (which is why the stress build exists).
 */
test("negative control: a binding that keeps a pointer across an allocation is caught by the stress build", () => {
	const right = new Uint8Array(160), wrong = new Uint8Array(160);
	let junk = [];
	for (let i = 0; i < 64; i++) junk.push(new ArrayBuffer(256 + i));
	const pcm = new Int16Array(160);
	for (let i = 0; i < 160; i++) pcm[i] = Math.round(12000 * Math.sin(i / 3));
	const after = [];
	for (let i = 0; i < 128; i++) after.push(new Int16Array(128).fill(-20000));
	junk = null;
	staleEncode(LAW_PCMU, pcm, wrong);
	audio.encode(LAW_PCMU, pcm, right);
	let differences = 0;
	for (let i = 0; i < 160; i++) if (right[i] !== wrong[i]) differences++;
	if (STRESS) assert(differences > 0, "the stress build did not catch the stale pointer");
	else assert(differences === 0, `the normal build saw ${differences} differences: is it collecting?`);
	print(`# ${LABEL}: the stale-pointer binding got ${differences} of 160 codes wrong`);
	assert(after.length === 128, "keeps the live buffers alive until here");
});

let failed = 0;
for (const { name, body } of tests) {
	try {
		const started = Date.now();
		await body();
		print(`ok - ${LABEL}: ${name} (${Date.now() - started} ms)`);
	}
	catch (error) {
		failed++;
		print(`not ok - ${LABEL}: ${name}: ${error}`);
	}
}
if (failed) throw new Error(`${failed} XS binding tests failed`);
