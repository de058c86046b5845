/*
 * Microphone and speaker over ECMA-419 `embedded:io/audio/in` and `embedded:io/audio/out`
 * (16-bit linear PCM, mono). Pins and the I2S/PDM set-up come from the manifest's `audioIn`
 * and `audioOut` defines, which the SDK's drivers read at compile time.
 *
 * Both start on first use and stop after a second without use, so the I2S clocks run only
 * during calls. The SDK's drivers take byte buffers only, whole: an Int16Array is seen through
 * a Uint8Array over the same memory (no copy). Those views are made once, not per frame, so a
 * call's audio allocates nothing in steady state (a collection of the JS heap would hold the
 * audio up): the microphone keeps one over the frame it is read into, the speaker one over
 * each 20 ms slot of its ring. Only a read or write of another length (the microphone starting
 * delivers less than a frame) makes a view of its own. The input throws when asked for more
 * than it has, so the bytes it announced through onReadable are counted; a backlog beyond
 * MIC_BACKLOG_MS is dropped unread (and counted). The output throws
 * when it has no room, so samples wait in a fixed ring (up to `queueMs`) and go out from
 * onWritable; when the ring is full the oldest samples are dropped and counted.
 */

import AudioInput from "embedded:io/audio/in";
import AudioOutput from "embedded:io/audio/out";
import type { AudioIn, AudioOut, Clock, Logger, TimerId } from "../ports.js";

const IDLE_MS = 1000;

/**
 * The most the microphone may hold unread after a frame is read (ms). Its driver hands over
 * what it read from I2S in pieces of 32 or 64 ms, so up to about 64 ms wait between reads; more
 * is left by frames the media path skipped (its frame clock runs at most five missed frames
 * when the event loop was held up, and skips older ones) and would delay the door's voice, and
 * its echo, for the rest of the call: 200 ms after a stall of 300 ms, and the echo canceller
 * reaches back at most 256 ms for the speaker's and the microphone's delays together.
 */
const MIC_BACKLOG_MS = 100;

/** The media path's frame, and the speaker ring's slot: 20 ms. */
const SLOT_MS = 20;

/** A byte view of `count` samples from `at` (the SDK accepts byte-sized views only). */
function bytesOf(samples: Int16Array, at: number, count: number): Uint8Array {
	return new Uint8Array(samples.buffer, samples.byteOffset + at * 2, count * 2);
}

function closeQuietly(io: object | undefined): void {
	const close = (io as { close?: () => void } | undefined)?.close;
	if (typeof close === "function") {
		try {
			close.call(io);
		} catch {
			// already closed
		}
	}
}

export interface AudioOptions {
	sampleRate: number;
	clock: Clock;
	log: Logger;
}

export class DeviceMic implements AudioIn {
	readonly sampleRate: number;
	#input: AudioInput | undefined;
	#clock: Clock;
	#log: Logger;
	#running = false;
	#ready = 0;
	#lastUse = 0;
	#idle: TimerId | undefined;
	/** The frame read into last, and a byte view of all of it. */
	#frame: Int16Array | undefined;
	#frameBytes: Uint8Array | undefined;
	/** MIC_BACKLOG_MS in bytes. */
	#backlogBytes: number;
	/** Samples of a backlog dropped unread. */
	discarded = 0;

