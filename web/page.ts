/*
 * The /sip pages as HTML built from strings: the first-run page (set the admin password), the
 * login page and the settings page with the status. Every value passes through escapeHtml.
 * The settings form works without JavaScript; the one small script only refreshes the status
 * and sends the test ring without leaving the page.
 */

import { keySpec, type SettingValue } from "../config/keys.js";
import { escapeHtml as e } from "./escape.js";
import { STYLE } from "./page-style.js";
import { BOOT_HOLD_MS } from "../hardware/button-hold.js";
import { errorWords, isRegistrationError, registrationWords, type Words } from "./status-words.js";

export function layout(title: string, body: string, nonce: string, script = ""): string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(title)}</title><style>${STYLE}</style></head><body><main><h1>${e(title)}</h1>${body}</main>${script ? `<script nonce="${e(nonce)}">${script}</script>` : ""}</body></html>`;
}

export function note(words: Words | undefined): string {
	return words ? `<p class="note ${words.tone}" role="status">${e(words.text)}</p>` : "";
}

export function hidden(name: string, value: string): string {
	return `<input type="hidden" name="${e(name)}" value="${e(value)}">`;
}

/**
 * The admin password has no user name, but password managers file a password under the user
 * field before it (without one Chromium warns, and a saved password may not be offered at the
 * sign-in): a hidden field names the one user. The routes read no such field.
 */
const ADMIN_USER = `<input type="text" name="username" value="admin" autocomplete="username" hidden readonly>`;

interface FieldOptions {
	type?: string;
	hint?: string;
	inputmode?: string;
	autocomplete?: string;
	placeholder?: string;
	/** Words for people (a name shown on the handsets): a phone's keyboard may capitalise and correct them. */
	prose?: boolean;
	/**
	 * The id is `f_<id>` in place of `f_<name>`, where a field of another form on the page has the
	 * same name: the admin password's form posts `password` as the MQTT password's field does, and
	 * a label names the first element with its id.
	 */
	id?: string;
}

export function field(name: string, label: string, value: string, error: string | undefined, options: FieldOptions = {}): string {
	const id = `f_${options.id ?? name}`;
	const described = error ? ` aria-invalid="true" aria-describedby="${id}_e"` : options.hint ? ` aria-describedby="${id}_h"` : "";
	const attributes = [
		`type="${options.type ?? "text"}"`,
		options.type === "password" ? "" : `value="${e(value)}"`,
		options.inputmode ? `inputmode="${options.inputmode}"` : "",
		`autocomplete="${options.autocomplete ?? "off"}"`,
		// What a machine reads (addresses, numbers, URLs, a network's name): a phone's keyboard
		// would write "Http://…" or "Fritz.box", or "correct" a user name.
		(options.type ?? "text") === "text" && !options.prose ? `autocapitalize="none" autocorrect="off" spellcheck="false"` : "",
		options.placeholder ? `placeholder="${e(options.placeholder)}"` : "",
	].filter(Boolean).join(" ");
	return `<label for="${id}">${e(label)}</label><input id="${id}" name="${e(name)}" ${attributes}${described}>${error ? `<p class="err" id="${id}_e">${e(error)}</p>` : options.hint ? `<p class="hint" id="${id}_h">${e(options.hint)}</p>` : ""}`;
}

/** First run: nothing but setting the admin password. */
export function firstRunPage(token: string, nonce: string, error?: string): string {
	return layout("Doorbell set-up", `<section><p>Choose the password that protects these settings. You will need it to sign in from now on.</p><form method="post" action="/setup">${hidden("token", token)}${ADMIN_USER}${field("password", "Admin password", "", error, { type: "password", autocomplete: "new-password", hint: "At least 8 characters." })}${field("repeat", "Repeat the password", "", undefined, { type: "password", autocomplete: "new-password" })}<button type="submit">Set password</button></form></section>`, nonce);
}

/**
 * Where the stored admin password record cannot be read (web/admin-credential.ts): what removes
 * it, the BOOT button only on a board that has one (`boot_button_pin` -1: none).
 */
function adminDamaged(bootButton: boolean): string {
	const remove = bootButton ? `Hold the BOOT button on the board (inside the housing) for ${BOOT_HOLD_MS / 1000} s, or remove` : "The board has no button that resets it: remove";
	return `The stored admin password is damaged: no password signs in. ${remove} the admin key of the web namespace (see the README); the next visit then shows the first-run page. The door itself goes on working.`;
}

/** The sign-in; with `damaged` (no password signs in) it says how to remove the record, with `bootButton` by the board's BOOT button. */
export function loginPage(nonce: string, error?: string, damaged = false, bootButton = false): string {
	return layout("Doorbell", `<section>${damaged ? note({ tone: "bad", text: adminDamaged(bootButton) }) : ""}<form method="post" action="/login">${ADMIN_USER}${field("password", "Admin password", "", error, { type: "password", autocomplete: "current-password" })}<button type="submit">Sign in</button></form></section>`, nonce);
}

const DOOR_KIND: Record<string, string> = Object.freeze({
	opened: "Door opened",
	wrong_code: "Wrong code",
	locked_out: "Call locked out",
	refused: "Code refused",
	lockout_started: "Door locked out",
	lockout_ended: "Lock-out over",
	ignored: "Digits ignored",
});

/** The door's lock-out in force, and the warning about the default code. */
function doorNotes(status: Record<string, unknown>): string {
	let out = "";
	const lockout = status.door_lockout as Record<string, unknown> | null | undefined;
	if (lockout && typeof lockout === "object" && lockout.active === true) {
		const minutes = Math.max(1, Math.ceil(Number(lockout.remaining_s) / 60) || 1);
		out += note({ tone: "bad", text: `Door locked out after too many wrong codes: every code is refused for ${minutes} more min.` });
	}
	if (typeof status.door_warning === "string" && status.door_warning) out += note({ tone: "warn", text: `Warning: ${status.door_warning}.` });
	return out;
}

function doorEvents(status: Record<string, unknown>): string {
	const list = Array.isArray(status.door_events) ? (status.door_events as unknown[]).slice(-5).reverse() : undefined;
	if (!list) return "";
	if (list.length === 0) return "<p>Door: no events yet.</p>";
	const items = list.map((item) => {
		if (typeof item !== "object" || item === null) return `<li>${e(item)}</li>`;
		const event = item as Record<string, unknown>;
		const kind = DOOR_KIND[String(event.kind)] ?? String(event.kind ?? "event");
		const time = typeof event.time === "string" ? event.time.replace("T", " ").slice(0, 19) : "";
		const parts = [time, kind, event.caller ? `by ${event.caller}` : "", event.reason && event.kind !== "opened" ? `(${event.reason})` : "", Number(event.count) > 1 ? `×${event.count}` : ""].filter(Boolean);
		return `<li>${e(parts.join(" "))}</li>`;
	});
	return `<p>Door, latest first:</p><ul>${items.join("")}</ul>`;
}

/** The running call's media hint from the status (media.session.hint), "" when none. */
function callHint(status: Record<string, unknown>): string {
	const media = status.media as { session?: { hint?: unknown } | null } | null | undefined;
	const hint = media?.session?.hint;
	return typeof hint === "string" ? hint : "";
}

/** The stored settings that fail their check, each with what the door does meanwhile. */
function settingsNotes(status: Record<string, unknown>): string {
	const problems = status.settings_problems;
	return Array.isArray(problems) ? problems.map(settingsNote).join("") : "";
}

function settingsNote(problem: unknown): string {
	return note({ tone: "bad", text: `${String(problem)}.` });
}

/** The status block: registration, last error, bad stored settings, the call, door events. Also served alone for the refresh. */
export function statusBlock(status: Record<string, unknown>): string {
	const registration = registrationWords(status);
	const lastError = typeof status.last_error === "string" ? status.last_error : "";
	const stale = status.registered === true && isRegistrationError(lastError);
	const errorLine = lastError && registration.tone !== "bad" && !stale ? `<p>Last problem: ${e(errorWords(lastError, status))}</p>` : "";
	const call = typeof status.call === "string" && status.call !== "idle" ? `<p>Call: ${e(status.call)}</p>` : "";
	const hint = callHint(status);
	return `${note(registration)}${errorLine}${settingsNotes(status)}${call}${hint ? note({ tone: "warn", text: hint }) : ""}${doorNotes(status)}${doorEvents(status)}`;
}

export interface SettingsView {
	values: Record<string, SettingValue | undefined>;
	/** Messages of a save that failed, by key (`_store` for the store). */
	errors: Record<string, string>;
	/** Stored values that fail their check, by key: shown at their fields, where the next save puts them right. */
	problems?: Record<string, string>;
	hasPassword: boolean;
	csrf: string;
	status: Record<string, unknown>;
	notice?: Words;
	/** Messages of the admin password form, by field (current, password). */
	adminErrors?: Record<string, string>;
	/** Whether an MQTT password is stored. */
	hasMqttPassword?: boolean;
	/** The event history, newest first, with `text` and `time`. */
	events?: Array<{ time: string | null; text: string }>;
	/** The live-image URL with its key, for the FRITZ!Box; absent without a camera key. */
	cameraUrl?: string;
}

/** The history: newest first, each event's time (or "—" before the clock is set) and words. */
function history(events: Array<{ time: string | null; text: string }> | undefined): string {
	if (!events) return "";
	const items = events.map((event) => {
		// UTC as written; the page's script shows it in the browser's time zone (the door has none).
		if (typeof event.time !== "string") return `<li>— ${e(event.text)}</li>`;
		return `<li><time datetime="${e(event.time)}">${e(event.time.replace("T", " ").slice(0, 19))}</time> ${e(event.text)}</li>`;
	});
	return `<section><details><summary>Events (${events.length}, newest first)</summary>${items.length ? `<ol>${items.join("")}</ol>` : "<p>No events yet.</p>"}<p class="hint">Times in this browser's time zone (in UTC where scripts are off). As JSON: <a href="/events">/events</a>.</p></details></section>`;
}

