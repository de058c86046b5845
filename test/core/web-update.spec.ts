import { test, group, assert } from "../lib/spec.js";
import { bootApp } from "../lib/app-harness.js";
import { md5 } from "../lib/md5.js";
import { seededRandom } from "../lib/fake-udp.js";
import { confirmWhenWorking, CONFIRM_AFTER_MS } from "../../app/firmware-confirm.js";
import { STALL_MS } from "../../web/update.js";
import type { FirmwareUpdater, HttpRequest, HttpResponse, Sha256Stream, UploadSink } from "../../modules/ports.js";
import { FakeClock } from "../lib/fake-clock.js";

const ADMIN = "Admin-Passwort-1";

/** A stand-in for SHA-256 over pieces: MD5 of the bytes' decimal values, twice (64 hex digits). */
function fakeHashOf(bytes: number[]): string {
	const text = bytes.join(",");
	return md5(text) + md5(`\u0001${text}`);
}

function fakeStream(): Sha256Stream {
	const seen: number[] = [];
	return { write: (piece) => void seen.push(...piece), close: () => fakeHashOf(seen) };
}

class RecordingFirmware implements FirmwareUpdater {
	readonly maxSize = 1000;
	pendingConfirm = false;
	events: string[] = [];
	written: number[] = [];
	open(size: number) {
		this.events.push(`open ${size}`);
		return {
			write: (piece: Uint8Array) => void this.written.push(...piece),
			complete: () => void this.events.push("complete"),
			cancel: () => void this.events.push("cancel"),
		};
	}
	restart(): void {
		this.events.push("restart");
	}
	confirm(): void {
		this.events.push("confirm");
	}
}

function application() {
	const firmware = new RecordingFirmware();
	const b = bootApp({
		env: { sha256: (t) => md5(t) + md5(`\u0001${t}`), random: seededRandom(5), firmware, sha256Stream: fakeStream, version: "9.8.7" },
		boot: { adminPassword: ADMIN, hashIterations: 8 },
	});
	const request = (path: string, query: Record<string, string>, headers: Record<string, string> = {}): HttpRequest => ({ method: "POST", path, query, headers: { host: "127.0.0.1:8080", ...headers }, body: "" });
	const login = b.routes.get("POST /login")!({ method: "POST", path: "/login", query: {}, headers: { host: "127.0.0.1:8080", "content-type": "application/json" }, body: JSON.stringify({ password: ADMIN }) }) as HttpResponse;
	const cookie = String(login.headers?.["Set-Cookie"]).split(";")[0];
	const csrf = JSON.parse(String(login.body)).csrf as string;
	const signedIn = { cookie, "x-csrf-token": csrf };
	/** How often an upload ended its exchange without an answer (the server's close). */
	const closed = { count: 0 };
	const close = () => void closed.count++;
	/** Starts an upload of `bytes` with the size and hash given (the right ones by default). */
	const start = (bytes: number[], query: Record<string, string> = {}, headers: Record<string, string> = signedIn, length = bytes.length) =>
		b.uploads.get("/update")!(request("/update", { size: String(bytes.length), sha256: fakeHashOf(bytes), ...query }, headers), length, close);
	return { ...b, firmware, start, signedIn, cookie, closed };
}

function isSink(value: UploadSink | HttpResponse): value is UploadSink {
	return "write" in value;
}

/** `length` bytes of an application image for the chip `chip` (ESP-IDF's header: 0xE9, the chip's id at 12, little-endian), the rest a pattern. */
function imageFor(chip: number, length = 300): number[] {
	const bytes = Array.from({ length }, (_, i) => (i * 7) & 255);
	bytes[0] = 0xe9;
	bytes[12] = chip & 255;
	bytes[13] = chip >> 8;
	return bytes;
}

const IMAGE = imageFor(9);

