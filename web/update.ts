/*
 * Firmware updates from the browser: POST /update?size=N&sha256=HEX with the image as the body
 * (signed in, same origin, CSRF token in X-CSRF-Token). Size and hash are given first, so that a
 * wrong size is refused before a byte is written and the image is checked as it arrives; the
 * image streams into the inactive slot and is never held in RAM. Only a complete image with the
 * announced SHA-256 is made the one to boot, then the door restarts a second later (after the
 * answer went out). An upload that stalls is broken off (STALL_MS), so that it does not keep
 * the slot from the next try. GET /update is the page with the form.
 */

import type { Clock, FirmwareSlot, FirmwareUpdater, HttpRequest, HttpResponse, Logger, Sha256Stream, TimerId, UploadSink } from "../modules/ports.js";
import type { WebApp } from "./routes.js";
import { html, json } from "./http.js";
import { layout } from "./page.js";
import { escapeHtml as e } from "./escape.js";
import { IMAGE_HEADER_BYTES, imageHeaderProblem } from "./firmware-image.js";

export interface UpdateOptions {
	web: WebApp;
	updater: FirmwareUpdater;
	sha256Stream(): Sha256Stream;
	clock: Clock;
	log: Logger;
	/** The running firmware's version. */
	version: string;
}

/** Time between the answer to a complete update and the restart, so that the answer reaches the browser. */
const RESTART_DELAY_MS = 1000;
/**
 * How long an upload may go without a byte before it is broken off, its slot cancelled and its
 * connection closed. A browser that left the network sends no FIN or RST, and the device's server
 * has no timeout of its own: without this bound the slot would stay open and every later try get
 * 409 until a restart. On a poor Wi-Fi link a segment lost four times in a row still arrives
 * after 15 s (the sender waits 1, 2, 4 and 8 s between tries), and the user can try again half a
 * minute after the browser lost the door.
 */
export const STALL_MS = 30_000;
const HEX64 = (): RegExp => /^[0-9a-f]{64}$/;
const DIGITS = (): RegExp => /^[0-9]{1,10}$/;

export function addUpdateRoutes(o: UpdateOptions): void {
	// Methods bound, not closures: on the device a closure made at run time by a preloaded module
	// gets a copy of its code (nested functions' included) in the XS chunk heap.
	const updates = new Updates(o);
	updates.streaming = o.web.addSignedInUpload("/update", updates.start.bind(updates));
	o.web.addSignedInGet("/update", updates.page.bind(updates));
}

function refuse(status: number, error: string): HttpResponse {
	return json(status, { ok: false, error });
}

class Updates {
	readonly o: UpdateOptions;
	busy = false;
	/**
	 * An image is installed and the restart due: another upload would open the slot that image is
	 * in (the inactive one is still the same), writing over the image just made the one to boot.
	 */
	restarting = false;
	streaming = false;

	constructor(o: UpdateOptions) {
		this.o = o;
	}

	/** An upload's start: its size and hash checked, the slot opened; the sink, or the refusal. */
	start(request: HttpRequest, length: number, close: () => void): UploadSink | HttpResponse {
		const o = this.o;
		const size = request.query.size ?? "";
		const sha256 = (request.query.sha256 ?? "").toLowerCase();
		if (!DIGITS().test(size)) return refuse(400, "give the image's size in bytes first (?size=…)");
		if (!HEX64().test(sha256)) return refuse(400, "give the image's SHA-256 first (?sha256=…, 64 hex digits)");
		const expected = Number(size);
		if (expected !== length) return refuse(400, `the size given (${expected} bytes) is not the size sent (${length} bytes)`);
		if (expected === 0) return refuse(400, "the image is empty");
		if (expected > o.updater.maxSize) return refuse(413, `the image (${expected} bytes) is larger than the firmware slot (${o.updater.maxSize} bytes)`);
		if (this.busy) return refuse(409, "another update is being uploaded");
		if (this.restarting) return refuse(409, "an update was just installed: the doorbell restarts into it now");
		let slot: FirmwareSlot;
		try {
			slot = o.updater.open(expected);
		} catch (error) {
			return refuse(500, `the firmware slot cannot be opened: ${(error as Error)?.message ?? error}`);
		}
		this.busy = true;
		o.log.info(`update: receiving ${expected} bytes (version ${o.version} running)`);
		return new ImageUpload(this, slot, expected, sha256, close);
	}

