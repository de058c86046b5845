/*
 * WAV files (RIFF, PCM): reading a 16-bit mono file of 8 or 16 kHz for the simulator's
 * microphone, and writing one for its speaker. A file that is not of that kind gets an error
 * that says what it is instead.
 */

import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

export class WavError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "WavError";
	}
}

export interface Wav {
	sampleRate: number;
	samples: Int16Array;
}

function tag(bytes: Uint8Array, at: number): string {
	return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** Parses a WAV file's bytes; `name` is for the messages. */
export function parseWav(bytes: Uint8Array, name = "the WAV file"): Wav {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (bytes.length < 12 || tag(bytes, 0) !== "RIFF" || tag(bytes, 8) !== "WAVE") throw new WavError(`${name} is not a WAV file (no RIFF/WAVE header)`);
	let format: { code: number; channels: number; rate: number; bits: number } | undefined;
	let at = 12;
	while (at + 8 <= bytes.length) {
		const id = tag(bytes, at);
		const size = view.getUint32(at + 4, true);
		const body = at + 8;
		if (id === "fmt ") {
			if (size < 16 || body + 16 > bytes.length) throw new WavError(`${name}: fmt chunk too short`);
			format = { code: view.getUint16(body, true), channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
			// WAVE_FORMAT_EXTENSIBLE carries the real format in its sub-format GUID.
			if (format.code === 0xfffe && size >= 40 && body + 26 <= bytes.length) format.code = view.getUint16(body + 24, true);
		} else if (id === "data") {
			if (!format) throw new WavError(`${name}: data before the fmt chunk`);
			if (format.code !== 1) throw new WavError(`${name}: format ${format.code} is not PCM; save it as 16-bit PCM`);
			if (format.channels !== 1) throw new WavError(`${name}: ${format.channels} channels; mono is needed`);
			if (format.bits !== 16) throw new WavError(`${name}: ${format.bits}-bit samples; 16-bit are needed`);
			if (format.rate !== 8000 && format.rate !== 16000) throw new WavError(`${name}: ${format.rate} Hz; 8000 or 16000 Hz are needed`);
			const length = Math.min(size, bytes.length - body) >> 1;
			if (length === 0) throw new WavError(`${name}: no samples`);
			const samples = new Int16Array(length);
			for (let i = 0; i < length; i++) samples[i] = view.getInt16(body + 2 * i, true);
			return { sampleRate: format.rate, samples };
		}
		at = body + size + (size & 1);
	}
	throw new WavError(`${name}: no ${format ? "data" : "fmt"} chunk`);
}

export function readWav(path: string): Wav {
	let bytes: Uint8Array;
	try {
		bytes = readFileSync(path);
	} catch (error) {
		throw new WavError(`cannot read ${path}: ${(error as Error).message}`);
	}
	return parseWav(bytes, path);
}

/** The 44-byte header of a 16-bit mono PCM file with `dataBytes` of samples. */
export function wavHeader(sampleRate: number, dataBytes: number): Uint8Array {
	const header = new Uint8Array(44);
	const view = new DataView(header.buffer);
	const ascii = (at: number, text: string) => {
		for (let i = 0; i < 4; i++) header[at + i] = text.charCodeAt(i);
	};
	ascii(0, "RIFF");
	view.setUint32(4, 36 + dataBytes, true);
	ascii(8, "WAVE");
	ascii(12, "fmt ");
	view.setUint32(16, 16, true);
	view.setUint16(20, 1, true);
	view.setUint16(22, 1, true);
	view.setUint32(24, sampleRate, true);
	view.setUint32(28, sampleRate * 2, true);
	view.setUint16(32, 2, true);
	view.setUint16(34, 16, true);
	ascii(36, "data");
	view.setUint32(40, dataBytes, true);
	return header;
}

/**
 * Writes samples to a WAV file as they come. The header is brought up to date by `finish`
 * (at the end of a call, at exit), so the file is valid from then on even if more follows.
 */
export class WavWriter {
	readonly path: string;
	readonly sampleRate: number;
	#fd: number | undefined;
	#bytes = 0;
	#written = 0;

	constructor(path: string, sampleRate: number) {
		this.path = path;
		this.sampleRate = sampleRate;
		try {
			this.#fd = openSync(path, "w");
		} catch (error) {
			throw new WavError(`cannot write ${path}: ${(error as Error).message}`);
		}
		writeSync(this.#fd, wavHeader(sampleRate, 0), 0, 44, 0);
	}

	/** Samples written so far. */
	get samples(): number {
		return this.#bytes / 2;
	}

	write(samples: Int16Array): void {
		if (this.#fd === undefined) return;
		const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
		// WAV is little-endian, as every machine this runs on.
		writeSync(this.#fd, bytes, 0, bytes.length, 44 + this.#bytes);
		this.#bytes += bytes.length;
	}

	/** Brings the header up to the samples written. */
	finish(): void {
		if (this.#fd === undefined || this.#written === this.#bytes) return;
		writeSync(this.#fd, wavHeader(this.sampleRate, this.#bytes), 0, 44, 0);
		this.#written = this.#bytes;
	}

	close(): void {
		if (this.#fd === undefined) return;
		this.finish();
		closeSync(this.#fd);
		this.#fd = undefined;
	}
}
