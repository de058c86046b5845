/*
 * The door's box in the simulator (`--echo room|clip`): its speaker and microphone sit a few
 * centimetres apart, so what the speaker plays comes back into the microphone, mixed with the
 * `--mic` source. The box stands where the device's I2S converters are: its microphone is the
 * AudioIn the door reads, so the echo enters the audio path exactly where a real microphone's
 * signal does (at 16 kHz, before echo control); its speaker is the AudioOut the door writes
 * (passed on to the `--speaker` recording, if any).
 *
 * The echo path, at 16 kHz: a delay of 2.5 ms (converter buffering and the air between the two),
 * the direct sound at half the level, then room-like reflections (seeded Gaussian noise) that
 * decay by 60 dB within 45 ms, the whole path well inside the canceller's 64 ms. `clip`: a small
 * speaker driven hard, which saturates softly and clips at -9 dBFS before the sound reaches the
 * path; quiet sound passes it as in `room`.
 *
 * `--echo-latency MS` delays the echo by MS more: on the device a frame written to the speaker is
 * played only after the output's DMA buffers ahead of it (up to 20 ms with the manifest's buffer
 * size, 128-256 ms with the SDK's), and the microphone's input buffers add some more, so the echo
 * reaches the canceller that much later than the frame it was given as the reference.
 *
 * Both run on the same clock: the frame written to the speaker and the frame read from the
 * microphone next cover the same 20 ms. Samples the speaker did not play count as silence; when
 * it played with no one listening (the chime before a call) the microphone catches up with it.
 * Between calls, when neither is used for longer than a sample takes to reach the microphone,
 * the room falls silent.
 * Every buffer is made by the constructor (a part frame's once per new length): a frame
 * allocates nothing. The speaker's history covers the latency, the delay, the path and the longest
 * frame, so a longer latency costs memory once, not work per frame.
 */

import type { AudioIn, AudioOut, Clock } from "../ports.js";
import { nodeClock } from "./clock.js";
import { RESAMPLER_STATE_SAMPLES, type NativeAudio } from "../native-audio.js";

export const ECHO_MODES = ["room", "clip"] as const;
export type EchoMode = (typeof ECHO_MODES)[number];

/** The box's rate: the door's microphone and speaker. */
export const ECHO_RATE = 16000;
/** Speaker to microphone: 2.5 ms. */
export const ECHO_DELAY_SAMPLES = 40;
/** The direct sound's gain. */
export const ECHO_DIRECT_GAIN = 0.5;
/** The path after the delay: the direct sound and its reflections, 45 ms (720 taps). */
export const ECHO_PATH_SAMPLES = 720;
/** The first reflection comes 1 ms after the direct sound. */
const FIRST_REFLECTION = 16;
/** The reflections' starting level (standard deviation, times the speaker's sample). */
const REFLECTION_GAIN = 0.1;
/** Where a small speaker clips: -9 dBFS; it saturates softly on the way there. */
export const CLIP_LEVEL = 11600;
const SATURATION = 16000;
/** The most `--echo-latency` adds (ms): about the longest the SDK's default speaker buffers hold a sample back (256 ms). */
export const ECHO_LATENCY_MAX_MS = 250;
/** The longest frame the speaker's history is made for (60 ms); longer reads are done in parts. */
const LONGEST_FRAME = 960;

/** The echo path's taps after the delay (ECHO_PATH_SAMPLES), the same on every run. */
export function echoPath(): Float32Array {
	const taps = new Float32Array(ECHO_PATH_SAMPLES);
	taps[0] = ECHO_DIRECT_GAIN;
	let seed = 20261204;
	for (let k = FIRST_REFLECTION; k < ECHO_PATH_SAMPLES; k++) {
		// A sum of 12 uniform numbers: close enough to a Gaussian for a room's diffuse sound.
		let u = 0;
		for (let j = 0; j < 12; j++) {
			seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
			u += seed / 4294967296;
		}
		taps[k] = REFLECTION_GAIN * (u - 6) * Math.exp((-6.9 * (k - FIRST_REFLECTION)) / (ECHO_PATH_SAMPLES - FIRST_REFLECTION));
	}
	return taps;
}

/**
 * A small speaker driven hard, as a table from each 16-bit sample value (offset by 32768) to
 * what it gives: soft saturation, then clipping at CLIP_LEVEL. Looked up per sample, so the
 * speaker's frame takes no floating-point curve (and allocates nothing).
 */
export function smallSpeaker(): Int16Array {
	const curve = new Int16Array(65536);
	for (let v = -32768; v < 32768; v++) {
		const x = SATURATION * Math.tanh(v / SATURATION);
		curve[v + 32768] = Math.round(x > CLIP_LEVEL ? CLIP_LEVEL : x < -CLIP_LEVEL ? -CLIP_LEVEL : x);
	}
	return curve;
}

