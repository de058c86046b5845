/*
 * Short tones for the caller to hear (a confirm beep, a reject tone), queued and played into the
 * outgoing call audio a frame at a time with the native tone generator. A frequency of 0 is a
 * pause. The queue is made once; adding to a full queue is refused.
 */

import { TONE_STATE_WORDS, type NativeAudio } from "../modules/native-audio.js";

const SAMPLE_RATE = 8000;

export class ToneQueue {
	readonly capacity: number;
	#audio: NativeAudio;
	#amplitude: number;
	#frequency: Float64Array;
	#samples: Int32Array;
	#head = 0;
	#length = 0;
	/** Samples left of the tone at the head; -1 before it started. */
	#left = -1;
	#state = new Int32Array(TONE_STATE_WORDS);

	constructor(audio: NativeAudio, capacity = 8, amplitude = 8000) {
		this.#audio = audio;
		this.capacity = capacity;
		this.#amplitude = amplitude;
		this.#frequency = new Float64Array(capacity);
		this.#samples = new Int32Array(capacity);
	}

	get playing(): boolean {
		return this.#length > 0;
	}

	/** Queues a tone of `frequencyHz` (0: a pause) for `ms`. False when the queue is full. */
	add(frequencyHz: number, ms: number): boolean {
		if (this.#length === this.capacity || !(ms > 0) || !(frequencyHz >= 0 && frequencyHz < SAMPLE_RATE / 2)) return false;
		const at = (this.#head + this.#length) % this.capacity;
		this.#frequency[at] = frequencyHz;
		this.#samples[at] = Math.round((ms * SAMPLE_RATE) / 1000);
		this.#length++;
		return true;
	}

	clear(): void {
		this.#length = 0;
		this.#left = -1;
	}

	/** Writes the next frame of tones into `out` (silence where none); false when nothing played. */
	fill(out: Int16Array): boolean {
		if (this.#length === 0) {
			out.fill(0);
			return false;
		}
		let at = 0;
		while (at < out.length && this.#length > 0) {
			const slot = this.#head;
			if (this.#left < 0) {
				this.#left = this.#samples[slot];
				if (this.#frequency[slot] > 0) this.#audio.toneInit(this.#state, this.#frequency[slot], SAMPLE_RATE, this.#amplitude);
			}
			const n = Math.min(this.#left, out.length - at);
			if (this.#frequency[slot] > 0) {
				if (at === 0 && n === out.length) this.#audio.toneFill(this.#state, out);
				else this.#audio.toneFill(this.#state, out.subarray(at, at + n));
			} else {
				out.fill(0, at, at + n);
			}
			at += n;
			this.#left -= n;
			if (this.#left === 0) {
				this.#left = -1;
				this.#head = (this.#head + 1) % this.capacity;
				this.#length--;
			}
		}
		if (at < out.length) out.fill(0, at);
		return true;
	}
}
