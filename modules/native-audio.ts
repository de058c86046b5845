/*
 * The native audio core as the portable code sees it. The XS binding (rtp/native/audio-xs.js,
 * on the device and on the XS test host) and the Node addon (the simulator) expose exactly this,
 * over the same C99 core. Per-sample work only. No function allocates: the caller makes every
 * buffer and state array once per call and passes views of them; the echo canceller alone keeps
 * its (large) state natively, made once per call and closed at its end.
 */

/** G.711 µ-law (RTP payload type 0, PCMU). */
export const LAW_PCMU = 0;
/** G.711 A-law (RTP payload type 8, PCMA). */
export const LAW_PCMA = 1;

/** Unity gain for `mix` (Q12). */
export const GAIN_UNITY = 4096;

/** Length of the Int32Array a tone generator keeps its state in. */
export const TONE_STATE_WORDS = 8;

/** Length of the Int16Array a resampler keeps its filter history in. */
export const RESAMPLER_STATE_SAMPLES = 64;

/** Length of the Int16Array a G.722 encoder or decoder keeps its state in (all zeros: a fresh start). */
export const G722_STATE_SAMPLES = 66;

/** `echoCanceller` flag: the adaptive filter alone, without residual echo suppression and comfort noise (for measurements). */
export const AEC_LINEAR_ONLY = 1;

/** `EchoCanceller.count`: blocks of 128 samples processed, ... */
export const AEC_COUNT_BLOCKS = 0;
/** ...blocks whose microphone passed, unsuppressed (the filter added to it, so it was found wrong; the bins it still made smaller keep its output)... */
export const AEC_COUNT_PASSED = 1;
/** ...restarts of the filter (wrong by 6 dB for three blocks)... */
export const AEC_COUNT_RESTARTS = 2;
/** ...and the samples it holds the reference back by now (0 until it finds the echo beginning beyond its tail: a device's audio buffers). */
export const AEC_COUNT_DELAY = 3;

/** An echo canceller and its state (made by NativeAudio.echoCanceller). */
export interface EchoCanceller {
	/**
	 * Removes from `mic` the echo of `far` (what went to the speaker) into `out` (mic.length
	 * samples; `out` may be `mic`). The output runs a fixed number of samples behind, none when
	 * mic.length is a multiple of 128 and at most 127 otherwise. Throws once closed.
	 */
	process(far: Int16Array, mic: Int16Array, out: Int16Array): void;
	/**
	 * What it counted since it was made, for diagnostics (AEC_COUNT_BLOCKS, AEC_COUNT_PASSED,
	 * AEC_COUNT_RESTARTS), and the delay it found (AEC_COUNT_DELAY). Throws once closed.
	 */
	count(which: number): number;
	/**
	 * Frees the state now (a collection would free it too, but the JS heap cannot tell how much
	 * native memory a small object holds). Closing again does nothing.
	 */
	close(): void;
}

export interface NativeAudio {
	/** G.711-encodes all of `pcm` into the first pcm.length bytes of `codes`. */
	encode(law: number, pcm: Int16Array, codes: Uint8Array): void;
	/** Decodes all of `codes` into the first codes.length samples of `pcm`. */
	decode(law: number, codes: Uint8Array, pcm: Int16Array): void;
	/**
	 * out[i] = saturate16(Σ sources[k][i] · gains[k] / 4096) for i < out.length; each source is at
	 * least out.length long; gains are Q12 integers (4096 = unity, 0 mutes a source).
	 */
	mix(out: Int16Array, sources: readonly Int16Array[], gains: readonly number[]): void;
	/** Starts a sine tone in `state` (TONE_STATE_WORDS long): frequency, sample rate, peak amplitude (0-32767). */
	toneInit(state: Int32Array, frequencyHz: number, sampleRate: number, amplitude: number): void;
	/** Writes the tone's next out.length samples and keeps the phase in `state`. */
	toneFill(state: Int32Array, out: Int16Array): void;
	/** Low-pass filters and halves the rate: 16 kHz `input` → 8 kHz `output` (input.length / 2 samples). */
	downsample(state: Int16Array, input: Int16Array, output: Int16Array): void;
	/** Doubles the rate with a low-pass interpolator: 8 kHz `input` → 16 kHz `output` (input.length · 2 samples). */
	upsample(state: Int16Array, input: Int16Array, output: Int16Array): void;
	/** G.722-encodes all of `pcm` (16 kHz, an even length) into the first pcm.length / 2 bytes of `codes`. */
	g722Encode(state: Int16Array, pcm: Int16Array, codes: Uint8Array): void;
	/** G.722-decodes all of `codes` into the first codes.length · 2 samples (16 kHz) of `pcm`. */
	g722Decode(state: Int16Array, codes: Uint8Array, pcm: Int16Array): void;
	/**
	 * Starts an echo canceller for 8000 or 16000 Hz audio; flags 0 or AEC_LINEAR_ONLY. Its state
	 * (about 48 KB) is native memory outside the JS heap, held until close().
	 */
	echoCanceller(sampleRate: number, flags: number): EchoCanceller;
	/**
	 * Copies the first bytes of `source` (as many as fit) into `target` and returns
	 * source.byteLength. A received datagram is read so into a buffer made once per call: in JS
	 * its bytes can be reached only through a new view, which on XS is an allocation per packet.
	 */
	copyBytes(source: ArrayBuffer, target: Uint8Array): number;
}
