/*
 * Between the call frames (8 kHz for G.711, 16 kHz for G.722) and the audio ports. The
 * microphone path reads a frame from an 8 or 16 kHz AudioIn and converts it with the native
 * resampler only when the rates differ (a 16 kHz microphone and a G.722 call need none); the
 * speaker path mixes call audio and the chime (8 kHz, upsampled in a wideband call) with the
 * native mixer and writes to an 8 or 16 kHz AudioOut, converting likewise. Every buffer is made
 * by the constructor, but the speaker path's 16 kHz frames, made when a call first plays one. A
 * path's resampler runs one way only (the port's rate fixes which), so one state serves both
 * kinds of call.
 */

import type { AudioIn, AudioOut } from "../modules/ports.js";
import { GAIN_UNITY, RESAMPLER_STATE_SAMPLES, type NativeAudio } from "../modules/native-audio.js";
import type { Chime } from "./chime.js";
import type { EchoControl } from "./echo-control.js";

export const FRAME_SAMPLES = 160;
/** A 20 ms frame at 16 kHz (G.722). */
export const WIDE_FRAME_SAMPLES = 320;

function checkRate(what: string, rate: number): void {
	if (rate !== 8000 && rate !== 16000) throw new RangeError(`the ${what} runs at ${rate} Hz; 8000 or 16000 Hz are supported`);
}

export class MicPath {
	readonly mic: AudioIn;
	#audio: NativeAudio;
	#wide: Int16Array | undefined;
	#state = new Int16Array(RESAMPLER_STATE_SAMPLES);
	/** Frames the microphone could not fill completely (padded with silence). */
	short = 0;

	#narrow: Int16Array | undefined;
	#echo: EchoControl | undefined;

	/** `echo`: the canceller the speaker path feeds, applied at the microphone's rate. */
	constructor(audio: NativeAudio, mic: AudioIn, echo?: EchoControl) {
		checkRate("microphone", mic.sampleRate);
		this.#audio = audio;
		this.mic = mic;
		this.#echo = echo;
		if (mic.sampleRate === 16000) this.#wide = new Int16Array(WIDE_FRAME_SAMPLES);
		else this.#narrow = new Int16Array(FRAME_SAMPLES);
	}

	/** The next 20 ms at 8 kHz into `out` (FRAME_SAMPLES long). */
	read(out: Int16Array): void {
		const wide = this.#wide;
		this.#take(wide ?? out);
		if (wide) this.#audio.downsample(this.#state, wide, out);
	}

	/** The next 20 ms at 16 kHz into `out` (WIDE_FRAME_SAMPLES long). */
	readWide(out: Int16Array): void {
		const narrow = this.#narrow;
		this.#take(narrow ?? out);
		if (narrow) this.#audio.upsample(this.#state, narrow, out);
	}

	#take(target: Int16Array): void {
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
	}
}

export class SpeakerPath {
	readonly speaker: AudioOut;
	#audio: NativeAudio;
	#chime: Chime | undefined;
	#chimeFrame = new Int16Array(FRAME_SAMPLES);
	// 8 kHz frames. The 16 kHz ones are made when a call first plays a 16 kHz frame (G.722), and
	// the 8 kHz ones then become views of their starts: a G.711 call keeps no 16 kHz frames.
	#mixed = new Int16Array(FRAME_SAMPLES);
	#silence = new Int16Array(FRAME_SAMPLES);
	#sources: Int16Array[];
	#gains = [GAIN_UNITY, GAIN_UNITY];
	/** The port's frame when its rate is not the call's (16 kHz for 8 kHz frames, or the reverse). */
	#wide: Int16Array | undefined;
	#narrow: Int16Array | undefined;
	#state = new Int16Array(RESAMPLER_STATE_SAMPLES);
	#wideFrames: WideFrames | undefined;
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
		if (speaker.sampleRate === 16000) this.#wide = new Int16Array(WIDE_FRAME_SAMPLES);
		else this.#narrow = new Int16Array(FRAME_SAMPLES);
	}

	/** The 16 kHz frames, made once; the 8 kHz ones become views of their starts. */
	#makeWide(): WideFrames {
		const frames = this.#wideFrames = new WideFrames();
		this.#silence = frames.silence.subarray(0, FRAME_SAMPLES);
		this.#mixed = frames.mixed.subarray(0, FRAME_SAMPLES);
		return frames;
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
		this.#write(out);
	}

	/** Plays one 16 kHz frame of call audio (WIDE_FRAME_SAMPLES long, or silence when undefined), the chime mixed in. */
	playWide(call: Int16Array | undefined): void {
		const wide = this.#wideFrames ?? this.#makeWide();
		let frame = call ?? wide.silence;
		const chime = this.#chime;
		if (chime && chime.playing && chime.fill(this.#chimeFrame)) {
			this.#audio.upsample(wide.chimeState, this.#chimeFrame, wide.chime);
			wide.sources[0] = frame;
			this.#audio.mix(wide.mixed, wide.sources, this.#gains);
			frame = wide.mixed;
		}
		let out = frame;
		if (this.#narrow) {
			this.#audio.downsample(this.#state, frame, this.#narrow);
			out = this.#narrow;
		}
		this.#write(out);
	}

	#write(out: Int16Array): void {
		try {
			this.speaker.write(out);
			this.frames++;
			this.#echo?.played(out);
		} catch {
			this.errors++;
		}
	}
}

/** The speaker path's 16 kHz frames, for a wideband call. */
class WideFrames {
	silence = new Int16Array(WIDE_FRAME_SAMPLES);
	mixed = new Int16Array(WIDE_FRAME_SAMPLES);
	/** The chime upsampled, then mixed at 16 kHz. */
	chime = new Int16Array(WIDE_FRAME_SAMPLES);
	chimeState = new Int16Array(RESAMPLER_STATE_SAMPLES);
	sources: Int16Array[] = [this.silence, this.chime];
}