	constructor(options: AudioOptions) {
		this.#clock = options.clock;
		this.#log = options.log;
		this.#backlogBytes = Math.round((options.sampleRate * MIC_BACKLOG_MS) / 1000) * 2;
		this.#input = new AudioInput({
			sampleRate: options.sampleRate,
			bitsPerSample: 16,
			channels: 1,
			onReadable: (byteLength: number) => {
				this.#ready = byteLength;
			},
		});
		this.sampleRate = this.#input.sampleRate;
	}

	read(target: Int16Array): number {
		const input = this.#input;
		if (!input) return 0;
		this.#lastUse = this.#clock.now();
		if (!this.#running) {
			input.start();
			this.#running = true;
			this.#watchIdle();
			return 0;
		}
		const samples = Math.min(target.length, this.#ready >> 1);
		if (samples === 0) return 0;
		const bytes = samples === target.length ? this.#wholeFrame(target) : bytesOf(target, 0, samples);
		try {
			// A backlog beyond what the driver's pieces leave is dropped, oldest first, a frame at a
			// time (only a whole frame can find more than that ready).
			const before = this.discarded;
			while (this.#ready - bytes.length > this.#backlogBytes) {
				input.read(bytes);
				this.#ready -= bytes.length;
				this.discarded += samples;
			}
			if (this.discarded > before) this.#log.warn(`mic: ${Math.round(((this.discarded - before) * 1000) / this.sampleRate)} ms of backlog dropped (reads were held up)`);
			input.read(bytes);
		} catch (error) {
			this.#log.warn(`mic: read failed (${(error as Error)?.message ?? error})`);
			this.#ready = 0;
			return 0;
		}
		this.#ready -= samples * 2;
		return samples;
	}

	/** A byte view of all of `frame`, made when the frame read into changes. */
	#wholeFrame(frame: Int16Array): Uint8Array {
		if (this.#frame !== frame || !this.#frameBytes) {
			this.#frame = frame;
			this.#frameBytes = bytesOf(frame, 0, frame.length);
		}
		return this.#frameBytes;
	}

	#watchIdle(): void {
		this.#idle = this.#clock.setInterval(() => {
			if (this.#clock.now() - this.#lastUse < IDLE_MS) return;
			this.#clock.clearInterval(this.#idle);
			this.#idle = undefined;
			this.#input?.stop();
			this.#running = false;
			this.#ready = 0;
		}, IDLE_MS);
	}

	close(): void {
		if (this.#idle !== undefined) this.#clock.clearInterval(this.#idle);
		this.#idle = undefined;
		closeQuietly(this.#input);
		this.#input = undefined;
	}
}

export interface SpeakerOptions extends AudioOptions {
	/** How much audio may wait for the I2S buffers, in ms (rounded to whole 20 ms slots, at least one). */
	queueMs: number;
}

export class DeviceSpeaker implements AudioOut {
	readonly sampleRate: number;
	/** Samples dropped because the queue was full. */
	dropped = 0;
	#output: AudioOutput | undefined;
	#failed = false;
	#closed = false;
	#clock: Clock;
	#log: Logger;
	#ring: Int16Array;
	/** Samples per 20 ms slot of the ring, and a byte view of each slot. */
	#slot: number;
	#slotBytes: Uint8Array[] = [];
	#head = 0;
	#count = 0;
	#writable = 0;
	#running = false;
	#lastUse = 0;
	#idle: TimerId | undefined;

	/**
	 * The I2S output is opened a moment later (or at the first write): the microphone's driver
	 * claims I2S0 from its own task, and the output, which takes any free unit, must not get there
	 * first.
	 */
	constructor(options: SpeakerOptions) {
		this.#clock = options.clock;
		this.#log = options.log;
		this.sampleRate = options.sampleRate;
		this.#slot = Math.round((this.sampleRate * SLOT_MS) / 1000);
		const slots = Math.max(1, Math.round(options.queueMs / SLOT_MS));
		this.#ring = new Int16Array(slots * this.#slot);
		for (let i = 0; i < slots; i++) this.#slotBytes.push(bytesOf(this.#ring, i * this.#slot, this.#slot));
		this.#clock.setTimeout(() => this.#open(), 200);
	}

	#open(): AudioOutput | undefined {
		if (this.#output || this.#failed || this.#closed) return this.#output;
		try {
			this.#output = new AudioOutput({
				sampleRate: this.sampleRate,
				bitsPerSample: 16,
				channels: 1,
				onWritable: (byteLength: number) => {
					this.#writable = byteLength;
					this.#drain();
				},
			});
		} catch (error) {
			this.#failed = true;
			this.#log.warn(`speaker: not available (${(error as Error)?.message ?? error})`);
		}
		return this.#output;
	}

	write(samples: Int16Array): void {
		const output = this.#open();
		if (!output) return;
		this.#lastUse = this.#clock.now();
		this.#enqueue(samples);
		if (!this.#running) {
			output.start();
			this.#running = true;
			this.#watchIdle();
		}
		this.#drain();
	}

	#enqueue(samples: Int16Array): void {
		const ring = this.#ring;
		let from = 0;
		let length = samples.length;
		if (length > ring.length) {
			this.dropped += length - ring.length;
			from = length - ring.length;
			length = ring.length;
		}
		const overflow = this.#count + length - ring.length;
		if (overflow > 0) {
			this.#head = (this.#head + overflow) % ring.length;
			this.#count -= overflow;
			this.dropped += overflow;
		}
		const tail = (this.#head + this.#count) % ring.length;
		const first = Math.min(length, ring.length - tail);
		// A frame of the media path fits its slot whole: no subarray.
		if (from === 0 && first === length) ring.set(samples, tail);
		else {
			ring.set(samples.subarray(from, from + first), tail);
			if (first < length) ring.set(samples.subarray(from + first, from + length), 0);
		}
		this.#count += length;
	}

	#drain(): void {
		const output = this.#output;
		if (!output || !this.#running) return;
		const ring = this.#ring;
		const slot = this.#slot;
		while (this.#count > 0 && this.#writable >= 2) {
			// At most to the end of the slot, so that a whole slot goes out through its own view.
			const n = Math.min(this.#count, slot - (this.#head % slot), this.#writable >> 1);
			try {
				output.write(n === slot ? this.#slotBytes[this.#head / slot] : bytesOf(ring, this.#head, n));
			} catch {
				this.#writable = 0; // wait for the next onWritable
				return;
			}
			this.#head = (this.#head + n) % ring.length;
			this.#count -= n;
			this.#writable -= n * 2;
		}
	}

	#watchIdle(): void {
		this.#idle = this.#clock.setInterval(() => {
			if (this.#clock.now() - this.#lastUse < IDLE_MS || this.#count > 0) return;
			this.#clock.clearInterval(this.#idle);
			this.#idle = undefined;
			this.#output?.stop();
			this.#running = false;
		}, IDLE_MS);
	}

	close(): void {
		this.#closed = true;
		if (this.#idle !== undefined) this.#clock.clearInterval(this.#idle);
		this.#idle = undefined;
		closeQuietly(this.#output);
		this.#output = undefined;
	}
}

/** Opens the microphone, or says why not and returns undefined (the doorbell rings without it). */
export function openMic(options: AudioOptions): AudioIn | undefined {
	try {
		return new DeviceMic(options);
	} catch (error) {
		options.log.warn(`mic: not available (${(error as Error)?.message ?? error})`);
		return undefined;
	}
}

/** The speaker; its I2S output opens shortly after (a failure is logged then). */
export function openSpeaker(options: SpeakerOptions): AudioOut | undefined {
	try {
		return new DeviceSpeaker(options);
	} catch (error) {
		options.log.warn(`speaker: not available (${(error as Error)?.message ?? error})`);
		return undefined;
	}
}
