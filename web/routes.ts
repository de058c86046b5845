/*
 * The web routes: GET /sip (first-run, sign-in or settings page), POST /setup, /login, /logout,
 * /adminPassword, POST /saveSIP, GET /sipDebug, GET /events, POST /ring/sip.
 *
 * Protection: until an admin password is set, only the first-run page is served and every
 * other route answers 403. After that a session cookie (HttpOnly, SameSite=Strict) from
 * /login or /setup is needed; a POST also needs the session's CSRF token (form field `csrf`
 * or header X-CSRF-Token) and must not come from another origin. Scripts sign in with
 * `POST /login` and JSON `{"password": "…"}`, keep the cookie and send the returned `csrf`.
 *
 * Where the provider has a Wi-Fi radio, GET and POST /wifi choose the home network: open to
 * anyone on the door's own (WPA2) access point until the admin password is set, signed in after
 * that. While the access point is open, a request for any other host, and the operating
 * systems' captive-portal checks, are sent to the set-up page.
 */

import { ANY_PATH, type Clock, type HttpRequest, type HttpResponse, type HttpRoutes, type Logger, type RandomBytes, type Sha256, type UploadSink } from "../modules/ports.js";
import type { Settings } from "../config/settings.js";
import { keySpec, needsRestart } from "../config/keys.js";
import { AdminCredential, adminPasswordProblem } from "./admin-credential.js";
import { Sessions, SESSION_COOKIE, sessionCookie, clearedCookie, type Session } from "./sessions.js";
import { BadRequest, cookie, header, hex, html, json, readFields, redirect, sameText, wantsJson } from "./http.js";
import { crossOriginProblem, isLocalHost } from "./guard.js";
import { SignInThrottle } from "./sign-in-throttle.js";
import { firstRunPage, loginPage, settingsPage, statusBlock } from "./page.js";
import type { Words } from "./status-words.js";
import { escapeHtml } from "./escape.js";
import { wifiPage } from "./wifi-page.js";
import { ssidProblem, wifiPasswordProblem, type WifiCredentials } from "../config/wifi.js";
import type { WifiNetwork } from "../modules/ports.js";

/** The Wi-Fi start-up as the set-up page sees it (app/wifi-start.ts). */
export interface WifiSetup {
	readonly state: "none" | "joining" | "failed" | "connected";
	readonly ssid: string;
	readonly address: string;
	/** The access point's address while it is open, else "". */
	readonly accessPointAddress: string;
	readonly fixedByBuild: boolean;
	readonly networks: readonly WifiNetwork[];
	scan(): void;
	choose(credentials: WifiCredentials): void;
}

/** The paths phones and laptops fetch to find out whether a network has a captive portal. */
const PORTAL_PROBES = Object.freeze(["/generate_204", "/gen_204", "/hotspot-detect.html", "/library/test/success.html", "/connecttest.txt", "/ncsi.txt", "/success.txt", "/canonical.html", "/redirect"]);

export interface WebOptions {
	routes: HttpRoutes;
	settings: Settings;
	clock: Clock;
	sha256: Sha256;
	random: RandomBytes;
	log: Logger;
	/** The status for /sipDebug and the page (the doorbell's, plus door_events and more). */
	status(): Record<string, unknown>;
	/** A test ring of bell button `button` (1 to 4; 1 when absent). */
	ring(button?: number): { ok: boolean; reason?: string };
	/** The event history, newest first, each with its plain words (`text`). */
	events?(): Array<{ time: string | null; text: string }>;
	/** Called after a save that changed keys (e.g. to re-register). */
	onSaved?(changed: string[]): void;
	/** SHA-256 rounds for a new admin password (4096). */
	hashIterations?: number;
	/** Which Host headers are served (local names and addresses). */
	isAllowedHost?(host: string): boolean;
	/** The live-image URL's key (shown on the page, renewable there); absent without one. */
	cameraKey?: { url(host: string): string; renew(): void };
	/** The Wi-Fi set-up (/wifi); absent where the provider has no radio of its own. */
	wifi?: WifiSetup;
	/** Whether the board has a BOOT button that resets the admin password (the sign-in page of a damaged record says so). */
	bootButton?: boolean;
}

