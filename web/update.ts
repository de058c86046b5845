/*
 * Firmware updates from the browser: POST /update?size=N&sha256=HEX with the image as the body
 * (signed in, same origin, CSRF token in X-CSRF-Token). Size and hash are given first, so that a
 * wrong size is refused before a byte is written and the image is checked as it arrives; the
 * image streams into the inactive slot and is never held in RAM. Only a complete image with the
 * announced SHA-256 is made the one to boot, then the door restarts a second later (after the
 * answer went out). GET /update is the page with the form.
 */

import type { Clock, FirmwareSlot, FirmwareUpdater, HttpRequest, HttpResponse, Logger, Sha256Stream, UploadSink } from "../modules/ports.js";
import type { WebApp } from "./routes.js";
import { html, json } from "./http.js";
import { layout } from "./page.js";
import { escapeHtml as e } from "./escape.js";

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
const HEX64 = /^[0-9a-f]{64}$/;
const DIGITS = /^[0-9]{1,10}$/;

export function addUpdateRoutes(o: UpdateOptions): void {
	let busy = false;
	const refuse = (status: number, error: string): HttpResponse => json(status, { ok: false, error });
	const streaming = o.web.addSignedInUpload("/update", (request: HttpRequest, length: number): UploadSink | HttpResponse => {
		const size = request.query.size ?? "";
		const sha256 = (request.query.sha256 ?? "").toLowerCase();
		if (!DIGITS.test(size)) return refuse(400, "give the image's size in bytes first (?size=…)");
		if (!HEX64.test(sha256)) return refuse(400, "give the image's SHA-256 first (?sha256=…, 64 hex digits)");
		const expected = Number(size);
		if (expected !== length) return refuse(400, `the size given (${expected} bytes) is not the size sent (${length} bytes)`);
		if (expected === 0) return refuse(400, "the image is empty");
		if (expected > o.updater.maxSize) return refuse(413, `the image (${expected} bytes) is larger than the firmware slot (${o.updater.maxSize} bytes)`);
		if (busy) return refuse(409, "another update is being uploaded");
		let slot: FirmwareSlot;
		try {
			slot = o.updater.open(expected);
		} catch (error) {
			return refuse(500, `the firmware slot cannot be opened: ${(error as Error)?.message ?? error}`);
		}
		busy = true;
		o.log.info(`update: receiving ${expected} bytes (version ${o.version} running)`);
		const hash = o.sha256Stream();
		let received = 0;
		let failure = "";
		const fail = (reason: string) => {
			if (failure) return;
			failure = reason;
			slot.cancel();
		};
		return {
			write(piece) {
				if (failure) return;
				received += piece.length;
				if (received > expected) return fail(`more than the ${expected} bytes given`);
				hash.write(piece);
				try {
					slot.write(piece);
				} catch (error) {
					fail(`the firmware slot refused the image: ${(error as Error)?.message ?? error}`);
				}
			},
			end() {
				busy = false;
				const actual = hash.close();
				if (!failure && received !== expected) fail(`only ${received} of ${expected} bytes arrived`);
				if (!failure && actual !== sha256) fail(`the image's SHA-256 is ${actual}, not the ${sha256} given`);
				if (!failure) {
					try {
						slot.complete();
					} catch (error) {
						failure = `the firmware slot refused the complete image: ${(error as Error)?.message ?? error}`;
					}
				}
				if (failure) {
					o.log.warn(`update: not installed: ${failure}`);
					return refuse(400, failure);
				}
				o.log.info(`update: ${expected} bytes written and checked (SHA-256 ${actual}); restarting into the new image`);
				o.clock.setTimeout(() => o.updater.restart(), RESTART_DELAY_MS);
				return json(200, { ok: true, restarting: true });
			},
			abort() {
				busy = false;
				fail("the upload broke off");
				o.log.warn(`update: the upload broke off after ${received} of ${expected} bytes; nothing changed`);
			},
		};
	});
	o.web.addSignedInGet("/update", (request) => {
		const nonce = o.web.nonce();
		return html(200, updatePage(o.version, o.updater.maxSize, streaming, o.web.csrfOf(request), nonce), nonce);
	});
}

/** Sends the file with its size and hash in the URL and shows the upload's progress (needs JavaScript). */
const SCRIPT = `(function(){var f=document.getElementById("up"),p=document.getElementById("pr"),m=document.getElementById("msg"),c=document.querySelector("meta[name=csrf]").content;f.addEventListener("submit",function(v){v.preventDefault();var file=f.image.files[0],h=f.sha256.value.trim().toLowerCase();if(!file){return}var x=new XMLHttpRequest();x.open("POST","/update?size="+file.size+"&sha256="+encodeURIComponent(h));x.setRequestHeader("X-CSRF-Token",c);x.setRequestHeader("Content-Type","application/octet-stream");x.setRequestHeader("Accept","application/json");p.hidden=false;x.upload.onprogress=function(ev){if(ev.lengthComputable)p.value=ev.loaded/ev.total};x.onload=function(){var j={};try{j=JSON.parse(x.responseText)}catch(err){}m.hidden=false;m.className="note "+(j.ok?"ok":"bad");m.textContent=j.ok?"Installed. The doorbell restarts now; this page will not answer for a few seconds.":"Not installed: "+(j.error||x.status)};x.onerror=function(){m.hidden=false;m.className="note bad";m.textContent="The upload broke off; nothing changed."};x.send(file)})})();`;

function updatePage(version: string, maxSize: number, streaming: boolean, csrf: string, nonce: string): string {
	const form = streaming
		? `<form id="up"><label for="f_image">Firmware image (.bin)</label><input id="f_image" name="image" type="file" accept=".bin,application/octet-stream" required><label for="f_sha256">Its SHA-256</label><input id="f_sha256" name="sha256" autocomplete="off" spellcheck="false" required pattern="[0-9a-fA-F]{64}" aria-describedby="f_sha256_h"><p class="hint" id="f_sha256_h">As printed by <code>npm run build:esp32s3</code> (64 hex digits). An image whose hash differs is not installed.</p><progress id="pr" max="1" value="0" hidden></progress><p id="msg" class="note" role="status" hidden></p><button type="submit">Upload and install</button></form>`
		: "<p>This platform cannot take firmware updates over the network.</p>";
	const body = `<section><p>Running version ${e(version)}. An image of at most ${e(maxSize)} bytes goes into the inactive firmware slot; the doorbell restarts into it and keeps it once it has registered (or tried for 60 s). If it does not come up, the next start returns to this version.</p>${form}</section><p><a href="/sip">Back to the settings</a></p>`;
	return layout("Firmware update", body, nonce, streaming ? SCRIPT : "").replace("<title>", `<meta name="csrf" content="${e(csrf)}"><title>`);
}
