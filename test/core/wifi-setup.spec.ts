// The Wi-Fi start-up (app/wifi-start.ts) and the set-up page's routes (/wifi, the captive
// portal) over a scripted radio and the fake clock: which network is joined, when the access
// point opens and closes, what the page accepts, and that no password is ever shown or logged.
import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { seededRandom } from "../lib/fake-udp.js";
import { md5 } from "../lib/md5.js";
import { MemoryStore } from "../lib/app-harness.js";
import { memoryLogger } from "../lib/memory-logger.js";
import type { HttpRequest, HttpResponse, Sha256, WifiNetwork, WifiRadioOptions } from "../../modules/ports.js";
import { Settings } from "../../config/settings.js";
import { addWebRoutes } from "../../web/routes.js";
import { RouteTable } from "../../modules/route-table.js";
import { WifiStart, FALLBACK_MS, LINGER_MS, MAX_NETWORKS } from "../../app/wifi-start.js";
import { accessPointPassword, storedWifi } from "../../config/wifi.js";

const sha256: Sha256 = (text) => md5(text) + md5(`\u0001${text}`);
const AP = "192.168.4.1";
const HOME = "FRITZ!Box 7590 XY";
const HOME_PASSWORD = "Wlan-Schluessel-42";

/** A radio that records what it was asked and reports what the test says. */
class ScriptedRadio {
	events!: WifiRadioOptions;
	joins: string[] = [];
	passwords: string[] = [];
	accessPoint: { ssid: string; password: string } | undefined;
	closed = 0;
	scans = 0;
	found: WifiNetwork[] = [];
	readonly id = "A1B2";
	join(ssid: string, password: string): void {
		this.joins.push(ssid);
		this.passwords.push(password);
	}
	openAccessPoint(ssid: string, password: string): void {
		this.accessPoint = { ssid, password };
	}
	closeAccessPoint(): void {
		this.accessPoint = undefined;
		this.closed++;
	}
	accessPointAddress(): string {
		return this.accessPoint ? AP : "";
	}
	scan(max: number, done: (networks: WifiNetwork[]) => void): void {
		this.scans++;
		done(this.found.slice(0, max));
	}
}

function setup(options: { build?: { ssid: string; password: string }; stored?: Record<string, string>; apPassword?: string } = {}) {
	const store = new MemoryStore();
	if (options.stored) store.data.wifi = { ...options.stored };
	const clock = new FakeClock();
	const lines: string[] = [];
	const log = memoryLogger(lines);
	const radio = new ScriptedRadio();
	radio.found = [{ ssid: HOME, rssi: -50, secure: true }, { ssid: "Café Gast", rssi: -80, secure: false }];
	const connected: string[] = [];
	const wifi = new WifiStart({
		radio: (events) => {
			radio.events = events;
			return radio;
		},
		store, clock, random: seededRandom(3), log, build: options.build, accessPointPassword: options.apPassword,
		onConnected: (address) => connected.push(address),
	});
	// The route table both servers dispatch on: a path it does not know is a 404 there.
	const routes = new RouteTable();
	const web = addWebRoutes({
		routes,
		settings: new Settings(store, log), clock, sha256, random: seededRandom(11), log,
		status: () => ({}), ring: () => ({ ok: true }), hashIterations: 16, wifi,
	});
	const call = (method: string, path: string, request: { body?: string; headers?: Record<string, string>; query?: Record<string, string> } = {}): HttpResponse => {
		const handler = routes.find(method, path)?.handler;
		if (!handler) return { status: 404 };
		const q: HttpRequest = { method, path, query: request.query ?? {}, headers: { host: AP, ...request.headers }, body: request.body ?? "" };
		return handler(q) as HttpResponse;
	};
	const page = (response: HttpResponse) => (typeof response.body === "string" ? response.body : "");
	const token = () => /name="token" value="([0-9a-f]+)"/.exec(page(call("GET", "/wifi")))![1];
	const choose = (fields: string, headers: Record<string, string> = {}) => call("POST", "/wifi", { body: fields, headers: { "content-type": "application/x-www-form-urlencoded", origin: `http://${AP}`, ...headers } });
	return { store, clock, lines, radio, wifi, web, call, page, token, choose, connected };
}

