/*
 * The live image's camera on the device: the XIAO ESP32S3 Sense's OV2640 through the SDK's
 * `embedded:io/image/in/camera`, which encodes JPEG on the sensor. 240x240 is the size the
 * FRITZ!Box scales live images to for FRITZ!Fon screens, so nothing is wasted on pixels the
 * handset cannot show. Frames come as the driver's own buffers ("buffer/disposable"): the ones
 * wanted (at most one per interval) are copied out, every one is handed back at once, so the
 * driver never runs out of buffers. Plain JavaScript with its declaration beside it, because the
 * SDK ships no typings for the camera that its TypeScript check can see; the lin build maps this
 * module to lin/camera.ts.
 */

import Camera from "embedded:io/image/in/camera";

export function deviceCamera(settings) {
	return (options) => {
		let last = -Infinity;
		const camera = new Camera({
			width: settings.width,
			height: settings.height,
			imageType: "jpeg",
			format: "buffer/disposable",
			onReadable() {
				const frame = camera.read();
				if (!frame) return;
				try {
					const now = settings.clock.now();
					if (now - last < options.intervalMs) return;
					last = now;
					const copy = new Uint8Array(frame.byteLength);
					copy.set(new Uint8Array(frame));
					options.onFrame(copy.buffer);
				} catch (error) {
					options.onError?.(error);
				} finally {
					frame.close();
				}
			},
		});
		camera.start();
		return {
			close() {
				camera.stop();
				camera.close();
			},
		};
	};
}