const ADVANCED = Object.freeze(["sip_port", "local_port", "rtp_port", "ring_timeout", "talk_limit", "digest_uri", "allow_any_src", "hostname"]);
const HOME = Object.freeze(["host", "port", "user", "password", "prefix", "discovery", "door_open", "url1", "url2"]);

const SCRIPT = `(function(){var s=document.getElementById("status"),c=document.querySelector("meta[name=csrf]").content;function r(){fetch("/sip?part=status",{credentials:"same-origin"}).then(function(x){return x.ok?x.text():""}).then(function(t){if(t)s.innerHTML=t})}setInterval(r,5000);var f=document.getElementById("ring");f.addEventListener("submit",function(v){v.preventDefault();fetch("/ring/sip",{method:"POST",credentials:"same-origin",headers:{"X-CSRF-Token":c,Accept:"application/json"}}).then(function(x){return x.json()}).then(function(j){n(j.ok,j.ok?"Ringing \u2026":"Not ringing: "+(j.reason||j.error||"error"));setTimeout(r,1500)}).catch(function(){n(false,"Not ringing: no answer from the door")})});function n(ok,t){var p=document.getElementById("rang");p.className="note "+(ok?"ok":"bad");p.textContent=t;p.hidden=false}function p(n){return(n<10?"0":"")+n}document.querySelectorAll("time[datetime]").forEach(function(t){var d=new Date(t.getAttribute("datetime"));if(!isNaN(d))t.textContent=d.getFullYear()+"-"+p(d.getMonth()+1)+"-"+p(d.getDate())+" "+p(d.getHours())+":"+p(d.getMinutes())+":"+p(d.getSeconds())})})();`;