group("Wi-Fi start", () => {
	test("without a network the access point klingel-XXXX opens with a stored random WPA2 password, printed once", () => {
		const s = setup();
		s.wifi.start();
		assert.equal(s.radio.accessPoint?.ssid, "klingel-A1B2");
		const password = s.radio.accessPoint!.password;
		assert.match(password, /^[a-z2-9]{12}$/);
		assert.equal(s.store.data.wifi.ap_pass, password);
		assert.equal(s.lines.filter((line) => line.includes(password)).length, 1);
		assert.deepEqual(s.radio.joins, []);
		assert.equal(s.wifi.state, "none");
	});

	test("every letter of the random access-point password is equally likely: bytes past the last whole alphabet are drawn again", () => {
		// 31 letters: bytes 248..255 would map to the first 8 letters a second time, so they are
		// skipped and drawn again (byte % 31 alone gives "abcdefghabcd" here).
		const fills = [[248, 249, 250, 251, 252, 253, 254, 255, 248, 249, 250, 251], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]];
		const scripted = (bytes: Uint8Array) => bytes.set(fills.shift()!);
		assert.equal(accessPointPassword(new MemoryStore(), scripted), "abcdefghjkmn");
		assert.equal(fills.length, 0);
	});

	test("the build's access-point password is used as it is", () => {
		const s = setup({ apPassword: "Tuer-Setup-99" });
		s.wifi.start();
		assert.equal(s.radio.accessPoint?.password, "Tuer-Setup-99");
		assert.equal(s.store.data.wifi?.ap_pass, undefined);
	});

	test("stored credentials are joined; the access point opens only after FALLBACK_MS without an address", () => {
		const s = setup({ stored: { ssid: HOME, pass: HOME_PASSWORD } });
		s.wifi.start();
		assert.deepEqual(s.radio.joins, [HOME]);
		assert.equal(s.radio.passwords[0], HOME_PASSWORD);
		s.clock.advance(FALLBACK_MS - 1);
		assert.equal(s.radio.accessPoint, undefined);
		s.clock.advance(1);
		assert.equal(s.radio.accessPoint?.ssid, "klingel-A1B2");
		assert.equal(s.wifi.state, "failed");
		assert.ok(!s.lines.some((line) => line.includes(HOME_PASSWORD)), "the Wi-Fi password is never logged");
	});

	test("an address in time keeps the access point closed and reports the address", () => {
		const s = setup({ stored: { ssid: HOME, pass: HOME_PASSWORD } });
		s.wifi.start();
		s.radio.events.onConnected("192.168.178.40");
		s.clock.advance(FALLBACK_MS * 2);
		assert.equal(s.radio.accessPoint, undefined);
		assert.deepEqual(s.connected, ["192.168.178.40"]);
		assert.equal(s.wifi.state, "connected");
	});

	test("the build's ssid wins over the stored one, and the page cannot change it", () => {
		const s = setup({ build: { ssid: "Werkstatt", password: "build-pass-1" }, stored: { ssid: HOME, pass: HOME_PASSWORD } });
		s.wifi.start();
		assert.deepEqual(s.radio.joins, ["Werkstatt"]);
		s.clock.advance(FALLBACK_MS);
		assert.match(s.page(s.call("GET", "/wifi")), /built for the network “Werkstatt”/);
		// The page has no form then; the first-run page's token is the same set-up token.
		const token = /name="token" value="([0-9a-f]+)"/.exec(s.page(s.call("GET", "/sip")))![1];
		const response = s.choose(`token=${token}&ssid=${encodeURIComponent(HOME)}&password=${HOME_PASSWORD}`);
		assert.equal(response.status, 409);
		assert.deepEqual(s.radio.joins, ["Werkstatt"]);
	});
});

