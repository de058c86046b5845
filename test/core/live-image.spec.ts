import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { seededRandom } from "../lib/fake-udp.js";
import { MemoryStore, bootApp } from "../lib/app-harness.js";
import { LiveImage, IDLE_MS, STALE_MS, FRAME_INTERVAL_MS } from "../../hardware/live-image.js";
import { CameraKey, CAMERA_NAMESPACE, CAMERA_KEY } from "../../web/camera-key.js";
import { CameraRoute, BURST, RATE_PER_S } from "../../web/camera-route.js";
import type { CameraFactory, CameraOptions, HttpHandler, HttpRequest } from "../../modules/ports.js";
import { memoryLogger } from "../lib/memory-logger.js";

/** A camera that the test feeds by hand; it records opens and closes. */
function fakeCamera() {
	const state = { opens: 0, closes: 0, options: undefined as CameraOptions | undefined, open: false };
	const factory: CameraFactory = (options) => {
		state.opens++;
		state.open = true;
		state.options = options;
		return { close: () => { state.closes++; state.open = false; } };
	};
	const frame = (byte: number) => {
		const bytes = new Uint8Array([0xff, 0xd8, byte, 0xff, 0xd9]);
		state.options?.onFrame(bytes.buffer);
	};
	return { state, factory, frame };
}

function rig(options: { enabled?: boolean; camera?: boolean } = {}) {
	const clock = new FakeClock();
	const cam = fakeCamera();
	const lines: string[] = [];
	const image = new LiveImage({ camera: options.camera === false ? undefined : cam.factory, clock, log: memoryLogger(lines) });
	const store = new MemoryStore();
	const key = new CameraKey(store, seededRandom(7));
	const routes = new Map<string, HttpHandler>();
	let enabled = options.enabled ?? true;
	const route = new CameraRoute({ routes: { add: (m, p, h) => routes.set(`${m} ${p}`, h) }, image, key, clock, enabled: () => enabled });
	const get = (query: Record<string, string>, host = "192.168.178.50") => route.handle({ method: "GET", path: "/camera.jpg", query, headers: { host }, body: "" } as HttpRequest);
	const storedKey = () => String(store.get(CAMERA_NAMESPACE, CAMERA_KEY));
	return { clock, cam, image, store, key, route, routes, get, storedKey, lines, setEnabled: (on: boolean) => { enabled = on; } };
}

