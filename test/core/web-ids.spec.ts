// Every page the web routes serve, read as HTML: each id once in its page, and every label,
// aria-describedby and script look-up names an element of that page. The settings page's two
// forms gave their fields the same id (f_password), so the label "New admin password" named
// the MQTT password's field: a click on it focused that field, a screen reader read it there.
import { test, group, assert } from "../lib/spec.js";
import { seededRandom } from "../lib/fake-udp.js";
import { md5 } from "../lib/md5.js";
import { bootApp } from "../lib/app-harness.js";
import { KEYS } from "../../config/keys.js";
import { firstRunPage, loginPage, settingsPage } from "../../web/page.js";
import { wifiPage, type WifiView } from "../../web/wifi-page.js";
import type { FirmwareUpdater, HttpRequest, HttpResponse, WifiNetwork, WifiRadio } from "../../modules/ports.js";

const ADMIN = "Admin-Passwort-1";
const NONCE = "00112233445566778899aabb";

/** Elements a label's `for` may name. */
const LABELABLE = Object.freeze(["input", "select", "textarea", "button", "meter", "output", "progress"]);

/**
 * Every match of a global pattern, by exec: XS (13.3) gave matchAll no match at all for a
 * pattern with "\/" in it, which exec finds.
 */
function matches(text: string, pattern: RegExp): RegExpExecArray[] {
	const out: RegExpExecArray[] = [];
	for (let m = pattern.exec(text); m; m = pattern.exec(text)) out.push(m);
	return out;
}

/** What is wrong with a page's ids: an id twice, or a reference to none (or, for a label, to no form control). */
function idProblems(html: string): string[] {
	const out: string[] = [];
	const scripts = matches(html, /<script\b[^>]*>([\s\S]*?)<\/script>/g).map((m) => m[1]).join("\n");
	const markup = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, "");
	const tags = matches(markup, /<([a-z][a-z0-9]*)\b([^>]*)>/g).map((m) => ({ name: m[1], attributes: m[2] }));
	const ids = new Map<string, string>();
	for (const tag of tags) {
		const id = / id="([^"]*)"/.exec(tag.attributes)?.[1];
		if (id === undefined) continue;
		if (ids.has(id)) out.push(`id ${id} on a <${ids.get(id)}> and a <${tag.name}>`);
		else ids.set(id, tag.name);
	}
	for (const tag of tags) {
		const target = / for="([^"]*)"/.exec(tag.attributes)?.[1];
		if (tag.name === "label" && target !== undefined && !LABELABLE.includes(ids.get(target) ?? "")) out.push(`label for ${target}: ${ids.has(target) ? `a <${ids.get(target)}>` : "no such element"}`);
		for (const attribute of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
			const list = new RegExp(` ${attribute}="([^"]*)"`).exec(tag.attributes)?.[1];
			for (const id of list ? list.split(" ").filter(Boolean) : []) if (!ids.has(id)) out.push(`${attribute} ${id}: no such element`);
		}
	}
	for (const m of matches(scripts, /getElementById\("([^"]+)"\)/g)) if (!ids.has(m[1])) out.push(`the script's getElementById("${m[1]}"): no such element`);
	return out;
}

/**
 * The field a label names as a browser finds it (the first element with the id): its name and
 * the action of the form it is in.
 */
function labelled(html: string, text: string): string[] {
	const out: string[] = [];
	for (const m of matches(html, /<label for="([^"]+)">([^<]*)<\/label>/g)) {
		if (m[2] !== text) continue;
		const at = html.indexOf(`<input id="${m[1]}" `);
		const name = at < 0 ? "" : /name="([^"]*)"/.exec(html.slice(at))?.[1];
		const form = matches(html.slice(0, at), /<form [^>]*action="([^"]*)"/g).pop()?.[1];
		out.push(`${form} ${name}`);
	}
	return out;
}

/** A radio that joins nothing and finds two networks (the set-up page's list). */
function radio(): WifiRadio {
	const networks: WifiNetwork[] = [{ ssid: "FRITZ!Box 7590 XY", rssi: -50, secure: true }, { ssid: "Café Gast", rssi: -80, secure: false }];
	return {
		id: "A1B2",
		join() {},
		openAccessPoint() {},
		closeAccessPoint() {},
		accessPointAddress: () => "",
		scan: (max, done) => done(networks.slice(0, max)),
	};
}

const firmware: FirmwareUpdater = {
	maxSize: 1000,
	pendingConfirm: false,
	open: () => ({ write() {}, complete() {}, cancel() {} }),
	restart() {},
	confirm() {},
};

/**
 * The door with every part the page has a section for (camera, Wi-Fi radio, firmware update,
 * MQTT password, webhook, bell buttons) and a stored value that fails its check; the pages as
 * its routes serve them, before and after the admin password is set.
 */
