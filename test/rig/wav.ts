/** WAV files for the handsets' microphones (baresip's aufile wants 8 kHz mono s16). */

import { writeFileSync } from "node:fs";

/** Writes 16-bit mono PCM samples as a WAV file. */
export function writeWav(path: string, samples: Int16Array, rate = 8000): void {
	const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
	const header = Buffer.alloc(44);
	header.write("RIFF", 0, "ascii");
	header.writeUInt32LE(36 + data.length, 4);
	header.write("WAVE", 8, "ascii");
	header.write("fmt ", 12, "ascii");
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20);
	header.writeUInt16LE(1, 22);
	header.writeUInt32LE(rate, 24);
	header.writeUInt32LE(rate * 2, 28);
	header.writeUInt16LE(2, 32);
	header.writeUInt16LE(16, 34);
	header.write("data", 36, "ascii");
	header.writeUInt32LE(data.length, 40);
	writeFileSync(path, Buffer.concat([header, data]));
}

/** Silence (baresip ends a call when its aufile runs out: make it longer than the call). */
export function writeSilenceWav(path: string, seconds: number, rate = 8000): void {
	writeWav(path, new Int16Array(Math.round(seconds * rate)), rate);
}

/** A sine tone at `hz`, amplitude 0..1 of full scale. */
export function writeToneWav(path: string, hz: number, seconds: number, amplitude = 0.3, rate = 8000): void {
	const samples = new Int16Array(Math.round(seconds * rate));
	for (let i = 0; i < samples.length; i++) samples[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * amplitude * 32767);
	writeWav(path, samples, rate);
}