group("live image", () => {
	test("the key is 128 random bits as 32 hex digits, stored at the first start and kept after", () => {
		const store = new MemoryStore();
		const first = new CameraKey(store, seededRandom(1));
		const stored = String(store.get(CAMERA_NAMESPACE, CAMERA_KEY));
		assert.match(stored, /^[0-9a-f]{32}$/);
		assert.ok(first.matches(stored));
		const again = new CameraKey(store, seededRandom(99));
		assert.ok(again.matches(stored), "a restart keeps the key");
		assert.equal(again.url("192.168.178.50"), `http://192.168.178.50/camera.jpg?key=${stored}`);
	});

	test("a wrong, missing, shortened or renewed key gets 403 with no body", () => {
		const { get, storedKey, key, cam } = rig();
		const good = storedKey();
		for (const query of [{}, { key: "" }, { key: good.slice(0, 31) }, { key: good.toUpperCase() }, { key: `${good}0` }, { key: "0".repeat(32) }]) {
			const response = get(query as Record<string, string>);
			assert.equal(response.status, 403, JSON.stringify(query));
			assert.equal(response.body, "");
		}
		assert.equal(cam.state.opens, 0, "a wrong key never starts the camera");
		key.renew();
		assert.equal(get({ key: good }).status, 403, "the old key stops working at once");
		assert.notEqual(storedKey(), good);
	});

	test("the right key from a foreign Host name gets 403 too", () => {
		const { get, storedKey } = rig();
		assert.equal(get({ key: storedKey() }, "evil.example.com").status, 403);
	});

	test("the first request starts the camera (503, Retry-After), the next gets the frame as image/jpeg", () => {
		const { get, storedKey, cam, clock } = rig();
		const first = get({ key: storedKey() });
		assert.equal(first.status, 503);
		assert.equal(first.headers?.["Retry-After"], "1");
		assert.equal(cam.state.opens, 1);
		assert.equal(cam.state.options?.intervalMs, FRAME_INTERVAL_MS);
		clock.advance(100);
		cam.frame(7);
		const second = get({ key: storedKey() });
		assert.equal(second.status, 200);
		assert.equal(second.headers?.["Content-Type"], "image/jpeg");
		assert.deepEqual(Array.from(new Uint8Array(second.body as ArrayBuffer)), [0xff, 0xd8, 7, 0xff, 0xd9]);
		assert.equal(second.headers?.["Content-Length"], "5");
		cam.frame(8);
		clock.advance(600);
		assert.equal(new Uint8Array(get({ key: storedKey() }).body as ArrayBuffer)[2], 8, "always the newest frame");
		assert.equal(cam.state.opens, 1, "one capture while requests keep coming");
	});

	test("the camera stops after IDLE_MS without requests and its last frame is forgotten", () => {
		const { get, storedKey, cam, clock, image } = rig();
		get({ key: storedKey() });
		cam.frame(1);
		clock.advance(IDLE_MS - 1);
		assert.equal(cam.state.open, true);
		clock.advance(1);
		assert.equal(cam.state.open, false);
		assert.equal(cam.state.closes, 1);
		assert.equal(image.capturing, false);
		clock.advance(10000);
		assert.equal(get({ key: storedKey() }).status, 503, "no old picture after a restart of the capture");
		assert.equal(cam.state.opens, 2);
	});

	test("a frame of a stopped capture is not taken; a stalled camera's frame is not served", () => {
		const { get, storedKey, cam, clock, image } = rig();
		get({ key: storedKey() });
		const stale = cam.state.options!;
		image.stop();
		stale.onFrame(new Uint8Array([0xff, 0xd8, 9, 0xff, 0xd9]).buffer);
		assert.equal(image.frames, 0);
		assert.equal(get({ key: storedKey() }).status, 503);
		cam.frame(3);
		assert.equal(get({ key: storedKey() }).status, 200);
		clock.advance(STALE_MS + 1);
		assert.equal(get({ key: storedKey() }).status, 503, "older than STALE_MS");
	});

	test("a camera that fails to open or reports an error is stopped and logged", () => {
		const clock = new FakeClock();
		const lines: string[] = [];
		const image = new LiveImage({ camera: () => { throw new Error("no sensor found"); }, clock, log: memoryLogger(lines) });
		assert.equal(image.take(), undefined);
		assert.equal(image.capturing, false);
		assert.ok(lines.some((l) => /error camera: cannot start: no sensor found/.test(l)));
		const cam = fakeCamera();
		const second = new LiveImage({ camera: cam.factory, clock, log: memoryLogger(lines) });
		second.take();
		cam.state.options!.onError!(new Error("frame buffer overflow"));
		assert.equal(second.capturing, false);
		assert.equal(cam.state.closes, 1);
		assert.equal(second.status().last_error, "frame buffer overflow");
	});

	test("requests beyond the rate get 429: a burst of BURST, then RATE_PER_S a second", () => {
		const { get, storedKey, cam, clock, route } = rig();
		get({ key: storedKey() });
		cam.frame(1);
		for (let i = 1; i < BURST; i++) assert.equal(get({ key: storedKey() }).status, 200, `request ${i + 1}`);
		const limited = get({ key: storedKey() });
		assert.equal(limited.status, 429);
		assert.equal(limited.headers?.["Retry-After"], "1");
		assert.equal(route.limited, 1);
		clock.advance(1000 / RATE_PER_S);
		cam.frame(2);
		assert.equal(get({ key: storedKey() }).status, 200, "one more after 1/RATE_PER_S s");
		assert.equal(get({ key: storedKey() }).status, 429);
		// Wrong keys are not counted against the right one's rate.
		for (let i = 0; i < 50; i++) get({ key: "x" });
		clock.advance(1000 / RATE_PER_S);
		cam.frame(3);
		assert.equal(get({ key: storedKey() }).status, 200);
	});

	test("camera turned off or absent: 404 with the right key, 403 without it", () => {
		const off = rig({ enabled: false });
		assert.equal(off.get({ key: off.storedKey() }).status, 404);
		assert.equal(off.get({ key: "nope" }).status, 403);
		assert.equal(off.cam.state.opens, 0);
		const none = rig({ camera: false });
		assert.equal(none.get({ key: none.storedKey() }).status, 404);
		assert.equal(none.get({}).status, 403);
	});

	test("booted: the route exists only with a camera, the key is made then, and /sipDebug never holds it", () => {
		const cam = fakeCamera();
		const app = bootApp({ env: { camera: cam.factory } });
		const handler = app.routes.get("GET /camera.jpg");
		assert.ok(handler);
		const key = String(app.store.get(CAMERA_NAMESPACE, CAMERA_KEY));
		assert.match(key, /^[0-9a-f]{32}$/);
		const status = JSON.stringify(app.application.status());
		assert.equal(status.indexOf(key), -1);
		assert.equal(bootApp().routes.get("GET /camera.jpg"), undefined);
		assert.equal(bootApp().store.get(CAMERA_NAMESPACE, CAMERA_KEY), undefined, "no key is made without a camera");
	});
});
