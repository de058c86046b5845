/*
 * Echo control at the door: the native echo canceller between the speaker and the microphone,
 * which sit a few centimetres apart in one box. Every frame written to the speaker is the
 * reference for the microphone frame read next; the canceller (modules/native-audio.ts,
 * rtp/native/aec.c) removes its echo from the microphone frame in place. Both run at the
 * microphone's rate, 16 kHz, so it is used when both run at 16 kHz. The canceller (its state,
 * about 48 KB of native memory outside the JS heap) and the reference frame are made once, by the
 * constructor; close() at the call's end frees the state.
 */

import { AEC_COUNT_BLOCKS, AEC_COUNT_DELAY, AEC_COUNT_PASSED, AEC_COUNT_RESTARTS, type EchoCanceller, type NativeAudio } from "../modules/native-audio.js";

export class EchoControl {
	#canceller?: EchoCanceller; // undefined once closed
	#reference: Int16Array;
	#fresh = false;
	/** Microphone frames that had no speaker frame since the last (silence was the reference). */
	missedReference = 0;
	/**
	 * The canceller's counts as of the last tally(): its blocks, those whose microphone it passed
	 * (its filter added to it), its filter's restarts, and the samples (at sampleRate) it holds the
	 * reference back by, where it found the echo to begin beyond its tail.
	 */
	blocks = 0;
	passedBlocks = 0;
	restarts = 0;
	delaySamples = 0;
	readonly sampleRate: number;

	constructor(audio: NativeAudio, sampleRate: number, frameSamples: number) {
		this.sampleRate = sampleRate;
		this.#canceller = audio.echoCanceller(sampleRate, 0);
		this.#reference = new Int16Array(frameSamples);
	}

	/** The frame just written to the speaker (frameSamples long). */
	played(frame: Int16Array): void {
		this.#reference.set(frame);
		this.#fresh = true;
	}

	/** Removes the speaker's echo from a microphone frame (frameSamples long), in place; once closed, leaves it as it is. */
	cancel(mic: Int16Array): void {
		const canceller = this.#canceller;
		if (!canceller) return;
		if (!this.#fresh) {
			this.#reference.fill(0);
			this.missedReference++;
		}
		this.#fresh = false;
		canceller.process(this.#reference, mic, mic);
	}

	/** Brings blocks, passedBlocks, restarts and delaySamples up to date (for the status; not needed per frame). */
	tally(): void {
		const canceller = this.#canceller;
		if (!canceller) return;
		this.blocks = canceller.count(AEC_COUNT_BLOCKS);
		this.passedBlocks = canceller.count(AEC_COUNT_PASSED);
		this.restarts = canceller.count(AEC_COUNT_RESTARTS);
		this.delaySamples = canceller.count(AEC_COUNT_DELAY);
	}

	/** Frees the canceller's state (the call ended), its counts tallied first. */
	close(): void {
		this.tally();
		this.#canceller?.close();
		this.#canceller = undefined;
	}
}
