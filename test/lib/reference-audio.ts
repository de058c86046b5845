/*
 * A plain JavaScript NativeAudio for the portable specs (Node and XS), written straight from the
 * G.711 definitions: per-sample loops, no tables. Only tests use it; the device, the XS host and
 * the simulator run the C core.
 */

import { G722_STATE_SAMPLES, RESAMPLER_STATE_SAMPLES, TONE_STATE_WORDS, LAW_PCMA, type EchoCanceller, type NativeAudio } from "../../modules/native-audio.js";
import { g722Decode, g722Encode } from "./reference-g722.js";

function ulawEncode(sample: number): number {
	const BIAS = 0x84, CLIP = 32635;
	let s = sample;
	const sign = s < 0 ? 0x80 : 0;
	if (sign) s = -s;
	if (s > CLIP) s = CLIP;
	s += BIAS;
	let exponent = 7;
	for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
	const mantissa = (s >> (exponent + 3)) & 0x0f;
	return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulawDecode(code: number): number {
	const u = ~code & 0xff;
	const exponent = (u >> 4) & 7;
	const t = (((u & 0x0f) << 3) + 0x84) << exponent;
	return u & 0x80 ? 0x84 - t : t - 0x84;
}

function alawEncode(sample: number): number {
	let pcm = sample >> 3;
	let mask;
	if (pcm >= 0) mask = 0xd5;
	else {
		mask = 0x55;
		pcm = -pcm - 1;
	}
	let segment = 0;
	while (segment < 8 && pcm > (0x1f << segment)) segment++;
	if (segment >= 8) return 0x7f ^ mask;
	const mantissa = segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
	return ((segment << 4) | mantissa) ^ mask;
}

function alawDecode(code: number): number {
	const a = code ^ 0x55;
	let t = (a & 0x0f) << 4;
	const segment = (a & 0x70) >> 4;
	if (segment === 0) t += 8;
	else t = (t + 0x108) << (segment - 1);
	return a & 0x80 ? t : -t;
}

function saturate(value: number): number {
	return value > 32767 ? 32767 : value < -32768 ? -32768 : value;
}

/** Low-pass for 16 kHz: cut-off 3.6 kHz, 31 taps, Hamming window, unity gain at DC. */
const TAPS = 31;
const FILTER = (() => {
	const h: number[] = [];
	const fc = 3600 / 16000;
	let sum = 0;
	for (let k = 0; k < TAPS; k++) {
		const m = k - (TAPS - 1) / 2;
		const sinc = m === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * m) / (Math.PI * m);
		const value = sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * k) / (TAPS - 1)));
		h.push(value);
		sum += value;
	}
	return h.map((v) => v / sum);
})();
const HISTORY = 32;

function remember(state: Int16Array, input: Int16Array): void {
	const n = input.length;
	if (n >= HISTORY) {
		for (let i = 0; i < HISTORY; i++) state[i] = input[n - HISTORY + i];
	} else {
		for (let i = 0; i < HISTORY - n; i++) state[i] = state[i + n];
		for (let i = 0; i < n; i++) state[HISTORY - n + i] = input[i];
	}
}

/*
 * The echo canceller: plain time-domain NLMS over AEC_TAPS taps, without suppression: the taps,
 * the reference history (a ring), and how many samples the reference has been silent. A
 * reference silent for the whole history gives an estimate and an update of exactly zero: that
 * is skipped. Like the native one, it refuses to run once closed. It has no blocks, restarts,
 * passed blocks or delay: count() gives the whole blocks of 128 samples it took, and 0 for the
 * others.
 */
const AEC_TAPS = 32;

class ReferenceEchoCanceller implements EchoCanceller {
	#taps: Float32Array | undefined = new Float32Array(AEC_TAPS);
	#history = new Float32Array(AEC_TAPS);
	#at = 0;
	#silent = 0;
	#samples = 0;

