/*
 * modules/device/camera.js (plain JavaScript, run as it is) on the XS test host, over a model of the SDK's ESP32 camera driver
 * (sdk/io/image/in/camera.js; KLINGEL_XS_EMBEDDED=test/device/sdk), whose stop() and close()
 * fail while it captures: a capture starts the sensor, ends without stopping or closing it (on
 * a board that froze the firmware), and a later one gets frames again. Every frame's buffer
 * goes back to the driver. Prints "ok - …" / "not ok - …" lines and "N passed, N failed".
 */
import { deviceCamera } from "../../modules/device/camera.js";
import Camera from "embedded:io/image/in/camera";
import { check, summary } from "./xs-checks.js";

let now = 0;
const clock = { now: () => now, setTimeout() {}, clearTimeout() {}, setInterval() {}, clearInterval() {} };
const open = deviceCamera({ width: 240, height: 240, clock });

function capture(value, ms) {
	for (let t = 0; t < ms; t += 100) {
		now += 100;
		Camera.made[0]?.capture(value);
	}
}

const first = [], errors = [];
let stream = open({ intervalMs: 500, onFrame: (jpeg) => first.push(new Uint8Array(jpeg)[0]), onError: (error) => errors.push(error.message) });
capture(1, 2000);
check(first.length >= 3 && first.length <= 5 && first.every((v) => v === 1), "a capture gets its frames, one per interval", `${first.length} frames: ${first}`);
let closed;
try {
	stream.close();
	closed = "";
} catch (error) {
	closed = error.message;
}
check(closed === "", "ending the capture neither stops nor closes the SDK's camera", closed);
const before = first.length;
capture(2, 2000);
check(first.length === before && errors.length === 0, "no frame is handed on once the capture ended", `${first.length - before} more frames, errors ${errors}`);
check(Camera.made.length === 1 && Camera.made[0].held === 0, "the driver gets every buffer back", `${Camera.made.length} cameras made, ${Camera.made[0]?.held} buffers held`);

const second = [];
stream = open({ intervalMs: 500, onFrame: (jpeg) => second.push(new Uint8Array(jpeg)[0]) });
capture(3, 2000);
check(Camera.made.length === 1 && second.length >= 3 && second.every((v) => v === 3), "a later capture uses the same camera and gets its frames", `${Camera.made.length} cameras, ${second.length} frames: ${second}`);
stream.close();

summary();
