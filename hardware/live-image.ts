/*
 * The door's live image: the newest JPEG frame of the camera, captured only while someone asks
 * for frames. The first request starts the camera (and gets no frame yet); each request keeps it
 * running; after IDLE_MS without one it is stopped and its last frame dropped, so a later
 * request never sees an old picture of the door.
 */

import type { CameraFactory, CameraStream, Clock, Logger, TimerId } from "../modules/ports.js";

/** The camera stops this long after the last request (the FRITZ!Box asks every 1.5-2.5 s). */
export const IDLE_MS = 10000;
/** At most this many frames a second are taken from the sensor. */
export const FRAME_INTERVAL_MS = 500;
/** A frame older than this is not served (the camera stalled). */
export const STALE_MS = 5000;

export interface LiveImageOptions {
	/** Absent when the doorbell has no camera. */
	camera: CameraFactory | undefined;
	clock: Clock;
	log: Logger;
}

export class LiveImage {
	#o: LiveImageOptions;
	#stream: CameraStream | undefined;
	#frame: ArrayBuffer | undefined;
	#frameAt = 0;
	#idle: TimerId | undefined;
	#lastError = "";
	/** Counts starts and stops: a frame of an earlier capture is not taken. */
	#generation = 0;
	/** Frames received and requests answered with one. */
	frames = 0;
	served = 0;

	constructor(options: LiveImageOptions) {
		this.#o = options;
	}

	/** Whether the doorbell has a camera at all. */
	get present(): boolean {
		return this.#o.camera !== undefined;
	}

	get capturing(): boolean {
		return this.#stream !== undefined;
	}

	/**
	 * The newest frame, or undefined while the camera starts (or when it has none to give).
	 * Starts capturing when stopped and keeps it running for IDLE_MS more.
	 */
	take(): ArrayBuffer | undefined {
		if (!this.#o.camera) return undefined;
		this.#keepAlive();
		if (!this.#stream) this.#start();
		const frame = this.#frame;
		if (!frame || this.#o.clock.now() - this.#frameAt > STALE_MS) return undefined;
		this.served++;
		return frame;
	}

	/** Stops capturing now and forgets the last frame. */
	stop(): void {
		if (this.#idle !== undefined) this.#o.clock.clearTimeout(this.#idle);
		this.#idle = undefined;
		this.#generation++;
		const stream = this.#stream;
		this.#stream = undefined;
		this.#frame = undefined;
		if (!stream) return;
		try {
			stream.close();
		} catch (error) {
			this.#o.log.error(`camera: cannot stop: ${(error as Error)?.message ?? error}`);
		}
		this.#o.log.info("camera: stopped (no requests)");
	}

	status(): Record<string, unknown> {
		const out: Record<string, unknown> = { present: this.present, capturing: this.capturing, frames: this.frames, served: this.served };
		if (this.#frame) out.last_frame_ms_ago = Math.round(this.#o.clock.now() - this.#frameAt);
		if (this.#lastError) out.last_error = this.#lastError;
		return out;
	}

	#keepAlive(): void {
		const clock = this.#o.clock;
		if (this.#idle !== undefined) clock.clearTimeout(this.#idle);
		this.#idle = clock.setTimeout(() => {
			this.#idle = undefined;
			this.stop();
		}, IDLE_MS);
	}

	#start(): void {
		const open = this.#o.camera;
		if (!open) return;
		const generation = ++this.#generation;
		try {
			const stream = open({
				intervalMs: FRAME_INTERVAL_MS,
				onFrame: (jpeg) => {
					if (this.#generation !== generation) return;
					this.#frame = jpeg;
					this.#frameAt = this.#o.clock.now();
					this.frames++;
				},
				onError: (error) => {
					if (this.#generation !== generation) return;
					this.#lastError = error.message;
					this.#o.log.error(`camera: ${error.message}`);
					this.stop();
				},
			});
			// An error while opening has already stopped this capture.
			if (this.#generation !== generation) {
				stream.close();
				return;
			}
			this.#stream = stream;
			this.#o.log.info("camera: capturing");
		} catch (error) {
			this.#lastError = (error as Error)?.message ?? String(error);
			this.#o.log.error(`camera: cannot start: ${this.#lastError}`);
		}
	}
}