group("Wi-Fi set-up page", () => {
	test("lists the scan, stores and joins the chosen network, then leads to the first run; the access point closes LINGER_MS later", () => {
		const s = setup();
		s.wifi.start();
		const page = s.page(s.call("GET", "/wifi"));
		assert.match(page, /value="FRITZ!Box 7590 XY"/);
		assert.match(page, /Café Gast <small>\(weak, open\)/);
		assert.match(page, /<input id="f_other" name="other" type="text" [^>]*autocapitalize="none" autocorrect="off" spellcheck="false"/, "a hidden network's name is typed as it is (names are case-sensitive)");
		const response = s.choose(`token=${s.token()}&ssid=${encodeURIComponent(HOME)}&password=${HOME_PASSWORD}`);
		assert.equal(response.status, 303);
		assert.equal(response.headers?.Location, "/wifi");
		assert.deepEqual(storedWifi(s.store), { ssid: HOME, password: HOME_PASSWORD });
		assert.deepEqual(s.radio.joins, [HOME]);
		assert.match(s.page(s.call("GET", "/wifi")), /Joining/);
		s.radio.events.onConnected("192.168.178.40");
		const after = s.page(s.call("GET", "/wifi"));
		assert.match(after, /address there is 192\.168\.178\.40/);
		assert.match(after, /<a href="\/sip">Next: set the admin password/);
		assert.ok(!after.includes(HOME_PASSWORD), "the password is not shown again");
		assert.match(s.page(s.call("GET", "/sip")), /action="\/setup"/);
		s.clock.advance(LINGER_MS);
		assert.equal(s.radio.closed, 1);
		assert.equal(s.wifi.accessPointAddress, "");
	});

	test("a failed join says so on the page", () => {
		const s = setup();
		s.wifi.start();
		s.choose(`token=${s.token()}&ssid=${encodeURIComponent(HOME)}&password=wrong-password`);
		s.radio.events.onDisconnected();
		assert.match(s.page(s.call("GET", "/wifi")), /Cannot join/);
	});

	test("bad input is refused with a reason and changes nothing", () => {
		const s = setup();
		s.wifi.start();
		for (const [fields, reason] of [["ssid=&password=", /choose a network/], [`ssid=${HOME}&password=short`, /8 to 63 characters/], [`other=${"x".repeat(33)}&password=`, /at most 32 bytes/]] as const) {
			const response = s.choose(`token=${s.token()}&${fields}`);
			assert.equal(response.status, 400);
			assert.match(s.page(response), reason);
		}
		assert.equal(storedWifi(s.store), undefined);
		assert.deepEqual(s.radio.joins, []);
	});

	test("a 64-digit hex key (the WPA2 key itself, as some routers show it) is stored and joined; 64 other characters are refused", () => {
		const s = setup();
		s.wifi.start();
		const key = "0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789";
		const refused = s.choose(`token=${s.token()}&ssid=${encodeURIComponent(HOME)}&password=${"g".repeat(64)}`);
		assert.equal(refused.status, 400);
		assert.match(s.page(refused), /8 to 63 characters/);
		assert.equal(s.choose(`token=${s.token()}&ssid=${encodeURIComponent(HOME)}&password=${key}`).status, 303);
		assert.deepEqual(storedWifi(s.store), { ssid: HOME, password: key });
		assert.deepEqual(s.radio.passwords, [key]);
	});

	test("the form needs the set-up token and the page's own origin", () => {
		const s = setup();
		s.wifi.start();
		assert.equal(s.choose(`token=0000&ssid=${HOME}&password=${HOME_PASSWORD}`).status, 403);
		assert.equal(s.choose(`token=${s.token()}&ssid=${HOME}&password=${HOME_PASSWORD}`, { origin: "http://evil.example" }).status, 403);
		assert.deepEqual(s.radio.joins, []);
	});

	test("once the admin password is set, only a signed-in session with its CSRF token may change the network", () => {
		const s = setup({ stored: { ssid: HOME, pass: HOME_PASSWORD } });
		s.wifi.start();
		s.web.admin.set("Admin-Passwort-1");
		assert.equal(s.call("GET", "/wifi").status, 303);
		assert.equal(s.choose(`ssid=Other&password=${HOME_PASSWORD}`).status, 401);
		const login = s.call("POST", "/login", { body: "password=Admin-Passwort-1", headers: { "content-type": "application/x-www-form-urlencoded", origin: `http://${AP}` } });
		const cookie = String(login.headers?.["Set-Cookie"]).split(";")[0];
		const page = s.page(s.call("GET", "/wifi", { headers: { cookie } }));
		const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(page)![1];
		assert.equal(s.choose(`ssid=Other&password=${HOME_PASSWORD}`, { cookie }).status, 403);
		assert.equal(s.choose(`csrf=${csrf}&ssid=Other&password=${HOME_PASSWORD}`, { cookie }).status, 303);
		assert.deepEqual(s.radio.joins, [HOME, "Other"]);
	});

	test("signed in, bad input is refused with its reason on the page, which keeps the session's CSRF token", () => {
		const s = setup({ stored: { ssid: HOME, pass: HOME_PASSWORD } });
		s.wifi.start();
		s.web.admin.set("Admin-Passwort-1");
		const login = s.call("POST", "/login", { body: "password=Admin-Passwort-1", headers: { "content-type": "application/x-www-form-urlencoded", origin: `http://${AP}` } });
		const cookie = String(login.headers?.["Set-Cookie"]).split(";")[0];
		const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(s.page(s.call("GET", "/wifi", { headers: { cookie } })))![1];
		const response = s.choose(`csrf=${csrf}&ssid=Other&password=short`, { cookie });
		assert.equal(response.status, 400);
		assert.match(s.page(response), /Not joined: .*8 to 63 characters/);
		assert.match(s.page(response), new RegExp(`name="csrf" value="${csrf}"`), "the form can be sent again as it is");
		assert.equal(s.choose(`csrf=${csrf}&ssid=Other&password=${HOME_PASSWORD}`, { cookie }).status, 303);
		assert.deepEqual(s.radio.joins, [HOME, "Other"]);
	});

	test("while the access point is open, other hosts and captive-portal checks are sent to the set-up page", () => {
		const s = setup();
		s.wifi.start();
		const probe = s.call("GET", "/generate_204", { headers: { host: "connectivitycheck.gstatic.com" } });
		assert.equal(probe.status, 303);
		assert.equal(probe.headers?.Location, `http://${AP}/wifi`);
		assert.equal(s.call("GET", "/sip", { headers: { host: "captive.apple.com" } }).headers?.Location, `http://${AP}/wifi`);
		assert.equal(s.call("GET", "/").headers?.Location, "/wifi");
	});

	test("while the access point is open, another host at a path the door does not have is sent to the set-up page too", () => {
		const s = setup();
		s.wifi.start();
		// GNOME's check (NetworkManager on Fedora and others), and a page a browser opens again.
		for (const [host, path] of [["nmcheck.gnome.org", "/check_network_status.txt"], ["www.tagesschau.de", "/inland/index.html"]]) {
			const response = s.call("GET", path, { headers: { host } });
			assert.equal(response.status, 303, `${host}${path}`);
			assert.equal(response.headers?.Location, `http://${AP}/wifi`);
		}
		assert.equal(s.call("GET", "/nothing-here").status, 404, "the door's own address keeps its 404");
		assert.equal(s.call("POST", "/nothing-here", { headers: { host: "example.com" } }).status, 404, "only a GET is sent to the page");
	});

	test("without the access point the checks are plain 404s and foreign hosts are refused", () => {
		const s = setup({ stored: { ssid: HOME, pass: HOME_PASSWORD } });
		s.wifi.start();
		s.radio.events.onConnected("192.168.178.40");
		assert.equal(s.call("GET", "/generate_204", { headers: { host: "192.168.178.40" } }).status, 404);
		assert.equal(s.call("GET", "/check_network_status.txt", { headers: { host: "192.168.178.40" } }).status, 404);
		assert.notEqual(s.call("GET", "/check_network_status.txt", { headers: { host: "nmcheck.gnome.org" } }).status, 303);
		assert.equal(s.call("GET", "/sip", { headers: { host: "evil.example" } }).status, 403);
		assert.equal(s.call("GET", "/").headers?.Location, "/sip");
	});

	test("the scan list keeps at most MAX_NETWORKS networks", () => {
		const s = setup();
		s.radio.found = [];
		for (let i = 0; i < 40; i++) s.radio.found.push({ ssid: `net${i}`, rssi: -40 - i, secure: true });
		s.wifi.start();
		assert.equal(s.wifi.networks.length, MAX_NETWORKS);
	});
});
