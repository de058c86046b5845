/*
 * A model of the Moddable SDK's `embedded:io/audio/in` for the ESP32 (modules/io/audioin/esp32/
 * audioin.c), as far as modules/device/audio.ts relies on it, for the XS test host
 * (KLINGEL_XS_EMBEDDED). Like the SDK: read(buffer) fills a whole byte buffer (an ArrayBuffer,
 * a typed array of one-byte elements or a DataView; anything else is a TypeError, "invalid
 * buffer", as _xsmcGetBuffer throws) and returns its length; it throws "invalid size" when the
 * buffer is larger than what is ready, and returns undefined when nothing is. onReadable is
 * called with all that is ready. The test plays the I2S side: deliver(samples) appends what
 * the driver read. Nothing here allocates after the constructor, so the test's heap figures
 * are the device code's.
 */

const RING_BYTES = 1 << 20;

export default class AudioIn {
	/** The last one made (the test drives it). */
	static last = undefined;
	#ring = new Uint8Array(RING_BYTES);
	#read = 0;
	#written = 0;
	#onReadable;
	sampleRate;
	bitsPerSample;
	channels;
	running = false;
	closed = false;
	/** read() calls and the bytes they took. */
	reads = 0;
	bytesRead = 0;

	constructor(options) {
		this.sampleRate = options.sampleRate ?? 16000;
		this.bitsPerSample = options.bitsPerSample ?? 16;
		this.channels = options.channels ?? 1;
		this.#onReadable = options.onReadable;
		AudioIn.last = this;
	}

	start() {
		this.running = true;
	}

	stop() {
		this.running = false;
		this.#read = this.#written; // the SDK's ring starts empty again
	}

	close() {
		this.closed = true;
		this.running = false;
	}

	/** The driver read these samples from I2S (only while running, as the SDK's task reads). */
	deliver(samples) {
		if (!this.running) return;
		for (let i = 0; i < samples.length; i++) {
			const v = samples[i];
			this.#ring[this.#written++ % RING_BYTES] = v & 0xff;
			this.#ring[this.#written++ % RING_BYTES] = (v >> 8) & 0xff;
		}
		this.#onReadable?.call(this, this.#written - this.#read);
	}

	read(buffer) {
		const available = this.#written - this.#read;
		if (available === 0) return undefined;
		// (an ArrayBuffer is valid for the SDK, but the model would need a view of it; and XS's
		// typeof allocates a string, which the heap figures would count)
		if (!ArrayBuffer.isView(buffer)) throw new Error("the model reads into a view only");
		if (!(buffer instanceof DataView) && buffer.BYTES_PER_ELEMENT !== 1) throw new TypeError("invalid buffer");
		const requested = buffer.byteLength;
		if (requested <= 0 || requested > available) throw new Error("invalid size");
		for (let i = 0; i < requested; i++) {
			const byte = this.#ring[this.#read++ % RING_BYTES];
			if (buffer instanceof DataView) buffer.setUint8(i, byte);
			else buffer[i] = byte;
		}
		this.reads++;
		this.bytesRead += requested;
		return requested;
	}
}