group("firmware update", () => {
	test("a complete image with the hash given is written, installed, and the door restarts a second later", () => {
		const a = application();
		const sink = a.start(IMAGE);
		assert.ok(isSink(sink));
		sink.write(new Uint8Array(IMAGE.slice(0, 100)));
		sink.write(new Uint8Array(IMAGE.slice(100)));
		const response = sink.end();
		assert.equal(response.status, 200);
		assert.deepEqual(a.firmware.written, IMAGE);
		assert.deepEqual(a.firmware.events, ["open 300", "complete"]);
		a.clock.advance(999);
		assert.deepEqual(a.firmware.events, ["open 300", "complete"], "the answer goes out before the restart");
		a.clock.advance(1);
		assert.deepEqual(a.firmware.events, ["open 300", "complete", "restart"]);
	});

	test("a script's upload (X-CSRF-Token) is refused in JSON like every other answer of the route: no session 401, another origin 403", () => {
		const a = application();
		const cases: Array<[Record<string, string>, number]> = [[{ "x-csrf-token": a.signedIn["x-csrf-token"] }, 401], [{ ...a.signedIn, origin: "http://attacker.example" }, 403]];
		for (const [headers, status] of cases) {
			const refused = a.start(IMAGE, {}, headers);
			assert.ok(!isSink(refused));
			assert.equal(refused.status, status);
			assert.match(String(refused.headers?.["Content-Type"]), /^application\/json/);
			assert.equal(JSON.parse(String(refused.body)).ok, false);
		}
		assert.deepEqual(a.firmware.events, []);
	});

	test("refused before the body: no session, no CSRF token, another origin, no size or hash, size not the length sent, too large", () => {
		const a = application();
		const status = (r: UploadSink | HttpResponse) => (isSink(r) ? 0 : r.status);
		assert.equal(status(a.start(IMAGE, {}, {})), 401);
		assert.equal(status(a.start(IMAGE, {}, { cookie: a.cookie })), 403);
		assert.equal(status(a.start(IMAGE, {}, { ...a.signedIn, origin: "http://attacker.example" })), 403);
		assert.equal(status(a.start(IMAGE, { size: "" })), 400);
		assert.equal(status(a.start(IMAGE, { sha256: "abc" })), 400);
		assert.equal(status(a.start(IMAGE, {}, a.signedIn, 299)), 400);
		const big = new Array(1001).fill(0xe9);
		const refused = a.start(big);
		assert.ok(!isSink(refused));
		assert.equal(refused.status, 413);
		assert.match(String(refused.body), /larger than the firmware slot \(1000 bytes\)/);
		assert.deepEqual(a.firmware.events, [], "no slot was opened");
	});

	test("a wrong hash, a short body, a longer one, a broken-off upload: the slot is cancelled and nothing restarts", () => {
		const a = application();
		const wrong = a.start(IMAGE, { sha256: "0".repeat(64) });
		assert.ok(isSink(wrong));
		wrong.write(new Uint8Array(IMAGE));
		const answer = wrong.end();
		assert.equal(answer.status, 400);
		assert.match(String(answer.body), /SHA-256 is [0-9a-f]{64}, not the 0{64} given/);
		const short = a.start(IMAGE);
		assert.ok(isSink(short));
		short.write(new Uint8Array(IMAGE.slice(0, 10)));
		assert.match(String(short.end().body), /only 10 of 300 bytes arrived/);
		const long = a.start(IMAGE);
		assert.ok(isSink(long));
		long.write(new Uint8Array(IMAGE));
		long.write(new Uint8Array([1]));
		assert.match(String(long.end().body), /more than the 300 bytes given/);
		const broken = a.start(IMAGE);
		assert.ok(isSink(broken));
		broken.write(new Uint8Array(IMAGE.slice(0, 50)));
		broken.abort();
		a.clock.advance(5000);
		assert.deepEqual(a.firmware.events, ["open 300", "cancel", "open 300", "cancel", "open 300", "cancel", "open 300", "cancel"]);
		assert.ok(a.lines.some((l) => /upload broke off after 50 of 300 bytes/.test(l)));
	});

	test("a file that is no ESP32 image, or an image for another chip, is refused in words as its first bytes arrive, and nothing of it reaches the slot", () => {
		const a = application();
		const cases: Array<[number[], RegExp]> = [
			[Array.from({ length: 300 }, (_, i) => (i * 7) & 255), /^this is no ESP32 firmware image \(it does not start with 0xE9\)$/],
			[imageFor(5), /^the image is for the ESP32-C3 \(chip id 5\), not for this door's ESP32-S3$/],
			[imageFor(0), /^the image is for the ESP32 \(chip id 0\), not for this door's ESP32-S3$/],
			[imageFor(0x4242), /^the image is for chip id 16962, not for this door's ESP32-S3$/],
		];
		for (const [bytes, reason] of cases) {
			a.firmware.events.length = 0;
			a.firmware.written.length = 0;
			const sink = a.start(bytes);
			assert.ok(isSink(sink));
			sink.write(new Uint8Array(bytes.slice(0, 100)));
			sink.write(new Uint8Array(bytes.slice(100)));
			const answer = sink.end();
			assert.equal(answer.status, 400);
			assert.match(JSON.parse(String(answer.body)).error, reason);
			assert.deepEqual(a.firmware.events, ["open 300", "cancel"]);
			assert.deepEqual(a.firmware.written, [], "no byte went into the slot");
		}
		assert.ok(a.lines.some((l) => /update: not installed: the image is for the ESP32-C3/.test(l)));
	});

	test("an image header that arrives in pieces is checked when its chip id is in", () => {
		const a = application();
		const good = a.start(IMAGE);
		assert.ok(isSink(good));
		for (const [from, to] of [[0, 1], [1, 13], [13, 14], [14, 300]]) good.write(new Uint8Array(IMAGE.slice(from, to)));
		assert.equal(good.end().status, 200);
		assert.deepEqual(a.firmware.written, IMAGE);
		a.clock.advance(1000);
		const other = imageFor(2);
		const wrong = a.start(other);
		assert.ok(isSink(wrong));
		for (const [from, to] of [[0, 13], [13, 300]]) wrong.write(new Uint8Array(other.slice(from, to)));
		assert.match(JSON.parse(String(wrong.end().body)).error, /for the ESP32-S2 \(chip id 2\)/);
	});

	test("one upload at a time; the update page shows the version and the form", () => {
		const a = application();
		const first = a.start(IMAGE);
		assert.ok(isSink(first));
		const second = a.start(IMAGE);
		assert.ok(!isSink(second) && second.status === 409);
		first.abort();
		assert.ok(isSink(a.start(IMAGE)), "free again after the first ended");
		const page = a.routes.get("GET /update")!({ method: "GET", path: "/update", query: {}, headers: { host: "127.0.0.1:8080", cookie: a.cookie }, body: "" }) as HttpResponse;
		assert.equal(page.status, 200);
		assert.match(String(page.body), /Running version 9\.8\.7/);
		assert.match(String(page.body), /keeps it once it has registered, or has tried to for 60 s \(with no SIP account set up yet: once it has run for 60 s\)/, "what app/firmware-confirm.ts does");
		assert.match(String(page.body), /<input id="f_image" name="image" type="file"/);
		assert.equal((a.routes.get("GET /update")!({ method: "GET", path: "/update", query: {}, headers: { host: "127.0.0.1:8080" }, body: "" }) as HttpResponse).status, 401);
	});

	test("an upload in the second between an installed image and the restart is refused: it would write over the image just made the one to boot", () => {
		const a = application();
		const first = a.start(IMAGE);
		assert.ok(isSink(first));
		first.write(new Uint8Array(IMAGE));
		assert.equal(first.end().status, 200);
		const second = a.start(IMAGE);
		assert.ok(!isSink(second), "refused");
		assert.equal(second.status, 409);
		assert.match(String(JSON.parse(String(second.body)).error), /just installed.*restarts/);
		a.clock.advance(1000);
		assert.deepEqual(a.firmware.events, ["open 300", "complete", "restart"], "no second slot opened");
		assert.ok(isSink(a.start(IMAGE)), "taken again where the restart returns (the simulator)");
	});

	test("an upload whose body stops arriving is broken off after STALL_MS without a byte: the slot is cancelled, the connection closed, and the next upload is taken", () => {
		const a = application();
		const stalled = a.start(IMAGE);
		assert.ok(isSink(stalled));
		a.clock.advance(STALL_MS - 1000);
		stalled.write(new Uint8Array(IMAGE.slice(0, 150)));
		a.clock.advance(STALL_MS - 1);
		assert.deepEqual(a.firmware.events, ["open 300"], "a slow body that still arrives goes on");
		assert.equal(a.closed.count, 0);
		a.clock.advance(1);
		assert.deepEqual(a.firmware.events, ["open 300", "cancel"]);
		assert.equal(a.closed.count, 1);
		assert.ok(a.lines.some((l) => l.includes(`no byte for ${STALL_MS / 1000} s after 150 of 300 bytes`)), a.lines.join("\n"));
		const next = a.start(IMAGE);
		assert.ok(isSink(next), "not 409: the stalled upload let the slot go");
		next.write(new Uint8Array(IMAGE));
		assert.equal(next.end().status, 200);
		a.clock.advance(1000);
		const broken = a.start(IMAGE);
		assert.ok(isSink(broken));
		broken.abort();
		a.clock.advance(2 * STALL_MS);
		assert.equal(a.closed.count, 1, "an upload that ended or broke off keeps no timer");
		assert.deepEqual(a.firmware.events, ["open 300", "cancel", "open 300", "complete", "restart", "open 300", "cancel"]);
	});

	test("a new image keeps itself once registered, after trying for 60 s, or after 60 s with no account to try; an image with an account that never tried stays unconfirmed", () => {
		const clock = new FakeClock();
		const log = { info() {}, warn() {}, error() {} };
		const run = (registered: () => boolean, tried: () => boolean, account: () => boolean = () => true) => {
			const firmware = new RecordingFirmware();
			firmware.pendingConfirm = true;
			confirmWhenWorking({ updater: firmware, clock, log, registered, tried, account });
			return firmware;
		};
		let up = false, accountSet = false;
		const registers = run(() => up, () => true);
		const tries = run(() => false, () => true);
		const never = run(() => false, () => false);
		// Updated while being set up, before the SIP account: nothing to register with, so
		// coming up and serving its page for 60 s is all the image can show.
		const unset = run(() => false, () => false, () => false);
		// An account entered 30 s after the start: from then on the image must try.
		const later = run(() => false, () => false, () => accountSet);
		clock.advance(5000);
		assert.deepEqual(registers.events, []);
		up = true;
		clock.advance(1000);
		assert.deepEqual(registers.events, ["confirm"]);
		assert.deepEqual(tries.events, []);
		clock.advance(24000);
		accountSet = true;
		clock.advance(CONFIRM_AFTER_MS);
		assert.deepEqual(tries.events, ["confirm"]);
		assert.deepEqual(unset.events, ["confirm"]);
		assert.deepEqual(never.events, []);
		assert.deepEqual(later.events, [], "an account set before the 60 s were up must be tried first");
		const installed = new RecordingFirmware();
		confirmWhenWorking({ updater: installed, clock, log, registered: () => true, tried: () => true, account: () => true });
		clock.advance(5000);
		assert.deepEqual(installed.events, [], "an image that is not pending has nothing to confirm");
	});
});