function check(name: string, label: string, on: boolean, error: string | undefined): string {
	return `${hidden(name, "0")}<label class="check"><input type="checkbox" name="${e(name)}" value="1"${on ? " checked" : ""}> ${e(label)}</label>${error ? `<p class="err">${e(error)}</p>` : ""}`;
}

/** Bell buttons 2-4 (button 1 rings the number above): each its own number, caller name and GPIO. */
function bellFields(v: (key: string) => string, err: (key: string) => string | undefined): string {
	let buttons = "";
	let open = false;
	for (let n = 2; n <= 4; n++) {
		const k = (name: string) => `bell${n}_${name}`;
		if (err(k("target")) || err(k("name")) || err(k("pin")) || err(k("gong"))) open = true;
		buttons += `${field(k("target"), `Button ${n}: number to ring`, v(k("target")), err(k("target")), { hint: n === 2 ? "Empty: not used. E.g. **612, or the number of a FRITZ!Box bell button." : "Empty: not used." })}${field(k("name"), `Button ${n}: caller name`, v(k("name")), err(k("name")), { prose: true, hint: n === 2 ? "Shown on the handsets, e.g. Gartentor." : undefined })}${field(k("pin"), `Button ${n}: GPIO`, v(k("pin")), err(k("pin")), { inputmode: "numeric", hint: "Used after a restart." })}${check(k("gong"), `Button ${n} sounds the gong`, v(k("gong")) === "1", err(k("gong")))}`;
	}
	return `<fieldset><legend>Bell buttons</legend>${check("bell1_gong", "Button 1 sounds the gong", v("bell1_gong") === "1", err("bell1_gong"))}<details${open ? " open" : ""}><summary>Buttons 2 to 4</summary>${buttons}</details></fieldset>`;
}

