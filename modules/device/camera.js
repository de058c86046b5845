/*
 * The live image's camera on the device: the XIAO ESP32S3 Sense's OV2640 through the SDK's
 * `embedded:io/image/in/camera`, which encodes JPEG on the sensor. 240x240 is the size the
 * FRITZ!Box scales live images to for FRITZ!Fon screens, so nothing is wasted on pixels the
 * handset cannot show. Frames come as the driver's own buffers ("buffer/disposable"): the ones
 * wanted (at most one per interval) are copied out, every one is handed back at once, so the
 * driver never runs out of buffers. Plain JavaScript with its declaration beside it, because the
 * SDK ships no typings for the camera that its TypeScript check can see; the lin build maps this
 * module to lin/camera.ts.
 *
 * The SDK's camera is opened and started once, at the first capture, and kept for the life of
 * the firmware; a capture that ends only stops handing its frames on. The SDK's ESP32 driver
 * cannot be stopped while it captures (SDK 8.2.3, modules/io/imagein/camera/esp32/camera.c):
 * its task reads the stop and close notifications only while it is idle, so stop() leaves it
 * capturing, and close() (or a collection of the object, through its destructor) then waits on
 * the XS thread for a task that never ends: the whole firmware stood still 10 s after the last
 * live image was fetched, a relay pulse that was on included. Kept running, the sensor costs a
 * callback per frame that hands the driver's buffer back.
 */

import Camera from "embedded:io/image/in/camera";

export function deviceCamera(settings) {
	let camera;
	/** The capture frames go to now, and when it last took one. */
	let consumer;
	let last = -Infinity;

	function readable() {
		const frame = camera.read();
		if (!frame) return;
		const options = consumer;
		try {
			if (!options) return;
			const now = settings.clock.now();
			if (now - last < options.intervalMs) return;
			last = now;
			const copy = new Uint8Array(frame.byteLength);
			copy.set(new Uint8Array(frame));
			options.onFrame(copy.buffer);
		} catch (error) {
			options?.onError?.(error);
		} finally {
			frame.close();
		}
	}

	return (options) => {
		if (!camera) {
			const opened = new Camera({ width: settings.width, height: settings.height, imageType: "jpeg", format: "buffer/disposable", onReadable: readable });
			opened.start();
			camera = opened;
		}
		consumer = options;
		last = -Infinity;
		return {
			close() {
				if (consumer === options) consumer = undefined;
			},
		};
	};
}