export interface EchoBoxOptions {
	mode: EchoMode;
	/** Needed to bring an 8 kHz microphone source to the box's 16 kHz. */
	audio: NativeAudio;
	/** The `--mic` source (8 or 16 kHz); silence when absent. */
	source?: AudioIn;
	/** The `--speaker` recording; the box's speaker plays into the room only when absent. */
	recording?: AudioOut & { finish?(): void };
	/**
	 * What the device's audio buffers add between the door writing a speaker frame and its sound
	 * reaching the microphone (whole ms, 0 to ECHO_LATENCY_MAX_MS; default 0): the echo comes
	 * that much later.
	 */
	latencyMs?: number;
	/** Tells how long the box stood unused (between calls); the machine's by default. */
	clock?: Clock;
}

export class EchoBox {
	readonly mode: EchoMode;
	readonly latencyMs: number;
	/** The door's microphone: the source with the speaker's echo, 16 kHz. */
	readonly mic: AudioIn;
	/** The door's speaker, 16 kHz. */
	readonly speaker: AudioOut & { finish(): void };
	#audio: NativeAudio;
	#source: AudioIn | undefined;
	#recording: (AudioOut & { finish?(): void }) | undefined;
	#taps = echoPath();
	/** `clip`: what the small speaker gives for each sample value (smallSpeaker()). */
	#speaker: Int16Array | undefined;
	/** From the speaker's sample to its direct sound in the microphone: ECHO_DELAY_SAMPLES and the latency. */
	#delay: number;
	/** The speaker's history (a power of two: the delay, the path and the longest frame), a mask for it, and the longest frame taken at once. */
	#size: number;
	#mask: number;
	#maxFrame: number;
	/** What the speaker sent into the room, twice over (2 * #size) so that a window never wraps. */
	#history: Float32Array;
	/** Samples of time the speaker covered, and the microphone. */
	#played: number;
	#heard: number;
	/** When the speaker or the microphone was last used, and how long a sample the speaker played reaches the microphone (ms). */
	#clock: Clock;
	#lastUse = -Infinity;
	#memoryMs: number;
	/** A part frame of the source at 16 kHz; an 8 kHz source's frame, and the upsampler's state. */
	#wide: Int16Array | undefined;
	#narrow: Int16Array | undefined;
	#resampler = new Int16Array(RESAMPLER_STATE_SAMPLES);
	/**
	 * Microphone frames read with no speaker frame since the last (the speaker counted as silent),
	 * and speaker frames no microphone frame followed (the microphone caught up with them): the
	 * door's two clocks ticking out of the order the echo canceller expects (played, then read).
	 */
	readsWithoutPlay = 0;
	playsUnread = 0;

	constructor(options: EchoBoxOptions) {
		const source = options.source;
		if (source && source.sampleRate !== 8000 && source.sampleRate !== ECHO_RATE) throw new RangeError(`the microphone runs at ${source.sampleRate} Hz; 8000 or 16000 Hz are supported`);
		if (options.recording && options.recording.sampleRate !== ECHO_RATE) throw new RangeError(`the speaker recording runs at ${options.recording.sampleRate} Hz; the box runs at ${ECHO_RATE} Hz`);
		const latencyMs = options.latencyMs ?? 0;
		if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > ECHO_LATENCY_MAX_MS) throw new RangeError(`the echo latency must be a whole number of ms, 0 to ${ECHO_LATENCY_MAX_MS}, not ${latencyMs}`);
		this.mode = options.mode;
		this.latencyMs = latencyMs;
		this.#delay = ECHO_DELAY_SAMPLES + (latencyMs * ECHO_RATE) / 1000;
		this.#memoryMs = ((this.#delay + ECHO_PATH_SAMPLES) * 1000) / ECHO_RATE;
		this.#clock = options.clock ?? nodeClock;
		let size = 1;
		while (size < this.#delay + ECHO_PATH_SAMPLES + LONGEST_FRAME) size *= 2;
		this.#size = size;
		this.#mask = size - 1;
		this.#maxFrame = size - this.#delay - ECHO_PATH_SAMPLES;
		this.#history = new Float32Array(2 * size);
		this.#played = this.#heard = size;
		if (this.mode === "clip") this.#speaker = smallSpeaker();
		this.#audio = options.audio;
		this.#source = source;
		this.#recording = options.recording;
		if (source && source.sampleRate === 8000) {
			this.#narrow = new Int16Array(160);
			this.#wide = new Int16Array(320);
		}
		this.mic = { sampleRate: ECHO_RATE, read: (target) => this.#read(target), close: () => this.#source?.close() };
		this.speaker = {
			sampleRate: ECHO_RATE,
			write: (samples) => this.#write(samples),
			finish: () => this.#recording?.finish?.(),
			close: () => this.#recording?.close(),
		};
	}

	#write(samples: Int16Array): void {
		this.#use();
		this.#recording?.write(samples);
		const history = this.#history, speaker = this.#speaker, size = this.#size, mask = this.#mask;
		let at = this.#played;
		for (let i = 0; i < samples.length; i++, at++) {
			const x = speaker ? speaker[samples[i] + 32768] : samples[i];
			const slot = at & mask;
			history[slot] = x;
			history[slot + size] = x;
		}
		this.#played = at;
	}

