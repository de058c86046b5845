/* ECMA-419 audio input and output, 8- or 16-bit linear PCM (Moddable: modules/io/audioin, modules/io/audioout). */
declare module "embedded:io/audio/in" {
	export interface AudioInOptions {
		sampleRate?: number;
		bitsPerSample?: 8 | 16;
		channels?: 1 | 2;
		audioType?: "LPCM";
		format?: "buffer";
		/** Called with the number of bytes ready to read. */
		onReadable?: (this: AudioIn, byteLength: number) => void;
		target?: unknown;
	}

	export default class AudioIn {
		constructor(options: AudioInOptions);
		/** Starts capturing. */
		start(): void;
		stop(): void;
		/** Fills the whole buffer (bytes) and returns its length; throws when fewer bytes are ready. */
		read(buffer: ArrayBuffer | Uint8Array | DataView): number;
		/** A new ArrayBuffer with `byteLength` bytes (all that are ready when absent), or undefined when none are. */
		read(byteLength?: number): ArrayBuffer | undefined;
		close(): void;
		readonly sampleRate: number;
		readonly bitsPerSample: number;
		readonly channels: number;
		format: "buffer";
	}
}

declare module "embedded:io/audio/out" {
	export interface AudioOutOptions {
		sampleRate?: number;
		bitsPerSample?: 8 | 16;
		channels?: 1 | 2;
		audioType?: "LPCM";
		format?: "buffer";
		/** Called with the number of bytes that may be written now. */
		onWritable?: (this: AudioOut, byteLength: number) => void;
		target?: unknown;
	}

	export default class AudioOut {
		constructor(options: AudioOutOptions);
		start(): void;
		stop(): void;
		/** Queues whole samples; throws when there is not enough room. */
		write(buffer: ArrayBuffer | Uint8Array | DataView): void;
		close(): void;
		readonly sampleRate: number;
		readonly bitsPerSample: number;
		readonly channels: number;
		volume: number;
		format: "buffer";
	}
}
