/*
 * Helpers for the RTP and media specs (portable: Node and XS): in-memory UDP sockets that can be
 * wired to each other, RTP packet building, audio ports in memory, and frequency measurement.
 */

import type { AudioIn, AudioOut, Datagram, UdpSocket } from "../../modules/ports.js";
import { TONE_STATE_WORDS, type NativeAudio } from "../../modules/native-audio.js";
import { writeRtpHeader } from "../../rtp/rtp-packet.js";

export interface Written {
	address: string;
	port: number;
	/** A copy of the bytes. */
	bytes: Uint8Array;
	/** The object passed to write (to check that it is reused). */
	data: ArrayBuffer | ArrayBufferView;
}

/** A UDP socket in memory. What is written is kept (or passed to a wired peer); `deliver` queues a datagram. */
export class MemoryUdp implements UdpSocket {
	readonly port: number;
	readonly address: string;
	readonly written: Written[] = [];
	/** Keep copies of what is written (off for long runs). */
	keep = true;
	writes = 0;
	onReadable: () => void = () => {};
	/** Where written datagrams go; a filter may drop or alter them. */
	peer: MemoryUdp | undefined;
	filter: ((bytes: Uint8Array, index: number) => boolean) | undefined;
	#queue: Datagram[] = [];

	constructor(port: number, address = "127.0.0.1") {
		this.port = port;
		this.address = address;
	}

	read(): Datagram | undefined {
		return this.#queue.shift();
	}

	write(data: ArrayBuffer | ArrayBufferView, address: string, port: number): void {
		const view = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
		const index = this.writes++;
		if (this.keep) this.written.push({ address, port, bytes: view.slice(), data });
		const peer = this.peer;
		if (peer && peer.port === port && peer.address === address && (!this.filter || this.filter(view, index))) peer.deliver(view, this.address, this.port);
	}

	close(): void {}

	deliver(bytes: Uint8Array, address: string, port: number): void {
		const packet = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as Datagram;
		packet.address = address;
		packet.port = port;
		this.#queue.push(packet);
		this.onReadable();
	}

	get queued(): number {
		return this.#queue.length;
	}
}

export interface PacketFields {
	marker?: boolean;
	payloadType?: number;
	sequence: number;
	timestamp: number;
	ssrc?: number;
	payload: Uint8Array;
}

/** An RTP packet with a plain 12-byte header. */
export function rtpPacket(fields: PacketFields): Uint8Array {
	const bytes = new Uint8Array(12 + fields.payload.length);
	writeRtpHeader(bytes, fields.marker ?? false, fields.payloadType ?? 0, fields.sequence & 0xffff, fields.timestamp >>> 0, fields.ssrc ?? 0x11223344);
	bytes.set(fields.payload, 12);
	return bytes;
}

/** A payload of `length` bytes, all `value`. */
export function filled(length: number, value: number): Uint8Array {
	return new Uint8Array(length).fill(value);
}

/** A microphone playing a tone (through the given NativeAudio's tone generator). */
export class ToneMic implements AudioIn {
	readonly sampleRate: number;
	reads = 0;
	targets: Int16Array[] = [];
	#audio: NativeAudio;
	#state = new Int32Array(TONE_STATE_WORDS);

	constructor(audio: NativeAudio, frequencyHz: number, sampleRate = 8000, amplitude = 10000) {
		this.#audio = audio;
		this.sampleRate = sampleRate;
		audio.toneInit(this.#state, frequencyHz, sampleRate, amplitude);
	}

	read(target: Int16Array): number {
		this.reads++;
		if (this.targets.indexOf(target) < 0) this.targets.push(target);
		this.#audio.toneFill(this.#state, target);
		return target.length;
	}

	close(): void {}
}

/** A speaker that keeps what it plays. */
export class RecordingSpeaker implements AudioOut {
	readonly sampleRate: number;
	readonly samples: number[] = [];
	frames = 0;
	keep = true;
	buffers: Int16Array[] = [];

	constructor(sampleRate = 8000) {
		this.sampleRate = sampleRate;
	}

	write(samples: Int16Array): void {
		this.frames++;
		if (this.buffers.indexOf(samples) < 0) this.buffers.push(samples);
		if (this.keep) for (let i = 0; i < samples.length; i++) this.samples.push(samples[i]);
	}

	close(): void {}
}

/** Frequency from rising zero crossings (with a little hysteresis), over the given samples. */
export function zeroCrossingFrequency(samples: ArrayLike<number>, sampleRate: number, from = 0, to = samples.length): number {
	let first = -1, last = -1, count = 0;
	let below = false;
	for (let i = from; i < to; i++) {
		const s = samples[i];
		if (s < -200) below = true;
		else if (below && s >= 0) {
			below = false;
			// Interpolated crossing between i-1 and i.
			const prev = samples[i - 1];
			const at = i - 1 + (prev === s ? 0 : -prev / (s - prev));
			if (first < 0) first = at;
			else count++;
			last = at;
		}
	}
	return count > 0 ? (count * sampleRate) / (last - first) : 0;
}

/** Goertzel power of `frequency` relative to the total power of the samples (0…1). */
export function toneShare(samples: ArrayLike<number>, sampleRate: number, frequency: number, from = 0, to = samples.length): number {
	const w = (2 * Math.PI * frequency) / sampleRate;
	const c = 2 * Math.cos(w);
	let s1 = 0, s2 = 0, energy = 0;
	for (let i = from; i < to; i++) {
		const s0 = samples[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
		energy += samples[i] * samples[i];
	}
	const power = s1 * s1 + s2 * s2 - c * s1 * s2;
	const n = to - from;
	return energy > 0 ? (2 * power) / (n * energy) : 0;
}

/** Root mean square of the samples. */
export function rms(samples: ArrayLike<number>, from = 0, to = samples.length): number {
	let sum = 0;
	for (let i = from; i < to; i++) sum += samples[i] * samples[i];
	return to > from ? Math.sqrt(sum / (to - from)) : 0;
}