	/**
	 * The box counts time in the samples its speaker and microphone pass, which stand still
	 * between calls; but the room does not: after a pause longer than a played sample takes to
	 * reach the microphone, nothing played before it is heard. The next call came 60 ms, or
	 * 660 ms, after the last, and heard the last call's final words (150 ms late), which the
	 * canceller had no reference for.
	 */
	#use(): void {
		const now = this.#clock.now();
		if (now - this.#lastUse > this.#memoryMs) this.#history.fill(0);
		this.#lastUse = now;
	}

	#read(target: Int16Array): number {
		this.#use();
		const most = this.#maxFrame;
		for (let from = 0; from < target.length; from += most) this.#frame(target, from, Math.min(most, target.length - from));
		return target.length;
	}

	/** target[from, from + n): the source, plus the echo of what the speaker played over the same n samples of time. */
	#frame(target: Int16Array, from: number, n: number): void {
		this.#take(target, from, n);
		// Line the speaker's time up with the microphone's: what it did not play was silence,
		// and what it played with no one listening is heard only as far as it still reaches the
		// microphone (its last n samples, and those the delay and the path hold back).
		const silent = this.#heard + n - this.#played;
		if (silent > 0) {
			this.readsWithoutPlay++;
			this.#silence(silent);
		} else if (silent < 0) this.playsUnread += Math.round(-silent / n);
		const start = this.#played - n;
		this.#heard = this.#played;

		const history = this.#history, taps = this.#taps, count = taps.length, delay = this.#delay, size = this.#size, mask = this.#mask;
		for (let i = 0; i < n; i++) {
			// The newest sample that reaches the microphone now, and the older ones from behind it.
			const newest = ((start + i - delay) & mask) + size;
			let echo = 0;
			for (let k = 0; k < count; k++) echo += taps[k] * history[newest - k];
			const v = Math.round(target[from + i] + echo);
			target[from + i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
		}
	}

	/** The source's next n samples at 16 kHz into target[from...]; silence where it has none. */
	#take(target: Int16Array, from: number, n: number): void {
		const source = this.#source;
		try {
			if (!source) target.fill(0, from, from + n);
			else if (source.sampleRate === ECHO_RATE && from === 0 && n === target.length) fill(source, target);
			else if (source.sampleRate === ECHO_RATE) target.set(fill(source, this.#wideFor(n)), from);
			else {
				// An odd frame's last sample stays silent.
				const half = n >> 1, wide = this.#wideFor(2 * half);
				this.#audio.upsample(this.#resampler, fill(source, this.#narrowFor(half)), wide);
				target.set(wide, from);
				if (n & 1) target[from + n - 1] = 0;
			}
		} catch {
			target.fill(0, from, from + n);
		}
	}

	/** Buffers for a frame of n samples at 16 kHz (half as many at 8 kHz), kept while the frames keep their length. */
	#wideFor(n: number): Int16Array {
		if (!this.#wide || this.#wide.length !== n) this.#wide = new Int16Array(n);
		return this.#wide;
	}

	#narrowFor(n: number): Int16Array {
		if (!this.#narrow || this.#narrow.length !== n) this.#narrow = new Int16Array(n);
		return this.#narrow;
	}

	/** The speaker played nothing for `count` samples. */
	#silence(count: number): void {
		const history = this.#history, size = this.#size, mask = this.#mask;
		if (count >= size) history.fill(0);
		else {
			for (let i = 0, at = this.#played; i < count; i++, at++) {
				const slot = at & mask;
				history[slot] = 0;
				history[slot + size] = 0;
			}
		}
		this.#played += count;
	}
}

/** Reads a whole frame from the source: what it does not give is silence. */
function fill(source: AudioIn, frame: Int16Array): Int16Array {
	const n = source.read(frame);
	if (!(n >= frame.length)) frame.fill(0, n > 0 ? n : 0);
	return frame;
}