/** Keys never sent out in the status, whatever a provider adds. */
const SECRET = (): RegExp => /password|secret|token|csrf|admin|^code$|door_code/i;

export function publicStatus(status: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const secret = SECRET();
	for (const key of Object.keys(status)) if (!secret.test(key)) out[key] = status[key];
	return out;
}

function noIcon(): HttpResponse {
	return { status: 204, headers: { "Cache-Control": "max-age=86400" } };
}

function ringNeedsPost(): HttpResponse {
	return json(405, { ok: false, error: "use POST to ring" }, { Allow: "POST" });
}

function portalNotFound(): HttpResponse {
	return json(404, { ok: false, error: "not found" });
}

export class WebApp {
	readonly admin: AdminCredential;
	readonly sessions: Sessions;
	#o: WebOptions;
	readonly signInThrottle: SignInThrottle;
	#setupToken = "";
	#lastRing = "";

	constructor(options: WebOptions) {
		this.#o = options;
		this.admin = new AdminCredential(options.settings.store, options.sha256, options.random, options.hashIterations);
		this.sessions = new Sessions(options.clock, options.sha256, options.random);
		this.signInThrottle = new SignInThrottle(options.clock);
		this.#newSetupToken();
		const r = options.routes;
		// Each route's handler is a method bound to #answer (see #wrap), not an arrow function.
		r.add("GET", "/", this.#wrap(this.#home));
		// Browsers ask for it on every page; no icon, and no 404 for it.
		r.add("GET", "/favicon.ico", noIcon);
		r.add("GET", "/sip", this.#wrap(this.#page));
		r.add("POST", "/setup", this.#wrap(this.#setup));
		r.add("POST", "/login", this.#wrap(this.#login));
		r.add("POST", "/logout", this.#wrap(this.#logout));
		r.add("POST", "/saveSIP", this.#wrap(this.#save));
		r.add("POST", "/adminPassword", this.#wrap(this.#changeAdmin));
		r.add("GET", "/sipDebug", this.#wrap(this.#debug));
		r.add("GET", "/events", this.#wrap(this.#events));
		r.add("POST", "/ring/sip", this.#wrap(this.#ring));
		r.add("GET", "/ring/sip", this.#wrap(ringNeedsPost));
		r.add("POST", "/camera/key", this.#wrap(this.#renewCameraKey));
		if (options.wifi) {
			r.add("GET", "/wifi", this.#wrap(this.#wifiPage));
			r.add("POST", "/wifi", this.#wrap(this.#chooseWifi));
			// Answered only while the access point is open (#answer sends them to /wifi then); so is
			// another host at any path the door lacks (GNOME's check_network_status.txt, a page a
			// browser opens again), which the server would otherwise answer 404 without asking.
			const notFound = this.#wrap(portalNotFound);
			for (const path of PORTAL_PROBES) r.add("GET", path, notFound);
			r.add("GET", ANY_PATH, notFound);
		}
	}

	/** Adds a GET route that answers only a signed-in browser (and only to a local Host), as /sipDebug does. */
	addSignedInGet(path: string, handler: (request: HttpRequest) => HttpResponse): void {
		this.#o.routes.add("GET", path, this.#wrap(this.#signedInGet.bind(this, handler)));
	}

	#signedInGet(handler: (request: HttpRequest) => HttpResponse, request: HttpRequest): HttpResponse {
		this.#authorize(request);
		return handler(request);
	}

	/**
	 * Adds an upload route (POST, the body streamed to a sink) for a signed-in browser: Host check,
	 * session, same origin and the CSRF token in the X-CSRF-Token header, all before the body is read.
	 * False where the provider's server cannot stream.
	 */
	addSignedInUpload(path: string, start: (request: HttpRequest, length: number, close: () => void) => UploadSink | HttpResponse): boolean {
		if (!this.#o.routes.addUpload) return false;
		this.#o.routes.addUpload(path, this.#wrap(this.#signedInUpload.bind(this, start)));
		return true;
	}

	#signedInUpload(start: (request: HttpRequest, length: number, close: () => void) => UploadSink | HttpResponse, request: HttpRequest, length: number, close: () => void): UploadSink | HttpResponse {
		this.#authorize(request, {});
		return start(request, length, close);
	}

	/** The CSRF token of the request's session ("" without one), for a page's script. */
	csrfOf(request: HttpRequest): string {
		return this.#session(request)?.csrf ?? "";
	}

	/** The token the first-run form carries (changes after each use). */
	get setupToken(): string {
		return this.#setupToken;
	}

	#newSetupToken(): void {
		const bytes = new Uint8Array(16);
		this.#o.random(bytes);
		this.#setupToken = hex(bytes);
	}

	/**
	 * Forgets the admin password (the board's BOOT button held): the record goes, damaged or not,
	 * every session ends, and the next visit shows the first-run page with a fresh form. Returns
	 * whether there was a record. Throws when the store fails.
	 */
	resetAdmin(): boolean {
		const was = this.admin.isSet;
		this.admin.clear();
		this.sessions.clear();
		this.#newSetupToken();
		return was;
	}

	/** A fresh nonce for a page's Content-Security-Policy. */
	nonce(): string {
		const bytes = new Uint8Array(12);
		this.#o.random(bytes);
		return hex(bytes);
	}

	/**
	 * The handler behind the Host check, a BadRequest it throws turned into its answer. A bound
	 * function, not a closure: on the device a closure made at run time by a preloaded module
	 * gets a copy of its code in the XS chunk heap, per closure (this one's was 544 bytes, 29
	 * times); a bound function holds only references.
	 */
	#wrap<A extends unknown[], T>(handler: (this: WebApp, request: HttpRequest, ...rest: A) => T): (request: HttpRequest, ...rest: A) => T | HttpResponse {
		const answer: (this: WebApp, handler: (this: WebApp, request: HttpRequest, ...rest: A) => T, request: HttpRequest, ...rest: A) => T | HttpResponse = this.#answer;
		return answer.bind(this, handler);
	}

	#answer<A extends unknown[], T>(handler: (this: WebApp, request: HttpRequest, ...rest: A) => T, request: HttpRequest, ...rest: A): T | HttpResponse {
		const allowed = (this.#o.isAllowedHost ?? isLocalHost)(header(request, "host"));
		const portal = this.#o.wifi?.accessPointAddress;
		// On the set-up access point every name resolves to the door: show the set-up page.
		if (portal && request.method === "GET" && (!allowed || PORTAL_PROBES.includes(request.path))) return redirect(`http://${portal}/wifi`);
		if (!allowed) return { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "This doorbell answers only to its address or local name.\n" };
		try {
			return handler.call(this, request, ...rest);
		} catch (error) {
			if (error instanceof BadRequest) return this.#problem(request, error.status, error.message);
			throw error;
		}
	}

	#home(): HttpResponse {
		return redirect(this.#o.wifi?.state === "none" ? "/wifi" : "/sip");
	}

	#problem(request: HttpRequest, status: number, message: string): HttpResponse {
		if (wantsJson(request) || request.method === "GET") return json(status, { ok: false, error: message });
		return html(status, `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Doorbell</title><p>${escapeHtml(message)}</p><p><a href="/sip">Back to the settings</a></p>`, this.nonce());
	}

	#session(request: HttpRequest): Session | undefined {
		return this.sessions.find(cookie(request, SESSION_COOKIE));
	}

	/** The session of a request that may change something: signed in, same origin, CSRF token. */
	#authorize(request: HttpRequest, fields?: Record<string, unknown>): Session {
		if (!this.admin.isSet) throw new BadRequest(403, "set the admin password first: open /sip");
		const session = this.#session(request);
		if (!session) throw new BadRequest(401, "sign in first (the page /sip, or POST /login)");
		if (request.method !== "GET") {
			const origin = crossOriginProblem(request);
			if (origin) throw new BadRequest(403, origin);
			const token = header(request, "x-csrf-token") || (typeof fields?.csrf === "string" ? fields.csrf : "");
			if (!sameText(token, session.csrf)) throw new BadRequest(403, "the form has expired or did not come from this page: reload /sip and try again");
		}
		return session;
	}

	#page(request: HttpRequest): HttpResponse {
		// A part is asked for by the settings page's script, which puts a 200's text into the status
		// box: a page left open after the BOOT button reset gets a refusal there, not the first run.
		if (!this.admin.isSet && request.query?.part) throw new BadRequest(403, "set the admin password first: open /sip");
		const nonce = this.nonce();
		if (!this.admin.isSet) return html(200, firstRunPage(this.#setupToken, nonce), nonce);
		const session = this.#session(request);
		if (!session) {
			if (request.query?.part) return json(401, { ok: false, error: "sign in first" });
			return html(200, loginPage(nonce, undefined, this.admin.damaged, this.#o.bootButton), nonce);
		}
		const status = publicStatus(this.#o.status());
		if (request.query?.part === "status") return html(200, statusBlock(status), nonce);
		const { values, problems } = this.#o.settings.values();
		return html(200, settingsPage({ values, errors: {}, problems, ...this.#stored(), csrf: session.csrf, status, events: this.#o.events?.(), notice: this.#notice(request.query?.n), cameraUrl: this.#cameraUrl(request) }, nonce), nonce);
	}

	#cameraUrl(request: HttpRequest): string | undefined {
		return this.#o.cameraKey?.url(header(request, "host"));
	}

	/** A new live-image key: the old URL answers 403 from now on. */
	#renewCameraKey(request: HttpRequest): HttpResponse {
		this.#authorize(request, wantsJson(request) && request.body === "" ? {} : readFields(request));
		const camera = this.#o.cameraKey;
		if (!camera) throw new BadRequest(404, "this doorbell has no live image");
		camera.renew();
		this.#o.log.info("web: new live-image key (the old URL no longer works)");
		if (wantsJson(request)) return json(200, { ok: true, url: camera.url(header(request, "host")) });
		return redirect("/sip?n=camera-key");
	}

	/** Which passwords are stored (the page says so; it never shows them). */
	#stored(): { hasPassword: boolean; hasMqttPassword: boolean } {
		return { hasPassword: this.#o.settings.hasPassword(), hasMqttPassword: this.#o.settings.hasSecret("password") };
	}

	#notice(code: string | undefined): Words | undefined {
		if (code === "saved") return { tone: "ok", text: "Saved." };
		// Every key that waits for a restart (keys.ts, restart: true), as the redirect does not say which changed.
		if (code === "saved-restart") return { tone: "ok", text: "Saved. A new local port, name on the network or bell button's GPIO is used after a restart." };
		if (code === "admin") return { tone: "ok", text: "Admin password changed." };
		if (code === "set") return { tone: "ok", text: "Admin password set. Now enter the SIP account." };
		if (code === "camera-key") return { tone: "ok", text: "New live-image URL: paste it into the FRITZ!Box again." };
		if (code === "rang") return { tone: "ok", text: "Ringing…" };
		if (code === "notring") return { tone: "bad", text: `Not ringing: ${this.#lastRing || "unknown reason"}` };
		return undefined;
	}

	#signedIn(request: HttpRequest, location: string): HttpResponse {
		const { token, session } = this.sessions.create();
		const setCookie = { "Set-Cookie": sessionCookie(token) };
		return wantsJson(request) ? json(200, { ok: true, csrf: session.csrf }, setCookie) : redirect(location, setCookie);
	}

	#setup(request: HttpRequest): HttpResponse {
		if (this.admin.isSet) throw new BadRequest(403, "the admin password is already set");
		const origin = crossOriginProblem(request);
		if (origin) throw new BadRequest(403, origin);
		const fields = readFields(request);
		if (!sameText(String(fields.token ?? ""), this.#setupToken)) throw new BadRequest(403, "the set-up form has expired: reload /sip");
		const password = String(fields.password ?? "");
		const repeat = fields.repeat === undefined ? password : String(fields.repeat);
		const problem = adminPasswordProblem(password) ? `The password ${adminPasswordProblem(password)}.` : password !== repeat ? "The two passwords differ." : undefined;
		if (problem) {
			if (wantsJson(request)) return json(400, { ok: false, errors: { password: problem } });
			const nonce = this.nonce();
			return html(400, firstRunPage(this.#setupToken, nonce, problem), nonce);
		}
		this.admin.set(password);
		this.#newSetupToken();
		this.#o.log.info("web: admin password set");
		return this.#signedIn(request, "/sip?n=set");
	}

	#login(request: HttpRequest): HttpResponse {
		if (!this.admin.isSet) throw new BadRequest(403, "set the admin password first: open /sip");
		const origin = crossOriginProblem(request);
		if (origin) throw new BadRequest(403, origin);
		const fields = readFields(request);
		if (!this.#checkAdmin(request, String(fields.password ?? ""))) {
			if (wantsJson(request)) return json(401, { ok: false, error: "wrong password" });
			const nonce = this.nonce();
			return html(401, loginPage(nonce, "Wrong password.", this.admin.damaged, this.#o.bootButton), nonce);
		}
		return this.#signedIn(request, "/sip");
	}

	/** Checks the admin password; wrong ones are throttled per client and overall (web/sign-in-throttle.ts): 429 meanwhile. */
	#checkAdmin(request: HttpRequest, password: string): boolean {
		const throttle = this.signInThrottle;
		const wait = throttle.wait(request.remoteAddress);
		if (wait > 0) throw new BadRequest(429, `too many wrong passwords: wait ${Math.ceil(wait / 1000)} s`);
		if (!this.admin.verify(password)) {
			throttle.failed(request.remoteAddress);
			this.#o.log.warn(`web: wrong admin password${request.remoteAddress ? ` from ${request.remoteAddress}` : ""}`);
			return false;
		}
		throttle.succeeded(request.remoteAddress);
		return true;
	}

	/** A new admin password: the current one again, the new one twice; every session ends, this one is renewed. */
	#changeAdmin(request: HttpRequest): HttpResponse {
		const fields = readFields(request);
		const session = this.#authorize(request, fields);
		const password = String(fields.password ?? "");
		const repeat = fields.repeat === undefined ? password : String(fields.repeat);
		const errors: Record<string, string> = {};
		if (!this.#checkAdmin(request, String(fields.current ?? ""))) errors.current = "Wrong password.";
		const problem = adminPasswordProblem(password);
		if (problem) errors.password = `The password ${problem}.`;
		else if (password !== repeat) errors.password = "The two passwords differ.";
		if (Object.keys(errors).length) {
			if (wantsJson(request)) return json(400, { ok: false, errors });
			const { values, problems } = this.#o.settings.values();
			const nonce = this.nonce();
			return html(400, settingsPage({ values, errors: {}, problems, adminErrors: errors, ...this.#stored(), csrf: session.csrf, status: publicStatus(this.#o.status()), cameraUrl: this.#cameraUrl(request) }, nonce), nonce);
		}
		this.admin.set(password);
		this.sessions.clear();
		this.#o.log.info("web: admin password changed; all sessions ended");
		return this.#signedIn(request, "/sip?n=admin");
	}

	/**
	 * Before the first run the set-up token guards the Wi-Fi form; after it, a session does: the
	 * caller's, already authorized (a POST's CSRF token is in its form, which only the caller read).
	 */
	#wifiView(wifi: WifiSetup, session: Session | undefined, error?: string, chosen?: string): HttpResponse {
		const nonce = this.nonce();
		const firstRun = !this.admin.isSet;
		const view = { state: wifi.state, ssid: wifi.ssid, address: wifi.address, networks: wifi.networks, fixedByBuild: wifi.fixedByBuild, firstRun, error, chosen,
			tokenName: session ? "csrf" as const : "token" as const, token: session ? session.csrf : this.#setupToken };
		return html(error ? 400 : 200, wifiPage(view, nonce), nonce);
	}

	#wifiPage(request: HttpRequest): HttpResponse {
		const wifi = this.#o.wifi!;
		if (this.admin.isSet && !this.#session(request)) return redirect("/sip");
		const session = this.admin.isSet ? this.#authorize(request) : undefined;
		if (request.query?.scan || !wifi.networks.length) wifi.scan();
		return this.#wifiView(wifi, session);
	}

	#chooseWifi(request: HttpRequest): HttpResponse {
		const wifi = this.#o.wifi!;
		const fields = readFields(request);
		let session: Session | undefined;
		if (this.admin.isSet) session = this.#authorize(request, fields);
		else {
			const origin = crossOriginProblem(request);
			if (origin) throw new BadRequest(403, origin);
			if (!sameText(String(fields.token ?? ""), this.#setupToken)) throw new BadRequest(403, "the set-up form has expired: reload /wifi");
		}
		if (wifi.fixedByBuild) throw new BadRequest(409, "this door was built for one network; it cannot be changed here");
		const ssid = String(fields.other ?? "") || String(fields.ssid ?? "");
		const password = String(fields.password ?? "");
		const problem = ssidProblem(ssid) ?? wifiPasswordProblem(password);
		if (problem) {
			if (wantsJson(request)) return json(400, { ok: false, error: problem });
			return this.#wifiView(wifi, session, `Not joined: ${problem}.`, ssid);
		}
		wifi.choose({ ssid, password });
		if (wantsJson(request)) return json(200, { ok: true, ssid });
		return redirect("/wifi");
	}

	#logout(request: HttpRequest): HttpResponse {
		this.#authorize(request, readFields(request));
		this.sessions.end(cookie(request, SESSION_COOKIE));
		return wantsJson(request) ? json(200, { ok: true }, { "Set-Cookie": clearedCookie() }) : redirect("/sip", { "Set-Cookie": clearedCookie() });
	}

	#save(request: HttpRequest): HttpResponse {
		const fields = readFields(request);
		const session = this.#authorize(request, fields);
		delete fields.csrf;
		const result = this.#o.settings.save(fields);
		if (!result.ok) {
			this.#o.log.warn(`web: settings not saved (${Object.keys(result.errors).join(", ")})`);
			if (wantsJson(request)) return json(400, { ok: false, errors: result.errors });
			// The page again with what was typed (never the password) and the messages by the fields;
			// a bad stored value's message only where the field still shows that value.
			const { values, problems } = this.#o.settings.values();
			for (const key of Object.keys(fields)) {
				if (keySpec(key)?.kind === "secret" || !(key in values) || (typeof fields[key] !== "string" && typeof fields[key] !== "number")) continue;
				values[key] = fields[key] as string | number;
				delete problems[key];
			}
			const nonce = this.nonce();
			return html(400, settingsPage({ values, errors: result.errors, problems, ...this.#stored(), csrf: session.csrf, status: publicStatus(this.#o.status()), cameraUrl: this.#cameraUrl(request) }, nonce), nonce);
		}
		if (result.changed.length) {
			this.#o.log.info(`web: settings saved (${result.changed.join(", ")})`);
			try {
				this.#o.onSaved?.(result.changed);
			} catch (error) {
				// The save stands; what did not apply is logged (a bad stored key counts as its default instead).
				this.#o.log.error(`web: saved, but not applied yet: ${(error as Error)?.message ?? error}`);
			}
		}
		const restart = result.changed.some(needsRestart);
		if (wantsJson(request)) return json(200, { ok: true, changed: result.changed, restart_needed: restart });
		return redirect(restart ? "/sip?n=saved-restart" : "/sip?n=saved");
	}

	#debug(request: HttpRequest): HttpResponse {
		this.#authorize(request);
		return json(200, publicStatus(this.#o.status()));
	}

	#events(request: HttpRequest): HttpResponse {
		this.#authorize(request);
		return json(200, { events: this.#o.events?.() ?? [] });
	}

	#ring(request: HttpRequest): HttpResponse {
		const fields = wantsJson(request) && request.body === "" ? {} : readFields(request);
		this.#authorize(request, fields);
		const raw = request.query?.button ?? fields.button;
		const button = raw === undefined || raw === "" ? 1 : Number(raw);
		if (!Number.isInteger(button) || button < 1 || button > 4) throw new BadRequest(400, "button must be 1, 2, 3 or 4");
		const result = this.#o.ring(button);
		this.#lastRing = result.ok ? "" : result.reason ?? "";
		if (wantsJson(request)) return json(result.ok ? 200 : 409, result);
		return redirect(result.ok ? "/sip?n=rang" : "/sip?n=notring");
	}
}

/** Adds the web routes to the provider's route table. */
export function addWebRoutes(options: WebOptions): WebApp {
	return new WebApp(options);
}