	/** The restart into the installed image; where it returns (the simulator), uploads are taken again. */
	restart(): void {
		try {
			this.o.updater.restart();
		} finally {
			this.restarting = false;
		}
	}

	page(request: HttpRequest): HttpResponse {
		const o = this.o;
		const nonce = o.web.nonce();
		return html(200, updatePage(o.version, o.updater.maxSize, this.streaming, o.web.csrfOf(request), nonce), nonce);
	}
}

/** One upload: the image into the slot and through the hash as it arrives, broken off when it stalls. */
class ImageUpload implements UploadSink {
	#updates: Updates;
	#slot: FirmwareSlot;
	#expected: number;
	#sha256: string;
	#hash: Sha256Stream;
	#close: () => void;
	#received = 0;
	/** The image's first bytes, checked before any of them reaches the slot (firmware-image.ts). */
	#header = new Uint8Array(IMAGE_HEADER_BYTES);
	#failure = "";
	#lastByte: number;
	#stallCheck = this.#stalled.bind(this);
	#timer: TimerId | undefined;

	constructor(updates: Updates, slot: FirmwareSlot, expected: number, sha256: string, close: () => void) {
		this.#updates = updates;
		this.#slot = slot;
		this.#expected = expected;
		this.#sha256 = sha256;
		this.#hash = updates.o.sha256Stream();
		this.#close = close;
		this.#lastByte = updates.o.clock.now();
		this.#timer = updates.o.clock.setTimeout(this.#stallCheck, STALL_MS);
	}

