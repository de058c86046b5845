/*
 * Echo control at the door: the native echo canceller between the speaker and the microphone,
 * which sit a few centimetres apart in one box. Every frame written to the speaker is the
 * reference for the microphone frame read next; the canceller (modules/native-audio.ts,
 * rtp/native/aec.c) removes its echo from the microphone frame in place. Both run at the
 * microphone's rate, 16 kHz, so it is used when both run at 16 kHz. The speaker and the
 * microphone run on clocks of their own (the media session's playout and frame clocks): after
 * the event loop was held up each runs its missed frames at once, so several frames may be
 * played before the microphone frames they are for are read. The references wait in a ring, in
 * order, each for one microphone frame. More waiting than a burst leaves means the microphone
 * was not read for a while (the call on hold, not sending): then only the newest counts, so the
 * pairs line up again. Its state and the ring are made once, by the constructor.
 */

/** References kept: more than a frame clock's burst, so none is lost between two reads. */
const REFERENCE_FRAMES = 8;
/** A frame clock's longest burst (MediaSession's maxBurst default): more waiting is stale. */
const BURST_FRAMES = 5;

import type { NativeAudio } from "../modules/native-audio.js";

export class EchoControl {
	#audio: NativeAudio;
	#state: Int32Array;
	#ring: Int16Array[] = [];
	#silence: Int16Array;
	#first = 0;
	#count = 0;
	/** Microphone frames that had no speaker frame since the last (silence was the reference). */
	missedReference = 0;
	/** Speaker frames no microphone frame was read for (the oldest went when the ring was full). */
	droppedReference = 0;

	constructor(audio: NativeAudio, sampleRate: number, frameSamples: number) {
		this.#audio = audio;
		this.#state = new Int32Array(audio.aecStateWords());
		audio.aecInit(this.#state, sampleRate, 0);
		for (let i = 0; i < REFERENCE_FRAMES; i++) this.#ring.push(new Int16Array(frameSamples));
		this.#silence = new Int16Array(frameSamples);
	}

	/** The frame just written to the speaker (frameSamples long). */
	played(frame: Int16Array): void {
		if (this.#count === REFERENCE_FRAMES) {
			this.#first = (this.#first + 1) % REFERENCE_FRAMES;
			this.#count--;
			this.droppedReference++;
		}
		this.#ring[(this.#first + this.#count) % REFERENCE_FRAMES].set(frame);
		this.#count++;
	}

	/** Removes the speaker's echo from a microphone frame (frameSamples long), in place. */
	cancel(mic: Int16Array): void {
		let reference = this.#silence;
		if (this.#count > BURST_FRAMES) {
			this.droppedReference += this.#count - 1;
			this.#first = (this.#first + this.#count - 1) % REFERENCE_FRAMES;
			this.#count = 1;
		}
		if (this.#count === 0) this.missedReference++;
		else {
			reference = this.#ring[this.#first];
			this.#first = (this.#first + 1) % REFERENCE_FRAMES;
			this.#count--;
		}
		this.#audio.aecProcess(this.#state, reference, mic, mic);
	}
}
