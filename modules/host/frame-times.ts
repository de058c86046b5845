/*
 * When audio went through the simulator's ports, for measuring latency from outside
 * (`--audio-times FILE`, tests and benchmarks only): every microphone read and speaker write
 * notes the time and how many samples came before it, in tables made once. The times are the
 * machine's monotonic clock in ms (CLOCK_MONOTONIC on Linux, as process.hrtime), the same in
 * every process, so another process's timestamps compare with them directly.
 */

import { writeFileSync } from "node:fs";

/**
 * The monotonic clock in ms, comparable between processes of this machine. (performance.now()
 * is not: its origin differs between processes, and deriving one from hrtime is off by a
 * millisecond or more.)
 */
export function monotonicMs(): number {
	return Number(process.hrtime.bigint()) / 1e6;
}

/** One port's frames: the time of each and the samples before it; the first `capacity` are kept. */
export class FrameTimes {
	readonly sampleRate: number;
	readonly times: Float64Array;
	readonly offsets: Float64Array;
	count = 0;
	#samples = 0;

	/** Default capacity: an hour of 20 ms frames. */
	constructor(sampleRate: number, capacity = 180_000) {
		this.sampleRate = sampleRate;
		this.times = new Float64Array(capacity);
		this.offsets = new Float64Array(capacity);
	}

	/** A frame of `samples` samples goes through the port now. */
	note(samples: number): void {
		const i = this.count;
		if (i < this.times.length) {
			this.times[i] = monotonicMs();
			this.offsets[i] = this.#samples;
			this.count = i + 1;
		}
		this.#samples += samples;
	}

	toJSON(): { rate: number; frames: Array<[number, number]> } {
		const frames: Array<[number, number]> = [];
		for (let i = 0; i < this.count; i++) frames.push([this.times[i], this.offsets[i]]);
		return { rate: this.sampleRate, frames };
	}
}

/** Writes the microphone's and the speaker's frame times to `path` as JSON. */
export function writeFrameTimes(path: string, ports: { mic?: FrameTimes; speaker?: FrameTimes }): void {
	writeFileSync(path, JSON.stringify(ports));
}