	write(piece: Uint8Array): void {
		// The time is noted, not a timer set again: on the device each timer is a new SDK handle.
		this.#lastByte = this.#updates.o.clock.now();
		if (this.#failure) return;
		this.#received += piece.length;
		if (this.#received > this.#expected) return this.#fail(`more than the ${this.#expected} bytes given`);
		const before = this.#received - piece.length;
		if (before < IMAGE_HEADER_BYTES) {
			const count = Math.min(IMAGE_HEADER_BYTES, this.#received);
			this.#header.set(piece.subarray(0, count - before), before);
			const problem = imageHeaderProblem(this.#header, count);
			if (problem) return this.#fail(problem);
		}
		this.#hash.write(piece);
		try {
			this.#slot.write(piece);
		} catch (error) {
			this.#fail(`the firmware slot refused the image: ${(error as Error)?.message ?? error}`);
		}
	}

	end(): HttpResponse {
		const o = this.#updates.o, expected = this.#expected, sha256 = this.#sha256;
		o.clock.clearTimeout(this.#timer);
		this.#updates.busy = false;
		const actual = this.#hash.close();
		if (!this.#failure && this.#received !== expected) this.#fail(`only ${this.#received} of ${expected} bytes arrived`);
		if (!this.#failure && actual !== sha256) this.#fail(`the image's SHA-256 is ${actual}, not the ${sha256} given`);
		if (!this.#failure) {
			try {
				this.#slot.complete();
			} catch (error) {
				this.#failure = `the firmware slot refused the complete image: ${(error as Error)?.message ?? error}`;
			}
		}
		if (this.#failure) {
			o.log.warn(`update: not installed: ${this.#failure}`);
			return refuse(400, this.#failure);
		}
		o.log.info(`update: ${expected} bytes written and checked (SHA-256 ${actual}); restarting into the new image`);
		this.#updates.restarting = true;
		o.clock.setTimeout(this.#updates.restart.bind(this.#updates), RESTART_DELAY_MS);
		return json(200, { ok: true, restarting: true });
	}

	abort(): void {
		this.#stop(`the upload broke off after ${this.#received} of ${this.#expected} bytes; nothing changed`);
	}

	/** The timer: the upload is broken off when no byte came for STALL_MS, else looked at again when that would be. */
	#stalled(): void {
		const quiet = this.#updates.o.clock.now() - this.#lastByte;
		if (quiet < STALL_MS) {
			this.#timer = this.#updates.o.clock.setTimeout(this.#stallCheck, STALL_MS - quiet);
			return;
		}
		this.#stop(`no byte for ${STALL_MS / 1000} s after ${this.#received} of ${this.#expected} bytes: the upload is broken off and its connection closed; nothing changed`);
		this.#close();
	}

	/** The upload ends without an image: the slot is cancelled, and the next upload may start. */
	#stop(why: string): void {
		const o = this.#updates.o;
		o.clock.clearTimeout(this.#timer);
		this.#updates.busy = false;
		this.#fail("the upload broke off");
		o.log.warn(`update: ${why}`);
	}

	#fail(reason: string): void {
		if (this.#failure) return;
		this.#failure = reason;
		this.#slot.cancel();
	}
}

/** Sends the file with its size and hash in the URL and shows the upload's progress (needs JavaScript). */
const SCRIPT = `(function(){var f=document.getElementById("up"),p=document.getElementById("pr"),m=document.getElementById("msg"),c=document.querySelector("meta[name=csrf]").content;f.addEventListener("submit",function(v){v.preventDefault();var file=f.image.files[0],h=f.sha256.value.trim().toLowerCase();if(!file){return}var x=new XMLHttpRequest();x.open("POST","/update?size="+file.size+"&sha256="+encodeURIComponent(h));x.setRequestHeader("X-CSRF-Token",c);x.setRequestHeader("Content-Type","application/octet-stream");x.setRequestHeader("Accept","application/json");p.hidden=false;x.upload.onprogress=function(ev){if(ev.lengthComputable)p.value=ev.loaded/ev.total};x.onload=function(){var j={};try{j=JSON.parse(x.responseText)}catch(err){}m.hidden=false;m.className="note "+(j.ok?"ok":"bad");m.textContent=j.ok?"Installed. The doorbell restarts now; this page will not answer for a few seconds.":"Not installed: "+(j.error||x.status)};x.onerror=function(){m.hidden=false;m.className="note bad";m.textContent="The upload broke off; nothing changed."};x.send(file)})})();`;

function updatePage(version: string, maxSize: number, streaming: boolean, csrf: string, nonce: string): string {
	const form = streaming
		? `<form id="up"><label for="f_image">Firmware image (.bin)</label><input id="f_image" name="image" type="file" accept=".bin,application/octet-stream" required><label for="f_sha256">Its SHA-256</label><input id="f_sha256" name="sha256" autocomplete="off" spellcheck="false" required pattern="[0-9a-fA-F]{64}" aria-describedby="f_sha256_h"><p class="hint" id="f_sha256_h">As printed by <code>npm run build:esp32s3</code> (64 hex digits). An image whose hash differs is not installed.</p><progress id="pr" max="1" value="0" hidden></progress><p id="msg" class="note" role="status" hidden></p><button type="submit">Upload and install</button></form>`
		: "<p>This platform cannot take firmware updates over the network.</p>";
	const body = `<section><p>Running version ${e(version)}. An image of at most ${e(maxSize)} bytes goes into the inactive firmware slot; the doorbell restarts into it and keeps it once it has registered, or has tried to for 60 s (with no SIP account set up yet: once it has run for 60 s). If it does not come up, the next start returns to this version.</p>${form}</section><p><a href="/sip">Back to the settings</a></p>`;
	return layout("Firmware update", body, nonce, streaming ? SCRIPT : "").replace("<title>", `<meta name="csrf" content="${e(csrf)}"><title>`);
}
