/*
 * The simulator's audio ports. Microphone (`--mic`): a 16-bit mono WAV file of 8 or 16 kHz,
 * played in a loop, or `tone:HZ`, a 16 kHz sine from the native tone generator (up to 7 kHz: a
 * G.722 call carries it, a G.711 call's low-pass removes what lies above 3.4 kHz). Speaker
 * (`--speaker FILE`): a WAV recording of everything the doorbell plays, at 16 kHz as the door's
 * speaker: a G.722 call as decoded, a G.711 call upsampled from 8 kHz; its header is finished at
 * the end of each call (`finish`) and when it is closed. Each port can note when its frames went
 * through (`times`, set by `--audio-times`; nothing is noted when it is unset).
 */

import type { AudioIn, AudioOut } from "../ports.js";
import { TONE_STATE_WORDS, type NativeAudio } from "../native-audio.js";
import { readWav, WavError, WavWriter } from "./wav.js";
import type { FrameTimes } from "./frame-times.js";

/** A WAV file as the microphone, from the start again when it ends. */
export class WavMic implements AudioIn {
	readonly sampleRate: number;
	readonly samples: Int16Array;
	times: FrameTimes | undefined;
	#at = 0;

	constructor(samples: Int16Array, sampleRate: number) {
		this.samples = samples;
		this.sampleRate = sampleRate;
	}

	read(target: Int16Array): number {
		const source = this.samples;
		let filled = 0;
		while (filled < target.length) {
			const n = Math.min(target.length - filled, source.length - this.#at);
			target.set(source.subarray(this.#at, this.#at + n), filled);
			filled += n;
			this.#at += n;
			if (this.#at === source.length) this.#at = 0;
		}
		this.times?.note(filled);
		return filled;
	}

	close(): void {}
}

/** A sine tone as the microphone. */
export class ToneMic implements AudioIn {
	readonly sampleRate: number;
	readonly frequency: number;
	times: FrameTimes | undefined;
	#audio: NativeAudio;
	#state = new Int32Array(TONE_STATE_WORDS);

	constructor(audio: NativeAudio, frequency: number, sampleRate = 8000, amplitude = 10000) {
		this.#audio = audio;
		this.frequency = frequency;
		this.sampleRate = sampleRate;
		audio.toneInit(this.#state, frequency, sampleRate, amplitude);
	}

	read(target: Int16Array): number {
		this.#audio.toneFill(this.#state, target);
		this.times?.note(target.length);
		return target.length;
	}

	close(): void {}
}

/** The speaker as a WAV recording. */
export class WavSpeaker implements AudioOut {
	readonly sampleRate: number;
	readonly writer: WavWriter;
	times: FrameTimes | undefined;

	constructor(path: string, sampleRate = 16000) {
		this.sampleRate = sampleRate;
		this.writer = new WavWriter(path, sampleRate);
	}

	write(samples: Int16Array): void {
		this.times?.note(samples.length);
		this.writer.write(samples);
	}

	/** Makes the file valid up to here (the end of a call). */
	finish(): void {
		this.writer.finish();
	}

	close(): void {
		this.writer.close();
	}
}

/** `--mic FILE|tone:HZ`. Throws WavError (or Error for a bad tone) with the reason. */
export function openMic(spec: string, audio: NativeAudio): WavMic | ToneMic {
	const tone = /^tone:(.*)$/.exec(spec);
	if (tone) {
		const hz = Number(tone[1]);
		if (!/^\d+(\.\d+)?$/.test(tone[1]) || hz < 20 || hz > 7000) throw new Error(`--mic tone:HZ needs a frequency from 20 to 7000 Hz, not "${tone[1]}"`);
		return new ToneMic(audio, hz, 16000);
	}
	const wav = readWav(spec);
	return new WavMic(wav.samples, wav.sampleRate);
}

/** `--speaker FILE`. */
export function openSpeaker(path: string): WavSpeaker {
	return new WavSpeaker(path);
}

export { WavError };
