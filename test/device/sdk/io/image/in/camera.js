/*
 * A model of the Moddable SDK's `embedded:io/image/in/camera` for the ESP32 (SDK 8.2.3,
 * modules/io/imagein/camera/esp32/camera.c), as far as modules/device/camera.js relies on it,
 * for the XS test host (KLINGEL_XS_EMBEDDED). Like the SDK: start() makes its task capture;
 * each frame captured is announced through onReadable and taken with read(), a buffer whose
 * close() hands it back (the driver holds a few). Unlike the SDK, which hangs or goes on, the
 * model throws where the driver fails: its task reads the stop and close notifications only
 * while idle, so stop() while it captures leaves it capturing, and close() (its destructor)
 * then waits for ever on the XS thread. The test plays the sensor: capture() makes a frame.
 */

const BUFFERS = 3;

export default class Camera {
	/** The ones made (the test drives them). */
	static made = [];
	#onReadable;
	#held = 0;
	#next = undefined;
	running = false;
	width;
	height;

	constructor(options) {
		this.width = options.width;
		this.height = options.height;
		this.#onReadable = options.onReadable;
		Camera.made.push(this);
	}

	start() {
		this.running = true;
	}

	stop() {
		if (this.running) throw new Error("stop() while capturing: the SDK's task reads no stop while it captures, and goes on");
	}

	close() {
		if (this.running) throw new Error("close() while capturing: the SDK's destructor waits for ever for the task to end");
	}

	/** The sensor's next frame (bytes of `value`): announced when a buffer is free, else dropped. */
	capture(value, length = 64) {
		if (!this.running || this.#held === BUFFERS || this.#next) return false;
		const frame = new ArrayBuffer(length);
		new Uint8Array(frame).fill(value);
		frame.close = () => {
			this.#held--;
		};
		this.#held++;
		this.#next = frame;
		this.#onReadable(1);
		return true;
	}

	/** Buffers read and not handed back. */
	get held() {
		return this.#held - (this.#next ? 1 : 0);
	}

	read() {
		const frame = this.#next;
		this.#next = undefined;
		return frame;
	}
}
