/*
 * The door chime: a two-tone ding-dong (880 Hz, then 660 Hz, each fading out over a third of a
 * second) from the native tone generator, or a clip of 8 kHz samples. It is pulled a frame at a
 * time by the speaker path, which mixes it with call audio; starting it again restarts it.
 */

import { GAIN_UNITY, TONE_STATE_WORDS, type NativeAudio } from "../modules/native-audio.js";

export interface ChimeOptions {
	/** A clip (8 kHz mono) to play instead of the two tones. */
	clip?: Int16Array;
	/** Peak amplitude of the tones (default 12000). */
	amplitude?: number;
	/** Samples per frame (160). */
	frameSamples?: number;
}

const SAMPLE_RATE = 8000;
const NOTES = Object.freeze([880, 660]);
const NOTE_FRAMES = 17;
/**
 * The privacy tone: one short 1400 Hz beep (160 ms, the last two frames fading) that tells
 * people at the door that a handset is listening. It stands apart from the ding-dong.
 */
export const PRIVACY_HZ = 1400;
const PRIVACY_FRAMES = 8;

export class Chime {
	#audio: NativeAudio;
	/** The clip cut into frames once (views; the last one padded with silence). */
	#clip: Int16Array[] | undefined;
	#amplitude: number;
	#tone = new Int32Array(TONE_STATE_WORDS);
	#frame: Int16Array;
	#sources: Int16Array[];
	#gains = [0];
	/** Frames played of the current chime; -1 when silent. */
	#position = -1;
	#privacy = false;
	/** Privacy tones started. */
	privacyTones = 0;
	/** Times the chime was started. */
	plays = 0;

	constructor(audio: NativeAudio, options: ChimeOptions = {}) {
		this.#audio = audio;
		this.#amplitude = options.amplitude ?? 12000;
		this.#frame = new Int16Array(options.frameSamples ?? 160);
		const clip = options.clip;
		if (clip) {
			const n = this.#frame.length;
			this.#clip = [];
			for (let from = 0; from < clip.length; from += n) {
				if (from + n <= clip.length) this.#clip.push(clip.subarray(from, from + n));
				else {
					const last = new Int16Array(n);
					last.set(clip.subarray(from));
					this.#clip.push(last);
				}
			}
		}
		this.#sources = [this.#frame];
	}

	get playing(): boolean {
		return this.#position >= 0;
	}

	/** Starts (or restarts) the chime. */
	start(): void {
		this.#position = 0;
		this.#privacy = false;
		this.plays++;
	}

	/** Starts the privacy tone (unless the ding-dong is playing: that already tells the door). */
	privacy(): void {
		if (this.#position >= 0 && !this.#privacy) return;
		this.#position = 0;
		this.#privacy = true;
		this.privacyTones++;
	}

	stop(): void {
		this.#position = -1;
	}

	/** Writes the next frame into `out` (same length as the frame); false, and silence, once it is over. */
	fill(out: Int16Array): boolean {
		if (this.#position < 0) {
			out.fill(0);
			return false;
		}
		const frame = this.#position++;
		if (this.#privacy) return this.#fillPrivacy(out, frame);
		if (this.#clip) return this.#fillClip(out, frame);
		const note = Math.floor(frame / NOTE_FRAMES);
		if (note >= NOTES.length) {
			this.#position = -1;
			out.fill(0);
			return false;
		}
		const inNote = frame % NOTE_FRAMES;
		if (inNote === 0) this.#audio.toneInit(this.#tone, NOTES[note], SAMPLE_RATE, this.#amplitude);
		this.#audio.toneFill(this.#tone, this.#frame);
		// A linear fade over the note, one gain step a frame.
		this.#gains[0] = Math.round((GAIN_UNITY * (NOTE_FRAMES - inNote)) / NOTE_FRAMES);
		this.#audio.mix(out, this.#sources, this.#gains);
		return true;
	}

	#fillPrivacy(out: Int16Array, frame: number): boolean {
		if (frame >= PRIVACY_FRAMES) {
			this.#position = -1;
			this.#privacy = false;
			out.fill(0);
			return false;
		}
		if (frame === 0) this.#audio.toneInit(this.#tone, PRIVACY_HZ, SAMPLE_RATE, this.#amplitude);
		this.#audio.toneFill(this.#tone, this.#frame);
		const left = PRIVACY_FRAMES - frame;
		this.#gains[0] = left > 2 ? GAIN_UNITY : Math.round((GAIN_UNITY * left) / 3);
		this.#audio.mix(out, this.#sources, this.#gains);
		return true;
	}

	#fillClip(out: Int16Array, frame: number): boolean {
		const clip = this.#clip!;
		if (frame >= clip.length) {
			this.#position = -1;
			out.fill(0);
			return false;
		}
		out.set(clip[frame]);
		return true;
	}
}
