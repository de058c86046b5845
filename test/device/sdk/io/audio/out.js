/*
 * A model of the Moddable SDK's `embedded:io/audio/out` for the ESP32 (modules/io/audioout/
 * esp32/audioout-esp32.c), as far as modules/device/audio.ts relies on it, for the XS test host
 * (KLINGEL_XS_EMBEDDED). Like the SDK: write(buffer) takes a whole byte buffer (a typed array of
 * one-byte elements or a DataView; another typed array is a TypeError, "invalid buffer") and
 * throws "insufficient space" beyond what is writable; writes gather in a staging buffer, and
 * each full DMA buffer (DMA_BYTES: manifest.json's I2S_DMA_BUFFER_MAX_SIZE) is queued. Five of
 * them are writable at start (the SDK's six descriptors less one). The test plays the I2S side:
 * play() sends the next DMA buffer to the speaker (silence when none is queued, as the driver's
 * auto_clear does) and frees its room, and service() delivers onWritable as the SDK's message
 * to the machine does, with what is writable. Nothing here allocates after the constructor.
 */

const DMA_BYTES = 640;
const DMA_BUFFERS = 5;
const QUEUE_BYTES = DMA_BYTES * 64;
const PLAYED_SAMPLES = 1 << 20;

export default class AudioOut {
	static last = undefined;
	static DMA_BYTES = DMA_BYTES;
	#queue = new Uint8Array(QUEUE_BYTES);
	#queued = 0;
	#queueAt = 0;
	#staging = 0;
	#writable = 0;
	#pending = false;
	#onWritable;
	sampleRate;
	bitsPerSample;
	channels;
	running = false;
	closed = false;
	/** What the speaker played, sample by sample, and the DMA buffers it played as silence. */
	played = new Int16Array(PLAYED_SAMPLES);
	playedCount = 0;
	underruns = 0;
	writes = 0;

	constructor(options) {
		this.sampleRate = options.sampleRate ?? 16000;
		this.bitsPerSample = options.bitsPerSample ?? 16;
		this.channels = options.channels ?? 1;
		this.#onWritable = options.onWritable;
		AudioOut.last = this;
	}

	start() {
		if (this.running) return;
		this.running = true;
		this.#writable = DMA_BYTES * DMA_BUFFERS;
		this.#pending = true;
	}

	stop() {
		this.running = false;
		this.#writable = DMA_BYTES * DMA_BUFFERS;
		this.#staging = 0;
		this.#queued = 0;
	}

	close() {
		this.closed = true;
		this.running = false;
	}

	write(buffer) {
		if (!ArrayBuffer.isView(buffer)) throw new Error("the model writes from a view only");
		if (!(buffer instanceof DataView) && buffer.BYTES_PER_ELEMENT !== 1) throw new TypeError("invalid buffer");
		const requested = buffer.byteLength;
		if (requested > this.#writable - this.#staging) throw new Error("insufficient space");
		if (requested & 1) throw new Error("full samples only");
		for (let i = 0; i < requested; i++) {
			this.#queue[(this.#queueAt + this.#queued + this.#staging) % QUEUE_BYTES] = buffer instanceof DataView ? buffer.getUint8(i) : buffer[i];
			if (++this.#staging === DMA_BYTES) {
				this.#queued += DMA_BYTES;
				this.#writable -= DMA_BYTES;
				this.#staging = 0;
			}
		}
		this.writes++;
	}

	/** One DMA buffer's time: the next queued buffer (or silence) goes to the speaker. */
	play() {
		if (!this.running) return;
		const samples = DMA_BYTES >> 1;
		for (let i = 0; i < samples; i++) {
			let v = 0;
			if (this.#queued > 0) {
				const at = this.#queueAt;
				v = this.#queue[at % QUEUE_BYTES] | (this.#queue[(at + 1) % QUEUE_BYTES] << 8);
				if (v >= 0x8000) v -= 0x10000;
				this.#queueAt = (at + 2) % QUEUE_BYTES;
			}
			if (this.playedCount < PLAYED_SAMPLES) this.played[this.playedCount++] = v;
		}
		if (this.#queued > 0) this.#queued -= DMA_BYTES;
		else this.underruns++;
		this.#writable = Math.min(DMA_BYTES * DMA_BUFFERS, this.#writable + DMA_BYTES);
		this.#pending = true;
	}

	/** The message to the machine: onWritable with what may be written, if it was posted. */
	service() {
		if (!this.#pending) return;
		this.#pending = false;
		if (this.#writable) this.#onWritable?.call(this, this.#writable - this.#staging);
	}
}