/** The live image: on or off, and the URL to paste into the FRITZ!Box (it carries the key). */
function cameraFields(view: SettingsView, enabled: boolean, error: string | undefined): string {
	if (!view.cameraUrl) return "";
	const open = enabled ? `<p><a href="${e(view.cameraUrl)}">Open the live image</a></p>` : "";
	return `<fieldset><legend>Live image</legend>${hidden("cam_enabled", "0")}<label class="check"><input type="checkbox" name="cam_enabled" value="1"${enabled ? " checked" : ""}> Camera on (the FRITZ!Box shows it on FRITZ!Fon handsets)</label>${error ? `<p class="err">${e(error)}</p>` : ""}<label for="f_camera_url">Live-image URL for the FRITZ!Box</label><input id="f_camera_url" readonly value="${e(view.cameraUrl)}" aria-describedby="f_camera_url_h"><p class="hint" id="f_camera_url_h">Anyone with this URL sees the door: keep it in the FRITZ!Box only.</p>${open}</fieldset>`;
}

function cameraKeyForm(view: SettingsView): string {
	if (!view.cameraUrl) return "";
	return `<form method="post" action="/camera/key">${hidden("csrf", view.csrf)}<button class="alt" type="submit">New live-image URL</button></form>`;
}

function adminForm(view: SettingsView): string {
	const errors = view.adminErrors ?? {};
	const open = Object.keys(errors).length ? " open" : "";
	return `<form method="post" action="/adminPassword">${hidden("csrf", view.csrf)}${ADMIN_USER}<fieldset><details${open}><summary>Admin password</summary>${field("current", "Current admin password", "", errors.current, { type: "password", autocomplete: "current-password", id: "admin_current" })}${field("password", "New admin password", "", errors.password, { type: "password", autocomplete: "new-password", hint: "At least 8 characters. Other signed-in browsers are signed out.", id: "admin_password" })}${field("repeat", "Repeat the new password", "", undefined, { type: "password", autocomplete: "new-password", id: "admin_repeat" })}<button type="submit">Change admin password</button></details></fieldset></form>`;
}