function pages(): Array<[string, string]> {
	const a = bootApp({
		settings: { mqtt: { host: "192.168.178.20", user: "klingel", password: "Mqtt-Geheim-1" }, hook: { url1: "http://192.168.178.20:8123/api/webhook/door" }, bell: { bell2_target: "**612", bell2_pin: 19 }, wifi: { ssid: "FRITZ!Box 7590 XY", pass: "Wlan-Schluessel-42" } },
		env: { sha256: (t) => md5(t) + md5(`\u0001${t}`), random: seededRandom(5), camera: () => { throw new Error("no sensor in this test"); }, wifi: radio, firmware, sha256Stream: () => ({ write() {}, close: () => "0".repeat(64) }), version: "9.8.7" },
		boot: { hashIterations: 8 },
	});
	const http = (method: string, path: string, headers: Record<string, string> = {}, body = ""): string => {
		const request: HttpRequest = { method, path, query: {}, headers: { host: "127.0.0.1:8080", ...headers }, body };
		const response = a.routes.get(`${method} ${path}`)!(request) as HttpResponse;
		assert.match(String(response.headers?.["Content-Type"]), /^text\/html/, `${method} ${path} answers a page`);
		return String(response.body);
	};
	const FORM = { "content-type": "application/x-www-form-urlencoded" };
	const out: Array<[string, string]> = [];
	out.push(["first run", http("GET", "/sip")]);
	out.push(["first run, Wi-Fi", http("GET", "/wifi")]);
	out.push(["first run, a short password", http("POST", "/setup", FORM, `token=${a.application.web.setupToken}&password=kurz&repeat=kurz`)]);
	a.application.web.admin.set(ADMIN);
	out.push(["sign-in", http("GET", "/sip")]);
	out.push(["sign-in, a wrong password", http("POST", "/login", FORM, "password=falsch")]);
	const login = a.routes.get("POST /login")!({ method: "POST", path: "/login", query: {}, headers: { host: "127.0.0.1:8080", "content-type": "application/json" }, body: JSON.stringify({ password: ADMIN }) }) as HttpResponse;
	const cookie = String(login.headers?.["Set-Cookie"]).split(";")[0];
	const csrf = JSON.parse(String(login.body)).csrf as string;
	out.push(["settings", http("GET", "/sip", { cookie })]);
	out.push(["settings, a save with errors", http("POST", "/saveSIP", { ...FORM, cookie }, `csrf=${csrf}&sip_user=6+20&port=0&user=a+b&url1=ftp%3A%2F%2Fx&code=12a`)]);
	out.push(["settings, a wrong admin password", http("POST", "/adminPassword", { ...FORM, cookie }, `csrf=${csrf}&current=falsch&password=kurz&repeat=kurz`)]);
	out.push(["Wi-Fi", http("GET", "/wifi", { cookie })]);
	out.push(["Wi-Fi, no network chosen", http("POST", "/wifi", { ...FORM, cookie }, `csrf=${csrf}&password=x`)]);
	out.push(["diagnostics", http("GET", "/diag", { cookie })]);
	out.push(["firmware update", http("GET", "/update", { cookie })]);
	return out;
}

/** The pages' variants the routes reach only in states a test cannot easily make: every field with its message. */
function variants(): Array<[string, string]> {
	const errors: Record<string, string> = {};
	for (const spec of KEYS) errors[spec.key] = "is wrong";
	const view = { values: {}, errors, hasPassword: true, hasMqttPassword: true, csrf: "ab", status: { registered: true }, adminErrors: { current: "Wrong password.", password: "The two passwords differ." }, events: [{ time: null, text: "Started" }], cameraUrl: "http://127.0.0.1/camera.jpg?key=00" };
	const wifi: WifiView = { state: "connected", ssid: "FRITZ!Box 7590 XY", address: "192.168.178.30", networks: [{ ssid: "a", rssi: -40, secure: true }], tokenName: "csrf", token: "ab", fixedByBuild: false, firstRun: false, error: "Not joined: wrong.", chosen: "a" };
	return [
		["settings, a message at every field", settingsPage(view, NONCE)],
		["first run, a message", firstRunPage("00", NONCE, "The two passwords differ.")],
		["sign-in, damaged record and a message", loginPage(NONCE, "Wrong password.", true)],
		["Wi-Fi, connected, with a message", wifiPage(wifi, NONCE)],
		["Wi-Fi, fixed by the build", wifiPage({ ...wifi, fixedByBuild: true }, NONCE)],
	];
}

group("web page ids", () => {
	test("every page: each id once, every label, description and script look-up names an element of the page", () => {
		const all = [...pages(), ...variants()];
		assert.equal(all.length, 17);
		const page = (name: string) => all.find((p) => p[0] === name)![1];
		for (const part of [/id="f_camera_url"/, /id="f_bell2_pin"/, /action="\/adminPassword"/, /name="password" type="password" autocomplete="new-password" placeholder="unchanged"/, /id="status"/]) assert.match(page("settings"), part);
		assert.match(page("Wi-Fi"), /id="n_1"/);
		assert.match(page("firmware update"), /id="f_image"/);
		assert.match(page("diagnostics"), /<h1>Diagnostics<\/h1>/);
		const found = all.map(([name, html]) => ({ name, problems: idProblems(html) })).filter((p) => p.problems.length);
		assert.deepEqual(found, [], "pages with ids twice or references to nothing");
	});

	test("each password field of the settings page is the one its label names, in its own form", () => {
		const html = variants()[0][1];
		assert.deepEqual(labelled(html, "Password"), ["/saveSIP sip_password"]);
		assert.deepEqual(labelled(html, "MQTT password"), ["/saveSIP password"]);
		assert.deepEqual(labelled(html, "Current admin password"), ["/adminPassword current"]);
		assert.deepEqual(labelled(html, "New admin password"), ["/adminPassword password"]);
		assert.deepEqual(labelled(html, "Repeat the new password"), ["/adminPassword repeat"]);
	});
});
