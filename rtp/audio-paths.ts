/*
 * Between the call frames (8 kHz for G.711, 16 kHz for G.722) and the audio ports. The
 * microphone path reads a frame from an 8 or 16 kHz AudioIn and converts it with the native
 * resampler only when the rates differ (a 16 kHz microphone and a G.722 call need none); the
 * speaker path mixes call audio and the chime (8 kHz, upsampled in a wideband call) with the
 * native mixer and writes to an 8 or 16 kHz AudioOut, converting likewise. Every buffer is made
 * by the constructor, but the speaker path's 16 kHz frames, made when a call first needs one. A
 * path's resampler runs one way only (the port's rate fixes which), so one state serves both
 * kinds of call.
 */

import type { AudioIn, AudioOut } from "../modules/ports.js";
import { GAIN_UNITY, RESAMPLER_STATE_SAMPLES, type NativeAudio } from "../modules/native-audio.js";
import type { Chime } from "./chime.js";
import type { EchoControl } from "./echo-control.js";
import { CallFrame, FRAME_SAMPLES, WIDE_FRAME_SAMPLES } from "./call-frame.js";

function checkRate(what: string, rate: number): void {
	if (rate !== 8000 && rate !== 16000) throw new RangeError(`the ${what} runs at ${rate} Hz; 8000 or 16000 Hz are supported`);
}

/**
 * The frames at a call's start in which a microphone may still be starting (200 ms): the
 * device's starts on the first read, which it answers with nothing, and then delivers in pieces
 * (the SDK reads 2 KB from I2S at a time: 32 ms at 16 kHz, or 64 ms where a sample takes two
 * bytes, not four), so the first reads of every call came short (3 or 4 of them, read from the
 * SDK's source, not measured) and the call's media hint asked to check a working microphone.
 */
const MIC_START_FRAMES = 10;

export class MicPath {
	readonly mic: AudioIn;
	#audio: NativeAudio;
	#wide: Int16Array | undefined;
	#state = new Int16Array(RESAMPLER_STATE_SAMPLES);
	/** Frames the microphone could not fill completely once it had started (padded with silence). */
	short = 0;
	/** Frames read, up to MIC_START_FRAMES. */
	#started = 0;

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
			if (this.#started === MIC_START_FRAMES) this.short++;
			target.fill(0, n > 0 ? n : 0);
		}
		if (this.#started < MIC_START_FRAMES) this.#started++;
		this.#echo?.cancel(target);
	}
}

export class SpeakerPath {
	readonly speaker: AudioOut;
	#audio: NativeAudio;
	#chime: Chime | undefined;
	#chimeFrame = new Int16Array(FRAME_SAMPLES);
	/** In a G.722 call the chime upsampled, and its resampler's state, made when it first plays there. */
	#chimeWide: Int16Array | undefined;
	#chimeState: Int16Array | undefined;
	#mixed = new CallFrame();
	#silence = new CallFrame();
	/** The call's frame and the chime, mixed. */
	#sources: Int16Array[] = [this.#chimeFrame, this.#chimeFrame];
	#gains = [GAIN_UNITY, GAIN_UNITY];
	/** The port's frame when its rate is not the call's (16 kHz for 8 kHz frames, or the reverse). */
	#wide: Int16Array | undefined;
	#narrow: Int16Array | undefined;
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
		if (speaker.sampleRate === 16000) this.#wide = new Int16Array(WIDE_FRAME_SAMPLES);
		else this.#narrow = new Int16Array(FRAME_SAMPLES);
	}

	/** Plays one 8 kHz frame of call audio (or silence when undefined), with the chime mixed in while it plays. */
	play(call: Int16Array | undefined): void {
		let frame = call ?? this.#silence.narrow;
		const chime = this.#chime;
		if (chime && chime.playing && chime.fill(this.#chimeFrame)) {
			const sources = this.#sources;
			sources[0] = frame;
			sources[1] = this.#chimeFrame;
			frame = this.#mixed.narrow;
			this.#audio.mix(frame, sources, this.#gains);
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
		let frame = call ?? this.#silence.wide;
		const chime = this.#chime;
		if (chime && chime.playing && chime.fill(this.#chimeFrame)) {
			const sources = this.#sources, chimeWide = this.#chimeWide ??= new Int16Array(WIDE_FRAME_SAMPLES);
			this.#chimeState ??= new Int16Array(RESAMPLER_STATE_SAMPLES);
			this.#audio.upsample(this.#chimeState, this.#chimeFrame, chimeWide);
			sources[0] = frame;
			sources[1] = chimeWide;
			frame = this.#mixed.wide;
			this.#audio.mix(frame, sources, this.#gains);
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

