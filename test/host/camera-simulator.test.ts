// The simulator's live image over HTTP: --camera testcard (a JPEG with the time on it, which
// jpeg-js decodes), --camera FILE.jpg (served byte for byte), a file that is no JPEG (a clear
// error at start), the key in the URL (403 and nothing else without it, a renewed key ends the
// old URL), the rate limit and turning the camera off on the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { Simulator } from "../rig/simulator.js";
import { guardReports, runSimulatorSync } from "../lib/simulator-process.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(dir: string, camera: string): Promise<Simulator> {
	// No PBX answers at this port: the live image needs none.
	return Simulator.start({ dir, pbx: { address: "127.0.0.1", port: 9 }, password: "unused", args: ["--camera", camera], waitRegistered: false, trace: false });
}

/** The live-image URL as the signed-in page shows it. */
async function pageUrl(sim: Simulator): Promise<string> {
	const page = await (await sim.request("GET", "/sip")).text();
	const m = /id="f_camera_url" readonly value="([^"]+)"/.exec(page);
	assert.ok(m, "the page shows the live-image URL");
	return m[1].replace(/&amp;/g, "&");
}

/** GETs the URL until the camera has a frame (the first request starts it). */
async function frame(url: string): Promise<Response> {
	for (let i = 0; i < 40; i++) {
		const response = await fetch(url);
		if (response.status !== 503) return response;
		await response.arrayBuffer();
		await sleep(300);
	}
	throw new Error("the camera never gave a frame");
}

test("--camera testcard: a JPEG with the time, behind a 128-bit key; renewal; rate limit; off on the page", async () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-camera-"));
	const sim = await start(dir, "testcard");
	try {
		const url = await pageUrl(sim);
		assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${sim.httpPort}/camera\\.jpg\\?key=[0-9a-f]{32}$`));
		const stored = JSON.parse(readFileSync(sim.settingsFile, "utf8")) as { camera?: { key?: string } };
		assert.equal(url.slice(-32), stored.camera?.key, "the key is kept in the settings (NVS namespace camera)");

		for (const bad of [url.replace(/key=.*/, ""), url.replace(/key=./, "key=x"), `${sim.baseUrl}/camera.jpg`]) {
			const refused = await fetch(bad);
			assert.equal(refused.status, 403, bad);
			assert.equal((await refused.arrayBuffer()).byteLength, 0, "403 and nothing else");
		}

		const response = await frame(url);
		assert.equal(response.status, 200);
		assert.equal(response.headers.get("content-type"), "image/jpeg");
		const bytes = new Uint8Array(await response.arrayBuffer());
		const image = jpeg.decode(bytes, { useTArray: true });
		assert.equal(image.width, 320);
		assert.equal(image.height, 240);
		// White figures on the dark band across the middle: the time.
		let white = 0, dark = 0;
		for (let x = 0; x < image.width; x++) {
			const i = (120 * image.width + x) * 4;
			if (image.data[i] > 200 && image.data[i + 1] > 200 && image.data[i + 2] > 200) white++;
			else if (image.data[i] < 60 && image.data[i + 1] < 60 && image.data[i + 2] < 60) dark++;
		}
		assert.ok(white > 20 && dark > 60, `figures on the band (white ${white}, dark ${dark})`);
		await sleep(1300);
		const later = new Uint8Array(await (await frame(url)).arrayBuffer());
		assert.notDeepEqual(later, bytes, "a second later the time on the card has changed");

		// Rate limit: a burst of requests gets 429s.
		const statuses = await Promise.all(Array.from({ length: 12 }, () => fetch(url).then(async (r) => (await r.arrayBuffer(), r.status))));
		assert.ok(statuses.includes(429), `429 among ${statuses.join(",")}`);
		await sleep(3000);

		// A new key: the old URL is refused from now on.
		const renewed = await sim.request("POST", "/camera/key");
		assert.equal(renewed.status, 200);
		const next = ((await renewed.json()) as { url: string }).url;
		assert.notEqual(next, url);
		assert.equal((await fetch(url)).status, 403);
		assert.equal((await frame(next)).status, 200);

		// Turned off on the page: 404 with the right key.
		const saved = await sim.request("POST", "/saveSIP", { cam_enabled: 0 });
		assert.equal(saved.status, 200);
		await sleep(600);
		assert.equal((await fetch(next)).status, 404);
		assert.equal((await fetch(url)).status, 403);
	} finally {
		await sim.stop();
		rmSync(dir, { recursive: true, force: true });
	}
});

test("--camera FILE.jpg is served as it is; a file that is no JPEG stops the start with a clear message", async () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-camera-file-"));
	const data = Buffer.alloc(64 * 48 * 4, 128);
	const file = join(dir, "door.jpg");
	writeFileSync(file, jpeg.encode({ width: 64, height: 48, data }, 70).data);
	const sim = await start(dir, file);
	try {
		const served = new Uint8Array(await (await frame(await pageUrl(sim))).arrayBuffer());
		assert.deepEqual(Buffer.from(served), readFileSync(file));
	} finally {
		await sim.stop();
	}
	const text = join(dir, "not.jpg");
	writeFileSync(text, "hello");
	// The PBX is looked up before the camera stops the start: on loopback, like every test's.
	const settings = join(dir, "s.json");
	writeFileSync(settings, JSON.stringify({ sip: { sip_server: "127.0.0.1", sip_port: 9 } }));
	const run = runSimulatorSync(settings, ["--http", "0", "--camera", text]);
	assert.equal(run.status, 2);
	assert.match(run.stderr, /--camera .*not\.jpg: not a JPEG file/);
	assert.deepEqual(guardReports(run.stderr), [], "nothing refused by the loopback guard");
	rmSync(dir, { recursive: true, force: true });
});