export function settingsPage(view: SettingsView, nonce: string): string {
	const v = (key: string) => (view.values[key] === undefined ? "" : String(view.values[key]));
	const err = (key: string) => view.errors[key] ?? view.problems?.[key];
	const num = (key: string, label: string, hint?: string) => field(key, label, v(key), err(key), { inputmode: "numeric", hint });
	const advancedOpen = ADVANCED.some((key) => err(key)) ? " open" : "";
	const storeError = view.errors._store ? `<p class="note bad" role="alert">${e(view.errors._store)}</p>` : "";
	const unknown = Object.keys(view.errors).filter((key) => key !== "_store" && !keySpec(key));
	const unknownError = unknown.length ? `<p class="note bad" role="alert">${e(unknown.map((key) => `${key}: ${view.errors[key]}`).join("; "))}</p>` : "";
	const anyError = Object.keys(view.errors).length ? `<p class="note bad" role="alert">Nothing was saved: please correct the marked fields.</p>` : "";
	const digest = v("digest_uri");
	const homeOpen = HOME.some((key) => err(key)) ? " open" : "";
	const homeFields = `<fieldset><details${homeOpen}><summary>Home Assistant, MQTT and webhooks</summary>${field("host", "MQTT broker", v("host"), err("host"), { hint: "Host name or address; empty turns MQTT off." })}${num("port", "MQTT port")}${field("user", "MQTT user", v("user"), err("user"))}${field("password", "MQTT password", "", err("password"), { type: "password", autocomplete: "new-password", placeholder: view.hasMqttPassword ? "unchanged" : "", hint: view.hasMqttPassword ? "Leave empty to keep the stored password." : "" })}${field("prefix", "Topic prefix", v("prefix"), err("prefix"))}${field("discovery", "Discovery prefix", v("discovery"), err("discovery"), { hint: "homeassistant for Home Assistant; empty: no discovery." })}${check("door_open", "Open the door by MQTT (the command must carry the door code)", v("door_open") === "1", err("door_open"))}${field("url1", "Webhook 1", v("url1"), err("url1"), { inputmode: "url", hint: "http:// URL that gets every event as JSON." })}${field("url2", "Webhook 2", v("url2"), err("url2"), { inputmode: "url" })}</details></fieldset>`;
	const body = `${note(view.notice)}<section aria-live="polite"><h2>Status</h2><div id="status">${statusBlock(view.status)}</div><form id="ring" method="post" action="/ring/sip">${hidden("csrf", view.csrf)}<p id="rang" class="note" hidden></p><button type="submit">Test ring</button></form><p><a href="/diag">Diagnostics: SIP messages, call audio, device</a></p><p><a href="/update">Firmware ${e(view.status.version ?? "")}: update</a></p></section>
<form method="post" action="/saveSIP" novalidate>${hidden("csrf", view.csrf)}${anyError}${storeError}${unknownError}
<fieldset><legend>SIP account</legend>${field("sip_user", "User name", v("sip_user"), err("sip_user"), { hint: "As set for this IP phone in the FRITZ!Box, e.g. 620." })}${field("sip_password", "Password", "", err("sip_password"), { type: "password", autocomplete: "new-password", placeholder: view.hasPassword ? "unchanged" : "", hint: view.hasPassword ? "Leave empty to keep the stored password." : "No password stored yet." })}${field("sip_displayname", "Display name", v("sip_displayname"), err("sip_displayname"), { prose: true, hint: "Shown on the handsets." })}${field("sip_server", "PBX address", v("sip_server"), err("sip_server"), { hint: "fritz.box or the PBX's IP address." })}${field("sip_target", "Number to ring", v("sip_target"), err("sip_target"), { hint: "**610 rings one handset, **9 all of them." })}</fieldset>
<fieldset><legend>Door opener</legend>${field("code", "Door code", v("code"), err("code"), { inputmode: "tel", hint: "1 to 16 keys (digits, * and #), typed on a handset during a call; the FRITZ!Box's Zeichenfolge für Türöffner, e.g. #9." })}${num("pulse_ms", "Relay pulse (ms)", "100 to 10000.")}${num("max_openings", "Openings per call", "1 to 9.")}${num("hangup_after", "Hang up after opening (s)", "0 keeps the call; 1 to 60 ends it that long after the door opened.")}${check("auto_answer", "Answer a handset's call to the door at once (a short tone at the door says so, every 30 s); off: the call rings the door's chime", v("auto_answer") === "1", err("auto_answer"))}</fieldset>
${bellFields(v, err)}
<fieldset><legend>Sound</legend>${check("hd_voice", "HD voice: G.722 (wideband) when the other side has it, else G.711", v("hd_voice") === "1", err("hd_voice"))}${check("aec", "Echo control: the handset does not hear itself back from the door's speaker (from the next call)", v("aec") === "1", err("aec"))}</fieldset>
${cameraFields(view, v("cam_enabled") === "1", err("cam_enabled"))}
<fieldset><details${advancedOpen}><summary>Advanced</summary>${field("hostname", "Name on the network", v("hostname"), err("hostname"), { hint: "The page answers at http://<name>.local/sip. Used after a restart." })}${num("sip_port", "PBX port")}${num("local_port", "Local SIP port", "Used after a restart.")}${num("rtp_port", "RTP port", "Used after a restart.")}${num("ring_timeout", "Ring for (seconds)", "5 to 300.")}${num("talk_limit", "Talk at most (seconds)", "10 to 3600.")}<label for="f_digest_uri">Digest URI</label><select id="f_digest_uri" name="digest_uri"><option value="request"${digest === "request" ? " selected" : ""}>Request URI (standard)</option><option value="registrar"${digest === "registrar" ? " selected" : ""}>Registrar URI (some FRITZ!OS versions)</option></select>${err("digest_uri") ? `<p class="err">${e(err("digest_uri"))}</p>` : ""}${hidden("allow_any_src", "0")}<label class="check"><input type="checkbox" name="allow_any_src" value="1"${v("allow_any_src") === "1" ? " checked" : ""}> Accept calls from any address (not only the PBX)</label>${err("allow_any_src") ? `<p class="err">${e(err("allow_any_src"))}</p>` : ""}</details></fieldset>
${homeFields}<button type="submit">Save</button></form>
${history(view.events)}${cameraKeyForm(view)}${adminForm(view)}<form method="post" action="/logout">${hidden("csrf", view.csrf)}<button class="alt" type="submit">Sign out</button></form>`;
	return layout("Doorbell", body, nonce, SCRIPT).replace("<title>", `<meta name="csrf" content="${e(view.csrf)}"><title>`);
}