	process(far: Int16Array, mic: Int16Array, out: Int16Array): void {
		const taps = this.#taps, history = this.#history;
		if (!taps) throw new TypeError("process: the EchoCanceller is closed");
		if (far.length < mic.length || out.length < mic.length) throw new RangeError("process: far and out must be at least mic.length long");
		let at = this.#at, silent = this.#silent;
		for (let i = 0; i < mic.length; i++) {
			at = (at + AEC_TAPS - 1) % AEC_TAPS;
			history[at] = far[i];
			silent = far[i] === 0 ? Math.min(silent + 1, AEC_TAPS) : 0;
			if (silent === AEC_TAPS) {
				out[i] = mic[i];
				continue;
			}
			let estimate = 0, power = 1e4;
			for (let k = 0; k < AEC_TAPS; k++) {
				const x = history[(at + k) % AEC_TAPS];
				estimate += taps[k] * x;
				power += x * x;
			}
			const error = mic[i] - estimate;
			const step = (0.5 * error) / power;
			for (let k = 0; k < AEC_TAPS; k++) taps[k] += step * history[(at + k) % AEC_TAPS];
			out[i] = saturate(Math.round(error));
		}
		this.#at = at;
		this.#silent = silent;
		this.#samples += mic.length;
	}

	count(which: number): number {
		if (!this.#taps) throw new TypeError("count: the EchoCanceller is closed");
		if (which !== 0 && which !== 1 && which !== 2 && which !== 3) throw new RangeError("count: which must be 0, 1, 2 or 3");
		return which === 0 ? Math.floor(this.#samples / 128) : 0;
	}

	close(): void {
		this.#taps = undefined;
	}
}

export const referenceAudio: NativeAudio = {
	encode(law, pcm, codes) {
		for (let i = 0; i < pcm.length; i++) codes[i] = law === LAW_PCMA ? alawEncode(pcm[i]) : ulawEncode(pcm[i]);
	},
	decode(law, codes, pcm) {
		for (let i = 0; i < codes.length; i++) pcm[i] = law === LAW_PCMA ? alawDecode(codes[i]) : ulawDecode(codes[i]);
	},
	mix(out, sources, gains) {
		for (let i = 0; i < out.length; i++) {
			let sum = 0;
			for (let k = 0; k < sources.length; k++) sum += sources[k][i] * gains[k];
			out[i] = saturate(Math.floor(sum / 4096));
		}
	},
	toneInit(state, frequencyHz, sampleRate, amplitude) {
		if (state.length < TONE_STATE_WORDS) throw new RangeError("tone state too short");
		state[0] = 0;
		state[1] = Math.round((frequencyHz / sampleRate) * 4294967296) | 0;
		state[2] = amplitude;
	},
	toneFill(state, out) {
		let phase = state[0] >>> 0;
		const step = state[1] >>> 0, amplitude = state[2];
		for (let i = 0; i < out.length; i++) {
			out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * phase) / 4294967296));
			phase = (phase + step) >>> 0;
		}
		state[0] = phase | 0;
	},
	downsample(state, input, output) {
		if (state.length < RESAMPLER_STATE_SAMPLES) throw new RangeError("resampler state too short");
		for (let j = 0; j < output.length; j++) {
			const n = 2 * j + 1;
			let sum = 0;
			for (let k = 0; k < TAPS; k++) {
				const m = n - k;
				sum += FILTER[k] * (m >= 0 ? input[m] : state[HISTORY + m]);
			}
			output[j] = saturate(Math.round(sum));
		}
		remember(state, input);
	},
	upsample(state, input, output) {
		if (state.length < RESAMPLER_STATE_SAMPLES) throw new RangeError("resampler state too short");
		for (let m = 0; m < output.length; m++) {
			let sum = 0;
			for (let k = m & 1; k < TAPS; k += 2) {
				const i = (m - k) / 2;
				sum += FILTER[k] * (i >= 0 ? input[i] : state[HISTORY + i]);
			}
			output[m] = saturate(Math.round(2 * sum));
		}
		remember(state, input);
	},
	g722Encode(state, pcm, codes) {
		if (state.length < G722_STATE_SAMPLES) throw new RangeError("G.722 state too short");
		g722Encode(state, pcm, codes);
	},
	g722Decode(state, codes, pcm) {
		if (state.length < G722_STATE_SAMPLES) throw new RangeError("G.722 state too short");
		g722Decode(state, codes, pcm);
	},
	echoCanceller(sampleRate, flags) {
		if (sampleRate !== 8000 && sampleRate !== 16000) throw new RangeError("EchoCanceller: sampleRate must be 8000 or 16000");
		if (flags !== 0 && flags !== 1) throw new RangeError("EchoCanceller: flags must be 0 or AEC_LINEAR_ONLY (1)");
		return new ReferenceEchoCanceller();
	},
	copyBytes(source, target) {
		if (!(source instanceof ArrayBuffer)) throw new TypeError("copyBytes: source must be an ArrayBuffer");
		const n = Math.min(source.byteLength, target.length);
		target.set(new Uint8Array(source, 0, n));
		return source.byteLength;
	},
};
