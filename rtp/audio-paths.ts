/*
 * Between the 8 kHz call frames and the audio ports. The microphone path reads a frame from an
 * 8 or 16 kHz AudioIn (16 kHz goes through the native low-pass downsampler); the speaker path
 * mixes call audio and the chime with the native mixer and writes to an 8 or 16 kHz AudioOut
 * (upsampled for 16 kHz). Every buffer is made by the constructor.
 */

import type { AudioIn, AudioOut } from "../modules/ports.js";
import { GAIN_UNITY, RESAMPLER_STATE_SAMPLES, type NativeAudio } from "../modules/native-audio.js";
import type { Chime } from "./chime.js";
import type { EchoControl } from "./echo-control.js";

export const FRAME_SAMPLES = 160;

function checkRate(what: string, rate: number): void {
	if (rate !== 8000 && rate !== 16000) throw new RangeError(`the ${what} runs at ${rate} Hz; 8000 or 16000 Hz are supported`);
}

export class MicPath {
	readonly mic: AudioIn;
	#audio: NativeAudio;
	#wide: Int16Array | undefined;
	#state = new Int16Array(RESAMPLER_STATE_SAMPLES);
	#echo: EchoControl | undefined;
	/** Frames the microphone could not fill completely (padded with silence). */
	short = 0;

	/** `echo`: the canceller the speaker path feeds, applied at the microphone's rate. */
	constructor(audio: NativeAudio, mic: AudioIn, echo?: EchoControl) {
		checkRate("microphone", mic.sampleRate);
		this.#audio = audio;
		this.mic = mic;
		this.#echo = echo;
		if (mic.sampleRate === 16000) this.#wide = new Int16Array(FRAME_SAMPLES * 2);
	}

	/** The next 20 ms at 8 kHz into `out` (FRAME_SAMPLES long). */
	read(out: Int16Array): void {
		const wide = this.#wide;
		const target = wide ?? out;
		let n = 0;
		try {
			n = this.mic.read(target);
		} catch {
			n = 0;
		}
		if (n < target.length) {
			this.short++;
			target.fill(0, n > 0 ? n : 0);
		}
		this.#echo?.cancel(target);
		if (wide) this.#audio.downsample(this.#state, wide, out);
	}
}

export class SpeakerPath {
	readonly speaker: AudioOut;
	#audio: NativeAudio;
	#chime: Chime | undefined;
	#chimeFrame = new Int16Array(FRAME_SAMPLES);
	#mixed = new Int16Array(FRAME_SAMPLES);
	#silence = new Int16Array(FRAME_SAMPLES);
	#sources: Int16Array[];
	#gains = [GAIN_UNITY, GAIN_UNITY];
	#wide: Int16Array | undefined;
	#state = new Int16Array(RESAMPLER_STATE_SAMPLES);
	#echo: EchoControl | undefined;
	/** Frames written, and writes the port refused. */
	frames = 0;
	errors = 0;

	/** `echo`: told every frame written, the reference of the microphone path's canceller. */
	constructor(audio: NativeAudio, speaker: AudioOut, chime?: Chime, echo?: EchoControl) {
		checkRate("speaker", speaker.sampleRate);
		this.#audio = audio;
		this.speaker = speaker;
		this.#chime = chime;
		this.#echo = echo;
		this.#sources = [this.#silence, this.#chimeFrame];
		if (speaker.sampleRate === 16000) this.#wide = new Int16Array(FRAME_SAMPLES * 2);
	}

	/** Plays one 8 kHz frame of call audio (or silence when undefined), with the chime mixed in while it plays. */
	play(call: Int16Array | undefined): void {
		let frame = call ?? this.#silence;
		const chime = this.#chime;
		if (chime && chime.playing && chime.fill(this.#chimeFrame)) {
			this.#sources[0] = frame;
			this.#audio.mix(this.#mixed, this.#sources, this.#gains);
			frame = this.#mixed;
		}
		let out = frame;
		if (this.#wide) {
			this.#audio.upsample(this.#state, frame, this.#wide);
			out = this.#wide;
		}
		try {
			this.speaker.write(out);
			this.frames++;
			this.#echo?.played(out);
		} catch {
			this.errors++;
		}
	}
}
