/*
 * Firmware updates against the running simulator over real HTTP: the image streams into
 * klingel-update.bin beside the settings, checked as the device checks it; what goes wrong
 * (wrong hash, an upload that breaks off, too large, no session, no CSRF token) leaves no image.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import http from "node:http";
import { RunDir, Simulator, freePort } from "../rig/index.js";
import { DEVICE_SLOT_SIZE } from "../../modules/host/firmware.js";

let dir: RunDir;
let door: Simulator;
let session: { cookie: string; csrf: string };
let image: Buffer;
let target: string;

before(async () => {
	dir = new RunDir("host-update");
	// A PBX port nobody answers on: the update needs no registration.
	door = await Simulator.start({ dir: dir.dir("door"), pbx: { address: "127.0.0.1", port: await freePort() }, password: "x", waitRegistered: false });
	session = await door.signIn();
	// An ESP32-S3 application image starts with 0xE9 and has the chip's id, 9, at 12; the rest is what it is.
	image = randomBytes(200_000);
	image[0] = 0xe9;
	image.writeUInt16LE(9, 12);
	target = join(dir.dir("door"), "klingel-update.bin");
});

after(async () => {
	await door?.stop();
	dir?.remove();
});

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function upload(body: Buffer, query: Record<string, string>, headers: Record<string, string> = { Cookie: session.cookie, "X-CSRF-Token": session.csrf }): Promise<{ status: number; json: { ok?: boolean; error?: string } }> {
	const url = `${door.baseUrl}/update?${new URLSearchParams(query)}`;
	const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/octet-stream", Accept: "application/json", ...headers }, body });
	const text = await response.text();
	let json = {};
	try {
		json = JSON.parse(text);
	} catch {
		json = { error: text };
	}
	return { status: response.status, json };
}

test("an image with the right size and SHA-256 is stored, and the simulator says the device would restart", { timeout: 30000 }, async () => {
	const from = door.process.mark();
	const result = await upload(image, { size: String(image.length), sha256: sha(image) });
	assert.equal(result.status, 200, JSON.stringify(result.json));
	assert.equal(result.json.ok, true);
	assert.ok(readFileSync(target).equals(image), "the stored image is the one sent");
	await door.process.waitFor(/update: the device would now restart into the new image/, { from, timeoutMs: 5000 });
	assert.equal((await door.status()).version, JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).version);
	rmSync(target);
});

test("a wrong SHA-256, an image that is no ESP32 image, one for another chip, and one larger than the slot are not stored", { timeout: 30000 }, async () => {
	const wrong = await upload(image, { size: String(image.length), sha256: sha(Buffer.from("other")) });
	assert.equal(wrong.status, 400);
	assert.match(String(wrong.json.error), /SHA-256 is [0-9a-f]{64}, not the/);
	const text = Buffer.from("hello, this is not firmware");
	const notImage = await upload(text, { size: String(text.length), sha256: sha(text) });
	assert.equal(notImage.status, 400);
	assert.match(String(notImage.json.error), /no ESP32 firmware image/);
	const forEsp32 = Buffer.from(image);
	forEsp32.writeUInt16LE(0, 12);
	const otherChip = await upload(forEsp32, { size: String(forEsp32.length), sha256: sha(forEsp32) });
	assert.equal(otherChip.status, 400);
	assert.match(String(otherChip.json.error), /the image is for the ESP32 \(chip id 0\), not for this door's ESP32-S3/);
	const big = Buffer.alloc(DEVICE_SLOT_SIZE + 1, 0xe9);
	const tooLarge = await upload(big, { size: String(big.length), sha256: sha(big) });
	assert.equal(tooLarge.status, 413);
	assert.ok(!existsSync(target) && !existsSync(`${target}.part`), "nothing stored, no part left");
});

test("without a session 401, without the CSRF token 403, and the body is not taken", { timeout: 30000 }, async () => {
	const query = { size: String(image.length), sha256: sha(image) };
	assert.equal((await upload(image, query, {})).status, 401);
	assert.equal((await upload(image, query, { Cookie: session.cookie })).status, 403);
	assert.ok(!existsSync(target) && !existsSync(`${target}.part`));
});

test("an upload that breaks off midway leaves the running image and no file", { timeout: 30000 }, async () => {
	const from = door.process.mark();
	const url = new URL(`${door.baseUrl}/update?size=${image.length}&sha256=${sha(image)}`);
	await new Promise<void>((resolve) => {
		const request = http.request(url, { method: "POST", headers: { "Content-Type": "application/octet-stream", "Content-Length": String(image.length), Cookie: session.cookie, "X-CSRF-Token": session.csrf } });
		request.on("error", () => resolve());
		request.write(image.subarray(0, 50_000), () => setTimeout(() => {
			request.destroy();
			resolve();
		}, 200));
	});
	await door.process.waitFor(new RegExp(`update: the upload broke off after \\d+ of ${image.length} bytes; nothing changed`), { from, timeoutMs: 5000 });
	assert.ok(!existsSync(target) && !existsSync(`${target}.part`));
});
