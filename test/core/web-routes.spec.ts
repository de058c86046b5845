import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { MAX_CLIENTS, OVERALL_BURST, OVERALL_REFILL_MS } from "../../web/sign-in-throttle.js";
import { seededRandom } from "../lib/fake-udp.js";
import { md5 } from "../lib/md5.js";
import { MemoryStore } from "../lib/app-harness.js";
import type { HttpHandler, HttpRequest, HttpResponse, Sha256 } from "../../modules/ports.js";
import { Settings } from "../../config/settings.js";
import { addWebRoutes, type WebApp } from "../../web/routes.js";
import { MAX_BODY, MAX_FIELDS } from "../../web/http.js";
import { errorWords, registrationWords } from "../../web/status-words.js";
import { memoryLogger } from "../lib/memory-logger.js";

/** A stand-in for SHA-256 in plain JavaScript (64 hex characters, one-way enough for the logic). */
const sha256: Sha256 = (text) => md5(text) + md5(`\u0001${text}`);

const SIP_PASSWORD = "Sip-Geheim-4711";
const ADMIN_PASSWORD = "Admin-Passwort-1";
const HOST = "192.168.178.30";

interface Harness {
	web: WebApp;
	store: MemoryStore;
	clock: FakeClock;
	lines: string[];
	rings: number;
	saved: string[][];
	status: Record<string, unknown>;
	call(method: string, path: string, options?: { body?: string; headers?: Record<string, string>; query?: Record<string, string>; remoteAddress?: string }): HttpResponse;
	/** Sets the admin password and returns the session cookie and CSRF token. */
	signIn(): { cookie: string; csrf: string };
}

function harness(sip: Record<string, string | number> = { sip_user: "620", sip_password: SIP_PASSWORD, sip_server: "192.168.178.1" }, bootButton = false): Harness {
	const store = new MemoryStore();
	store.data.sip = { ...sip };
	const clock = new FakeClock();
	const lines: string[] = [];
	const log = memoryLogger(lines);
	const routes = new Map<string, HttpHandler>();
	const h = {
		store, clock, lines, rings: 0, saved: [] as string[][],
		status: { registered: false, registration: "failed", sip_user: "620", sip_server: "192.168.178.1", last_error: "wrong user name or password (the registrar refused the credentials)", call: "idle" } as Record<string, unknown>,
	} as Harness;
	h.web = addWebRoutes({
		routes: { add: (method, path, handler) => routes.set(`${method} ${path}`, handler) },
		settings: new Settings(store, log), clock, sha256, random: seededRandom(11), log,
		status: () => h.status,
		ring: () => {
			h.rings++;
			return h.status.ringFails ? { ok: false, reason: "no SIP account is set up" } : { ok: true };
		},
		onSaved: (changed) => h.saved.push(changed),
		hashIterations: 16,
		bootButton,
	});
	h.call = (method, path, options = {}) => {
		const handler = routes.get(`${method} ${path}`);
		if (!handler) return { status: routes.has(`GET ${path}`) || routes.has(`POST ${path}`) ? 405 : 404 };
		const request: HttpRequest = { method, path, query: options.query ?? {}, headers: { host: HOST, ...options.headers }, body: options.body ?? "" };
		if (options.remoteAddress) request.remoteAddress = options.remoteAddress;
		return handler(request) as HttpResponse;
	};
	h.signIn = () => {
		const page = String(h.call("GET", "/sip").body);
		const token = /name="token" value="([0-9a-f]+)"/.exec(page)![1];
		const response = h.call("POST", "/setup", { body: `token=${token}&password=${encodeURIComponent(ADMIN_PASSWORD)}&repeat=${encodeURIComponent(ADMIN_PASSWORD)}`, headers: { "content-type": "application/x-www-form-urlencoded", origin: `http://${HOST}` } });
		assert.equal(response.status, 303);
		const cookie = String(response.headers?.["Set-Cookie"]).split(";")[0];
		const settingsPage = String(h.call("GET", "/sip", { headers: { cookie } }).body);
		const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(settingsPage)![1];
		return { cookie, csrf };
	};
	return h;
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const JSON_TYPE = { "content-type": "application/json" };

function body(response: HttpResponse): string {
	return typeof response.body === "string" ? response.body : "";
}

function form(fields: Record<string, string>): string {
	return Object.keys(fields).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(fields[k])}`).join("&");
}

/** Everything a client could see: status, headers and body. */
function seen(response: HttpResponse): string {
	return `${response.status} ${JSON.stringify(response.headers ?? {})} ${body(response)}`;
}

group("web", () => {
	group("first run", () => {
		test("GET /sip serves only the first-run page, with a set-up token", () => {
			const h = harness();
			const page = h.call("GET", "/sip");
			assert.equal(page.status, 200);
			assert.match(body(page), /Choose the password that protects these settings/);
			assert.match(body(page), /<form method="post" action="\/setup"><input type="hidden" name="token" value="[0-9a-f]{32}">/);
			assert.ok(!/saveSIP|sip_user/.test(body(page)), "no settings form before the admin password");
		});

		test("until the admin password is set, the API refuses and nothing rings or is saved", () => {
			const h = harness();
			for (const [method, path] of [["GET", "/sipDebug"], ["POST", "/ring/sip"], ["POST", "/saveSIP"], ["POST", "/login"], ["POST", "/logout"]]) {
				const response = h.call(method, path, { body: "sip_target=**9", headers: FORM });
				assert.equal(response.status, 403, `${method} ${path}`);
				assert.match(body(response), /set the admin password first/);
			}
			assert.equal(h.rings, 0);
			assert.equal(h.store.get("sip", "sip_target"), undefined);
		});

		test("the set-up needs the page's token and the same origin", () => {
			const h = harness();
			const token = h.web.setupToken;
			const pw = `password=${ADMIN_PASSWORD}&repeat=${ADMIN_PASSWORD}`;
			assert.equal(h.call("POST", "/setup", { body: `token=0000&${pw}`, headers: FORM }).status, 403);
			assert.equal(h.call("POST", "/setup", { body: `token=${token}&${pw}`, headers: { ...FORM, origin: "http://evil.example" } }).status, 403);
			assert.equal(h.call("POST", "/setup", { body: `token=${token}&${pw}`, headers: { ...FORM, referer: "http://evil.example/x" } }).status, 403);
			assert.equal(h.call("POST", "/setup", { body: `token=${token}&${pw}`, headers: { ...FORM, "sec-fetch-site": "cross-site" } }).status, 403);
			assert.equal(h.web.admin.isSet, false);
		});

		test("a short password or two different ones: 400 with the message at the field, nothing stored", () => {
			const h = harness();
			const token = h.web.setupToken;
			const short = h.call("POST", "/setup", { body: `token=${token}&password=kurz&repeat=kurz`, headers: FORM });
			assert.equal(short.status, 400);
			assert.match(body(short), /aria-invalid="true" aria-describedby="f_password_e"><p class="err" id="f_password_e">The password must be at least 8 characters\.<\/p>/);
			const differ = h.call("POST", "/setup", { body: `token=${token}&password=${ADMIN_PASSWORD}&repeat=${ADMIN_PASSWORD}x`, headers: FORM });
			assert.equal(differ.status, 400);
			assert.match(body(differ), /The two passwords differ/);
			assert.equal(h.store.get("web", "admin"), undefined);
		});

		test("setting it stores a salted, iterated hash (never the password) and signs in with a strict HttpOnly cookie", () => {
			const h = harness();
			const token = h.web.setupToken;
			const response = h.call("POST", "/setup", { body: form({ token, password: ADMIN_PASSWORD, repeat: ADMIN_PASSWORD }), headers: { ...FORM, origin: `http://${HOST}` } });
			assert.equal(response.status, 303);
			assert.equal(response.headers?.Location, "/sip?n=set");
			assert.match(String(response.headers?.["Set-Cookie"]), /^klingel_sid=[0-9a-f]{48}; Path=\/; HttpOnly; SameSite=Strict$/);
			const record = String(h.store.get("web", "admin"));
			assert.match(record, /^s256i\$16\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
			assert.ok(JSON.stringify(h.store.data).indexOf(ADMIN_PASSWORD) < 0, "the password is not in the store");
			assert.ok(h.lines.join("\n").indexOf(ADMIN_PASSWORD) < 0, "nor in the log");
			assert.ok(h.web.admin.verify(ADMIN_PASSWORD) && !h.web.admin.verify(`${ADMIN_PASSWORD}x`));
			// Once set, the first-run form is gone and cannot set another password.
			assert.equal(h.call("POST", "/setup", { body: form({ token: h.web.setupToken, password: "Another-password" }), headers: FORM }).status, 403);
			assert.ok(h.web.admin.verify(ADMIN_PASSWORD));
		});

		test("two doorbells with the same password store different hashes (salt)", () => {
			const a = harness(), b = harness();
			a.web.admin.set(ADMIN_PASSWORD);
			b.store.set("web", "admin", "");
			const other = addWebRoutes({ routes: { add() {} }, settings: new Settings(b.store), clock: b.clock, sha256, random: seededRandom(99), log: { info() {}, warn() {}, error() {} }, status: () => ({}), ring: () => ({ ok: true }), hashIterations: 16 });
			other.admin.set(ADMIN_PASSWORD);
			assert.notEqual(String(a.store.get("web", "admin")).split("$")[3], String(b.store.get("web", "admin")).split("$")[3]);
		});
	});

	group("sign-in", () => {
		test("without a session: the sign-in page, and the API answers 401", () => {
			const h = harness();
			h.web.admin.set(ADMIN_PASSWORD);
			assert.match(body(h.call("GET", "/sip")), /action="\/login"/);
			assert.equal(h.call("GET", "/sipDebug").status, 401);
			assert.equal(h.call("POST", "/ring/sip", { headers: { "x-csrf-token": "00" } }).status, 401);
			assert.equal(h.call("GET", "/sipDebug", { headers: { cookie: `klingel_sid=${"a".repeat(48)}` } }).status, 401);
			assert.equal(h.rings, 0);
		});

		test("the admin password's forms name the user admin for password managers, and sign-in takes the field", () => {
			const h = harness();
			const user = /<form method="post" action="\/(setup|login|adminPassword)">(?:<input type="hidden" name="(?:token|csrf)" value="[0-9a-f]+">)?<input type="text" name="username" value="admin" autocomplete="username" hidden readonly>/;
			assert.match(body(h.call("GET", "/sip")), user, "the set-up form");
			const { cookie } = h.signIn();
			assert.match(body(h.call("GET", "/sip", { headers: { cookie } })), user, "the form that changes it");
			const fresh = harness();
			fresh.web.admin.set(ADMIN_PASSWORD);
			assert.match(body(fresh.call("GET", "/sip")), user, "the sign-in form");
			const signedIn = fresh.call("POST", "/login", { body: form({ username: "admin", password: ADMIN_PASSWORD }), headers: FORM });
			assert.equal(signedIn.status, 303, "a browser sends the field too");
		});

		test("a damaged admin password record: the sign-in page says to hold the BOOT button only where the board has one, else to remove the key", () => {
			for (const bootButton of [true, false]) {
				const h = harness(undefined, bootButton);
				h.store.data.web = { admin: "s256i$4096$00$zz" };
				for (const page of [body(h.call("GET", "/sip")), body(h.call("POST", "/login", { body: form({ password: ADMIN_PASSWORD }), headers: FORM }))]) {
					assert.match(page, /The stored admin password is damaged: no password signs in\./);
					assert.match(page, /remove the admin key of the web namespace \(see the README\); the next visit then shows the first-run page/);
					assert.equal(/BOOT button/.test(page), bootButton, bootButton ? "with a BOOT button" : "without one");
					if (bootButton) assert.match(page, /Hold the BOOT button on the board \(inside the housing\) for 10 s, or remove/);
					else assert.match(page, /The board has no button that resets it: remove the admin key/);
				}
			}
		});

		test("POST /login with JSON returns the CSRF token and the cookie; a wrong password is 401", () => {
			const h = harness();
			h.web.admin.set(ADMIN_PASSWORD);
			const wrong = h.call("POST", "/login", { body: JSON.stringify({ password: "falsch-falsch" }), headers: JSON_TYPE });
			assert.equal(wrong.status, 401);
			assert.equal(wrong.headers?.["Set-Cookie"], undefined);
			const right = h.call("POST", "/login", { body: JSON.stringify({ password: ADMIN_PASSWORD }), headers: JSON_TYPE });
			assert.equal(right.status, 200);
			const csrf = JSON.parse(body(right)).csrf as string;
			const cookie = String(right.headers?.["Set-Cookie"]).split(";")[0];
			const debug = h.call("GET", "/sipDebug", { headers: { cookie } });
			assert.equal(debug.status, 200);
			assert.equal(h.call("POST", "/ring/sip", { headers: { cookie, "x-csrf-token": csrf } }).status, 200);
			assert.ok(h.lines.join("\n").indexOf("falsch-falsch") < 0, "a wrong password is not logged either");
		});

		test("five wrong passwords lock the sign-in for 30 s, then it works again", () => {
			const h = harness();
			h.web.admin.set(ADMIN_PASSWORD);
			for (let i = 0; i < 5; i++) assert.equal(h.call("POST", "/login", { body: "password=nope-nope", headers: FORM }).status, 401);
			const locked = h.call("POST", "/login", { body: form({ password: ADMIN_PASSWORD }), headers: FORM });
			assert.equal(locked.status, 429);
			assert.match(body(locked), /too many wrong passwords: wait 30 s/);
			h.clock.advance(30001);
			assert.equal(h.call("POST", "/login", { body: form({ password: ADMIN_PASSWORD }), headers: FORM }).status, 303);
		});

		test("the pause is per client address: five wrong passwords from one address do not lock out another", () => {
			const h = harness();
			h.web.admin.set(ADMIN_PASSWORD);
			const login = (password: string, remoteAddress?: string) => h.call("POST", "/login", { body: form({ password }), headers: FORM, remoteAddress }).status;
			for (let i = 0; i < 5; i++) assert.equal(login("nope-nope", "192.168.178.66"), 401);
			assert.equal(login(ADMIN_PASSWORD, "192.168.178.66"), 429, "the guessing address pauses");
			assert.equal(login(ADMIN_PASSWORD, "192.168.178.20"), 303, "the admin's address signs in");
			assert.equal(login(ADMIN_PASSWORD, "::ffff:192.168.178.66"), 429, "an IPv4-mapped address is the same client");
			for (let i = 0; i < 5; i++) login("nope-nope", "2001:db8:1:2::66");
			assert.equal(login(ADMIN_PASSWORD, "2001:db8:1:2:aaaa::1"), 429, "an IPv6 client is counted by its /64");
			assert.equal(login(ADMIN_PASSWORD, "2001:db8:1:3::1"), 303);
			// A server that cannot tell the address (the device on lin): all such clients are one.
			for (let i = 0; i < 5; i++) login("nope-nope");
			assert.equal(login(ADMIN_PASSWORD), 429);
			assert.equal(login(ADMIN_PASSWORD, "192.168.178.21"), 303);
		});

		test(`wrong passwords from many addresses stay slow: ${OVERALL_BURST} at once, then one per ${OVERALL_REFILL_MS / 1000} s; the table of clients stays at ${MAX_CLIENTS}`, () => {
			const h = harness();
			h.web.admin.set(ADMIN_PASSWORD);
			const login = (password: string, remoteAddress: string) => h.call("POST", "/login", { body: form({ password }), headers: FORM, remoteAddress }).status;
			const statuses: number[] = [];
			for (let i = 0; i < 200; i++) statuses.push(login("nope-nope", `10.0.${i >> 8}.${i & 255}`));
			assert.equal(statuses.filter((s) => s === 401).length, OVERALL_BURST, "only the burst was checked");
			assert.equal(statuses.filter((s) => s === 429).length, 200 - OVERALL_BURST);
			assert.ok(h.web.signInThrottle.size <= MAX_CLIENTS, `clients remembered: ${h.web.signInThrottle.size}`);
			assert.equal(login(ADMIN_PASSWORD, "192.168.178.20"), 429, "meanwhile every client waits");
			h.clock.advance(OVERALL_REFILL_MS);
			assert.equal(login("nope-nope", "10.1.0.1"), 401, "one more guess after the refill time");
			assert.equal(login("nope-nope", "10.1.0.2"), 429);
			h.clock.advance(OVERALL_REFILL_MS);
			assert.equal(login(ADMIN_PASSWORD, "192.168.178.20"), 303);
		});

		test("a session ends after an idle hour, and at sign-out", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			h.clock.advance(59 * 60000);
			assert.equal(h.call("GET", "/sipDebug", { headers: { cookie } }).status, 200);
			h.clock.advance(61 * 60000);
			assert.equal(h.call("GET", "/sipDebug", { headers: { cookie } }).status, 401);
			const again = h.call("POST", "/login", { body: form({ password: ADMIN_PASSWORD }), headers: FORM });
			const cookie2 = String(again.headers?.["Set-Cookie"]).split(";")[0];
			const csrf2 = /name="csrf" value="([0-9a-f]+)"/.exec(body(h.call("GET", "/sip", { headers: { cookie: cookie2 } })))![1];
			assert.notEqual(csrf2, csrf, "a new session has a new CSRF token");
			const out = h.call("POST", "/logout", { body: form({ csrf: csrf2 }), headers: { ...FORM, cookie: cookie2 } });
			assert.equal(out.status, 303);
			assert.match(String(out.headers?.["Set-Cookie"]), /Max-Age=0/);
			assert.equal(h.call("GET", "/sipDebug", { headers: { cookie: cookie2 } }).status, 401);
		});

		test("changing the admin password: the current one is needed, other sessions end, this one goes on", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const other = h.call("POST", "/login", { body: form({ password: ADMIN_PASSWORD }), headers: FORM });
			const otherCookie = String(other.headers?.["Set-Cookie"]).split(";")[0];
			const wrong = h.call("POST", "/adminPassword", { body: form({ csrf, current: "nicht-das-richtige", password: "Neues-Admin-1", repeat: "Neues-Admin-1" }), headers: { ...FORM, cookie } });
			assert.equal(wrong.status, 400);
			assert.match(body(wrong), /id="f_admin_current_e">Wrong password\.</);
			assert.match(body(wrong), /<details open><summary>Admin password/);
			const short = h.call("POST", "/adminPassword", { body: form({ csrf, current: ADMIN_PASSWORD, password: "kurz", repeat: "kurz" }), headers: { ...FORM, cookie } });
			assert.match(body(short), /id="f_admin_password_e">The password must be at least 8 characters/);
			assert.ok(h.web.admin.verify(ADMIN_PASSWORD), "unchanged so far");
			assert.equal(h.call("POST", "/adminPassword", { body: form({ current: ADMIN_PASSWORD, password: "Neues-Admin-1", repeat: "Neues-Admin-1" }), headers: { ...FORM, cookie } }).status, 403, "the CSRF token is needed");
			const ok = h.call("POST", "/adminPassword", { body: form({ csrf, current: ADMIN_PASSWORD, password: "Neues-Admin-1", repeat: "Neues-Admin-1" }), headers: { ...FORM, cookie } });
			assert.equal(ok.status, 303);
			assert.equal(ok.headers?.Location, "/sip?n=admin");
			const renewed = String(ok.headers?.["Set-Cookie"]).split(";")[0];
			assert.ok(h.web.admin.verify("Neues-Admin-1") && !h.web.admin.verify(ADMIN_PASSWORD));
			assert.equal(h.call("GET", "/sipDebug", { headers: { cookie: otherCookie } }).status, 401, "the other session ended");
			assert.equal(h.call("GET", "/sipDebug", { headers: { cookie } }).status, 401, "the old cookie too");
			assert.equal(h.call("GET", "/sipDebug", { headers: { cookie: renewed } }).status, 200);
			assert.ok(h.lines.join("\n").indexOf("Neues-Admin-1") < 0);
		});

		test("a Host that is not a local name or an address is refused (DNS rebinding)", () => {
			const h = harness();
			assert.equal(h.call("GET", "/sip", { headers: { host: "evil.example" } }).status, 403);
			assert.equal(h.call("GET", "/sip", { headers: { host: "doorbell.fritz.box" } }).status, 200);
			assert.equal(h.call("GET", "/sip", { headers: { host: "klingel.local:8080" } }).status, 200);
			assert.equal(h.call("GET", "/sip", { headers: { host: "127.0.0.1:8080" } }).status, 200);
		});

		test("the Host list is exactly: addresses, single labels, fritz.box and its subdomains, .local, .lan, .home.arpa", () => {
			const h = harness();
			const served = ["192.168.178.30", "192.168.178.30:80", "[fe80::1]", "[::1]:8080", "klingel", "localhost", "LOCALHOST:8080", "fritz.box", "klingel.fritz.box", "tuer.fritz.box.", "klingel.local", "klingel.lan:8080", "klingel.home.arpa", "a.b.home.arpa"];
			const refused = ["attacker.box", "x.box", "evilfritz.box", "fritz.box.attacker.com", "klingel.home", "klingel.internal", "klingel.localhost", "x.localhost:8080", "evil.example", "home.arpa.evil.com", "", "klingel..local", "-x.local", "a b.lan", "klingel.local/..", "::1"];
			const status = (host: string) => h.call("GET", "/sip", { headers: { host } }).status;
			assert.deepEqual(refused.filter((host) => status(host) !== 403), [], "refused");
			assert.deepEqual(served.filter((host) => status(host) !== 200), [], "served");
		});
	});

	group("settings page", () => {
		test("shows the settings, never the SIP password, with the status in plain words", () => {
			const h = harness();
			const { cookie } = h.signIn();
			const page = h.call("GET", "/sip", { headers: { cookie } });
			assert.equal(page.status, 200);
			const html = body(page);
			assert.match(html, /<input id="f_sip_user" name="sip_user" type="text" value="620"/);
			assert.match(html, /<input id="f_sip_password" name="sip_password" type="password" autocomplete="new-password" placeholder="unchanged"/);
			assert.ok(seen(page).indexOf(SIP_PASSWORD) < 0, "the SIP password is nowhere in the response");
			assert.match(html, /Not registered: wrong password \(or user name\): the PBX refused the login of 620/);
			assert.match(html, /<button type="submit">Test ring<\/button>/);
			assert.match(String(page.headers?.["Content-Security-Policy"]), /default-src 'none'.*script-src 'nonce-[0-9a-f]+'/);
			const nonce = /script-src 'nonce-([0-9a-f]+)'/.exec(String(page.headers?.["Content-Security-Policy"]))![1];
			assert.ok(html.indexOf(`<script nonce="${nonce}">`) > 0, "the one script carries the nonce");
			assert.ok(!/(src|href)="(https?:)?\/\//.test(html), "no external assets");
			assert.equal(page.headers?.["X-Frame-Options"], "DENY");
		});

		test("fields a machine reads are not capitalised, corrected or spell-checked by a phone's keyboard; names are", () => {
			const h = harness();
			const { cookie } = h.signIn();
			const html = body(h.call("GET", "/sip", { headers: { cookie } }));
			const inputs = [...html.matchAll(/<input id="f_(\w+)"[^>]*type="text"[^>]*>/g)].map((m) => ({ name: m[1], tag: m[0] }));
			const prose = ["sip_displayname", "bell2_name", "bell3_name", "bell4_name"];
			assert.ok(inputs.length > 20, `${inputs.length} text fields`);
			const plain = (tag: string) => / autocapitalize="none"/.test(tag) && / autocorrect="off"/.test(tag) && / spellcheck="false"/.test(tag);
			assert.deepEqual(inputs.filter((i) => !prose.includes(i.name) && !plain(i.tag)).map((i) => i.name), [], "server, user, numbers, ports, MQTT and webhook fields");
			assert.deepEqual(inputs.filter((i) => prose.includes(i.name) && plain(i.tag)).map((i) => i.name), [], "names shown on the handsets");
			for (const url of ["url1", "url2"]) assert.match(inputs.find((i) => i.name === url)!.tag, / inputmode="url"/);
		});

		test("stored values are escaped in HTML text and attributes", () => {
			const h = harness({ sip_user: "620", sip_password: SIP_PASSWORD, sip_displayname: `"><script>alert(1)</script>'&` });
			const { cookie } = h.signIn();
			h.status.last_error = "<img src=x onerror=alert(2)>";
			h.status.door_events = [{ kind: "wrong_code", time: "2026-12-01T19:00:00.000Z", caller: "<b>Küche</b>", reason: "wrong code", count: 2 }];
			const html = body(h.call("GET", "/sip", { headers: { cookie } }));
			assert.ok(html.indexOf("<script>alert") < 0 && html.indexOf("<img src=x") < 0 && html.indexOf("<b>Küche") < 0, "no markup gets through");
			assert.match(html, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&#39;&amp;"/);
			assert.match(html, /&lt;img src=x onerror=alert\(2\)&gt;/);
			assert.match(html, /<li>2026-12-01 19:00:00 Wrong code by &lt;b&gt;Küche&lt;\/b&gt; \(wrong code\) ×2<\/li>/);
		});

		test("once registered, an old registration error is no longer shown; a call error is", () => {
			const h = harness();
			const { cookie } = h.signIn();
			h.status = { registered: true, registration: "registered", sip_user: "620", sip_server: "fritz.box", last_error: "wrong user name or password (the registrar refused the credentials)" };
			const part = () => body(h.call("GET", "/sip", { headers: { cookie }, query: { part: "status" } }));
			assert.ok(part().indexOf("wrong password") < 0);
			h.status.last_error = "the PBX refused the call to **610: 403 Forbidden";
			assert.match(part(), /Last problem: the PBX refused the call to \*\*610: is this IP phone allowed to ring internal numbers\?/);
		});

		test("the status block alone for the page's refresh", () => {
			const h = harness();
			const { cookie } = h.signIn();
			h.status = { registered: true, registration: "registered", sip_user: "620", sip_server: "192.168.178.1", last_error: "", door_events: [] };
			const part = h.call("GET", "/sip", { headers: { cookie }, query: { part: "status" } });
			assert.equal(body(part), '<p class="note ok" role="status">Registered with 192.168.178.1 as 620.</p><p>Door: no events yet.</p>');
		});


		test("the status refresh of a page left open after the admin password was reset gets a refusal, not the first-run page to put in the status box", () => {
			const h = harness();
			const { cookie } = h.signIn();
			h.web.resetAdmin();
			const part = h.call("GET", "/sip", { headers: { cookie }, query: { part: "status" } });
			assert.equal(part.status, 403, "the page's script puts only a 200's text into the status box");
			assert.match(body(part), /set the admin password first/);
			assert.ok(!/action="\/setup"/.test(body(part)), "no set-up form in the answer");
			assert.match(body(h.call("GET", "/sip")), /action="\/setup"/, "the page itself is the first run");
		});
		test("the status block shows a door lock-out in force, the lock-out events and the default-code warning", () => {
			const h = harness();
			const { cookie } = h.signIn();
			h.status = {
				registered: true, registration: "registered", sip_user: "620", sip_server: "192.168.178.1", last_error: "",
				door_lockout: { active: true, remaining_s: 241, level: 1 },
				door_warning: "the door code is still the default 123: anyone who knows it can open the door; set your own",
				door_events: [
					{ kind: "lockout_started", time: "2026-12-01T19:00:00.000Z", caller: "Gast", reason: "10 wrong codes within 60 min: every code is refused for 5 min (lock-out 1 in a row)", count: 1 },
					{ kind: "refused", time: "2026-12-01T19:01:00.000Z", caller: "Gast", reason: "the door is locked out", count: 1 },
				],
			};
			const part = body(h.call("GET", "/sip", { headers: { cookie }, query: { part: "status" } }));
			assert.match(part, /<p class="note bad" role="status">Door locked out after too many wrong codes: every code is refused for 5 more min\.<\/p>/);
			assert.match(part, /<p class="note warn" role="status">Warning: the door code is still the default 123: anyone who knows it can open the door; set your own\.<\/p>/);
			assert.match(part, /<li>2026-12-01 19:01:00 Code refused by Gast \(the door is locked out\)<\/li><li>2026-12-01 19:00:00 Door locked out by Gast \(10 wrong codes/);
			h.status.door_lockout = { active: false, remaining_s: 0 };
			h.status.door_warning = null;
			const calm = body(h.call("GET", "/sip", { headers: { cookie }, query: { part: "status" } }));
			assert.equal(/locked out after|Warning/.test(calm), false);
		});
	});

	group("POST /saveSIP", () => {
		test("the settings form as a browser sends it (every field, check boxes with their hidden twins) is within the limits and saves", () => {
			const h = harness();
			const { cookie } = h.signIn();
			const page = body(h.call("GET", "/sip", { headers: { cookie } }));
			const start = page.indexOf('action="/saveSIP"');
			const form = page.slice(start, page.indexOf("</form>", start));
			const fields: string[] = [];
			for (const input of form.match(/<input [^>]*>/g) ?? []) {
				const name = / name="([^"]+)"/.exec(input)?.[1];
				if (!name || (/type="checkbox"/.test(input) && !/ checked/.test(input))) continue;
				const value = (/ value="([^"]*)"/.exec(input)?.[1] ?? "").replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
				fields.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
			}
			for (const select of form.match(/<select [^>]*name="[^"]+"[\s\S]*?<\/select>/g) ?? []) fields.push(`${/name="([^"]+)"/.exec(select)![1]}=${/<option value="([^"]*)" selected/.exec(select)?.[1] ?? /<option value="([^"]*)"/.exec(select)![1]}`);
			assert.ok(fields.length > 32, `the form has its fields (${fields.length})`);
			const response = h.call("POST", "/saveSIP", { body: fields.join("&"), headers: { ...FORM, cookie, origin: `http://${HOST}` } });
			assert.equal(response.status, 303, body(response));
		});

		test("valid form fields are saved, the page is reloaded with a notice, and the change is reported", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const response = h.call("POST", "/saveSIP", { body: form({ csrf, sip_user: "621", sip_password: "", sip_displayname: "Haustür", sip_server: "fritz.box", sip_target: "**9", code: "4711", pulse_ms: "900", max_openings: "2", sip_port: "5060", local_port: "5062", rtp_port: "40000", ring_timeout: "30", talk_limit: "120", digest_uri: "request", allow_any_src: "0" }), headers: { ...FORM, cookie, origin: `http://${HOST}` } });
			assert.equal(response.status, 303);
			assert.equal(response.headers?.Location, "/sip?n=saved");
			assert.deepEqual(h.saved, [["sip_user", "sip_displayname", "sip_server", "sip_target", "code", "pulse_ms", "max_openings"]], "the fields left at their defaults are not written");
			assert.equal(h.store.get("sip", "sip_password"), SIP_PASSWORD, "empty password field: unchanged");
			assert.equal(h.store.get("door", "code"), "4711");
			assert.match(body(h.call("GET", "/sip", { headers: { cookie }, query: { n: "saved" } })), /<p class="note ok" role="status">Saved\.<\/p>/);
			assert.ok(h.lines.join("\n").indexOf("4711") < 0, "the log names keys, not values");
		});

		test("a checked box sends 1 after the hidden 0; an unchecked one leaves the hidden 0", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			h.call("POST", "/saveSIP", { body: `csrf=${csrf}&allow_any_src=0&allow_any_src=1`, headers: { ...FORM, cookie } });
			assert.equal(h.store.get("sip", "allow_any_src"), 1);
			h.call("POST", "/saveSIP", { body: `csrf=${csrf}&allow_any_src=0`, headers: { ...FORM, cookie } });
			assert.equal(h.store.get("sip", "allow_any_src"), 0);
		});

		test("bad fields: 400, each message next to its field, what was typed shown again (escaped), nothing saved", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const before = JSON.stringify(h.store.data);
			const response = h.call("POST", "/saveSIP", { body: form({ csrf, sip_user: '620"><x', sip_password: "neues-passwort", sip_target: "**610\r\nX-Evil: 1", sip_port: "70000", code: "12a", pulse_ms: "5", sip_displayname: "Tür" }), headers: { ...FORM, cookie } });
			assert.equal(response.status, 400);
			const html = body(response);
			assert.match(html, /Nothing was saved: please correct the marked fields/);
			assert.match(html, /id="f_sip_user" name="sip_user" type="text" value="620&quot;&gt;&lt;x" autocomplete="off" autocapitalize="none" autocorrect="off" spellcheck="false" aria-invalid="true" aria-describedby="f_sip_user_e"><p class="err" id="f_sip_user_e">User name must not contain a quote \(allowed: letters, digits and \. _ ~ ! \$ &amp; \* \+ = -\)<\/p>/);
			assert.match(html, /id="f_sip_target_e">Number to ring must not contain a line break \(allowed: digits, letters and \* \. _ \+ -\)</);
			assert.match(html, /id="f_sip_port_e">PBX port must be a whole number from 1 to 65535</);
			assert.match(html, /id="f_code_e">Door code must be 1 to 16 keys: digits, \* and #</);
			assert.match(html, /id="f_pulse_ms_e">Relay pulse \(ms\) must be a whole number from 100 to 10000 ms</);
			assert.match(html, /<details open>/, "the advanced section opens when one of its fields is wrong");
			assert.ok(html.indexOf("neues-passwort") < 0, "the typed password is not sent back");
			assert.equal(JSON.stringify(h.store.data), before);
			assert.deepEqual(h.saved, []);
		});

		test("JSON in, JSON out: errors by key with 400, or the changed keys", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const bad = h.call("POST", "/saveSIP", { body: JSON.stringify({ sip_port: 0, code: "abc", nonsense: 1 }), headers: { ...JSON_TYPE, cookie, "x-csrf-token": csrf } });
			assert.equal(bad.status, 400);
			const errors = JSON.parse(body(bad)).errors;
			assert.deepEqual(Object.keys(errors).sort(), ["code", "nonsense", "sip_port"]);
			const good = h.call("POST", "/saveSIP", { body: JSON.stringify({ sip_target: "**9", ring_timeout: 20, allow_any_src: true }), headers: { ...JSON_TYPE, cookie, "x-csrf-token": csrf } });
			assert.equal(good.status, 200);
			assert.deepEqual(JSON.parse(body(good)), { ok: true, changed: ["sip_target", "ring_timeout", "allow_any_src"], restart_needed: false });
		});

		test("without the CSRF token, with a wrong one, from another origin or without a session: refused, nothing saved", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const cases: Array<[Record<string, string>, string, number]> = [
				[{ ...FORM, cookie }, "sip_target=**9", 403],
				[{ ...FORM, cookie }, `csrf=${"0".repeat(csrf.length)}&sip_target=**9`, 403],
				[{ ...FORM, cookie, origin: "http://evil.example" }, `csrf=${csrf}&sip_target=**9`, 403],
				[{ ...FORM, cookie, origin: "null" }, `csrf=${csrf}&sip_target=**9`, 403],
				[{ ...FORM, cookie, referer: "http://192.168.178.31/sip" }, `csrf=${csrf}&sip_target=**9`, 403],
				[{ ...FORM, cookie, "sec-fetch-site": "same-site" }, `csrf=${csrf}&sip_target=**9`, 403],
				[{ ...FORM }, `csrf=${csrf}&sip_target=**9`, 401],
			];
			for (const [headers, text, status] of cases) assert.equal(h.call("POST", "/saveSIP", { body: text, headers }).status, status, JSON.stringify(headers));
			assert.equal(h.store.get("sip", "sip_target"), undefined);
			assert.equal(h.call("POST", "/saveSIP", { body: `csrf=${csrf}&sip_target=**9`, headers: { ...FORM, cookie, origin: `http://${HOST}`, referer: `http://${HOST}/sip` } }).status, 303);
			assert.equal(h.store.get("sip", "sip_target"), "**9");
		});

		test("bodies: too large 413, malformed 400, other types 415; nothing saved", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const cases: Array<[Record<string, string>, string, number, RegExp]> = [
				[FORM, `csrf=${csrf}&sip_displayname=${"x".repeat(MAX_BODY)}`, 413, /larger than 4096 bytes/],
				[FORM, `csrf=${csrf}&sip_displayname=${"ü".repeat(MAX_BODY / 2)}`, 413, /larger than/],
				[FORM, `csrf=${csrf}&sip_target=%E0%A4%A`, 400, /not validly encoded/],
				[FORM, `csrf=${csrf}&${Array.from({ length: MAX_FIELDS }, (_, i) => `f${i}=1`).join("&")}`, 400, /too many fields/],
				[JSON_TYPE, "{not json", 400, /not valid JSON/],
				[JSON_TYPE, "[1,2]", 400, /must be a JSON object/],
				[JSON_TYPE, JSON.stringify({ sip_target: { toString: "x" } }), 400, /must be a string, number or boolean/],
				[{ "content-type": "multipart/form-data; boundary=x" }, "--x--", 415, /send a form/],
			];
			for (const [type, text, status, message] of cases) {
				const response = h.call("POST", "/saveSIP", { body: text, headers: { ...type, cookie, "x-csrf-token": csrf } });
				assert.equal(response.status, status, text.slice(0, 40));
				assert.match(body(response), message);
			}
			assert.equal(h.store.get("sip", "sip_target"), undefined);
			assert.equal(h.store.get("sip", "sip_displayname"), undefined);
		});

		test("a form sent with X-CSRF-Token (a script's) is answered in JSON, as /ring/sip answers it: 200 with the keys saved, 400 with the errors", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const saved = h.call("POST", "/saveSIP", { body: "sip_target=**9", headers: { ...FORM, cookie, "x-csrf-token": csrf } });
			assert.equal(saved.status, 200);
			assert.deepEqual(JSON.parse(body(saved)), { ok: true, changed: ["sip_target"], restart_needed: false });
			const bad = h.call("POST", "/saveSIP", { body: "sip_port=0", headers: { ...FORM, cookie, "x-csrf-token": csrf } });
			assert.equal(bad.status, 400);
			assert.equal(JSON.parse(body(bad)).ok, false);
			assert.ok(JSON.parse(body(bad)).errors.sip_port);
			assert.equal(h.store.get("sip", "sip_target"), "**9");
		});

		test("__proto__ in a form or JSON body changes nothing", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const response = h.call("POST", "/saveSIP", { body: `csrf=${csrf}&__proto__=x&sip_target=**9`, headers: { ...FORM, cookie } });
			assert.equal(response.status, 303);
			const json = h.call("POST", "/saveSIP", { body: '{"__proto__":"x","sip_target":"**8"}', headers: { ...JSON_TYPE, cookie, "x-csrf-token": csrf } });
			assert.equal(json.status, 200);
			assert.equal(h.store.get("sip", "sip_target"), "**8");
			assert.equal(({} as Record<string, unknown>).x, undefined);
		});
	});

	group("GET /sipDebug and POST /ring/sip", () => {
		test("the status JSON without secrets, escaped so it stays inert", () => {
			const h = harness();
			const { cookie } = h.signIn();
			h.status = { ...h.status, sip_password: SIP_PASSWORD, password: SIP_PASSWORD, code: "123", csrf: "x", sip_displayname: "</script><script>alert(1)</script>", door_events: [{ kind: "opened", caller: "611" }] };
			const response = h.call("GET", "/sipDebug", { headers: { cookie } });
			assert.equal(response.status, 200);
			assert.match(String(response.headers?.["Content-Type"]), /^application\/json/);
			const text = body(response);
			assert.ok(text.indexOf(SIP_PASSWORD) < 0 && text.indexOf("</script>") < 0);
			const status = JSON.parse(text);
			assert.equal(status.sip_displayname, "</script><script>alert(1)</script>");
			assert.equal(status.code, undefined);
			assert.equal(status.csrf, undefined);
			assert.equal(status.sip_user, "620");
			assert.deepEqual(status.door_events, [{ kind: "opened", caller: "611" }]);
		});

		test("GET /ring/sip never rings; POST rings (JSON 200 or 409, a form is sent back to the page)", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const get = h.call("GET", "/ring/sip", { headers: { cookie } });
			assert.equal(get.status, 405);
			assert.equal(get.headers?.Allow, "POST");
			assert.equal(h.rings, 0);
			const rang = h.call("POST", "/ring/sip", { headers: { cookie, "x-csrf-token": csrf, accept: "application/json" } });
			assert.equal(rang.status, 200);
			assert.deepEqual(JSON.parse(body(rang)), { ok: true });
			const viaForm = h.call("POST", "/ring/sip", { body: `csrf=${csrf}`, headers: { ...FORM, cookie, origin: `http://${HOST}` } });
			assert.equal(viaForm.headers?.Location, "/sip?n=rang");
			h.status.ringFails = true;
			const refused = h.call("POST", "/ring/sip", { headers: { cookie, "x-csrf-token": csrf } });
			assert.equal(refused.status, 409);
			assert.equal(JSON.parse(body(refused)).reason, "no SIP account is set up");
			assert.equal(h.call("POST", "/ring/sip", { body: `csrf=${csrf}`, headers: { ...FORM, cookie } }).headers?.Location, "/sip?n=notring");
			assert.match(body(h.call("GET", "/sip", { headers: { cookie }, query: { n: "notring" } })), /Not ringing: no SIP account is set up/);
			assert.equal(h.rings, 4);
			assert.equal(h.call("POST", "/ring/sip", { headers: { cookie, "x-csrf-token": "bad" } }).status, 403);
			assert.equal(h.rings, 4);
		});

		test("a script's POST /ring/sip (X-CSRF-Token, no Accept) gets JSON for every answer: 400 for an unknown button, 401 and 403 too", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const unknown = h.call("POST", "/ring/sip", { headers: { cookie, "x-csrf-token": csrf }, query: { button: "5" } });
			assert.equal(unknown.status, 400);
			assert.match(String(unknown.headers?.["Content-Type"]), /^application\/json/);
			assert.deepEqual(JSON.parse(body(unknown)), { ok: false, error: "button must be 1, 2, 3 or 4" });
			const cases: Array<[Record<string, string>, number]> = [[{ "x-csrf-token": csrf }, 401], [{ cookie, "x-csrf-token": "bad" }, 403]];
			for (const [headers, status] of cases) {
				const refused = h.call("POST", "/ring/sip", { headers });
				assert.equal(refused.status, status);
				assert.match(String(refused.headers?.["Content-Type"]), /^application\/json/);
				assert.equal(JSON.parse(body(refused)).ok, false);
			}
			assert.equal(h.rings, 0);
		});

		test("a script's POST /camera/key (X-CSRF-Token) gets JSON: 404 without a camera, 401 and 403 too", () => {
			const h = harness();
			const { cookie, csrf } = h.signIn();
			const cases: Array<[Record<string, string>, number]> = [[{ cookie, "x-csrf-token": csrf }, 404], [{ "x-csrf-token": csrf }, 401], [{ cookie, "x-csrf-token": "bad" }, 403]];
			for (const [headers, status] of cases) {
				const refused = h.call("POST", "/camera/key", { headers });
				assert.equal(refused.status, status);
				assert.match(String(refused.headers?.["Content-Type"]), /^application\/json/);
				assert.equal(JSON.parse(body(refused)).ok, false);
			}
		});
	});

	group("status in plain words", () => {
		const status = { sip_user: "620", sip_server: "fritz.box", registered: false, registration: "failed" };
		const cases: Array<[string, RegExp]> = [
			["wrong user name or password (the registrar refused the credentials)", /^wrong password \(or user name\): the PBX refused the login of 620/],
			["the PBX refused the call to **610: 403 Forbidden", /^the PBX refused the call to \*\*610: is this IP phone allowed to ring internal numbers\?$/],
			["the PBX refused the call to **610: 404 Not Found", /the number \*\*610 does not exist at the PBX/],
			["the PBX refused the call to **610: 486 Busy Here", /^\*\*610 was busy\.$/],
			["the PBX refused the call to **610: 480 Temporarily Unavailable", /nobody can take the call to \*\*610/],
			["the PBX refused the call to **610: 500 Server Error", /refused the call to \*\*610 \(500 Server Error\)/],
			["no answer from the PBX at 192.168.178.1:5060", /the PBX at 192\.168\.178\.1:5060 does not answer\. Is the PBX address right/],
			["cannot resolve the PBX name fritz.box: ENOTFOUND", /the PBX name fritz\.box is not known on this network/],
			["the registrar answered 403 Forbidden", /refused the registration of 620 \(403 Forbidden\)\. Is the IP phone enabled/],
			["the registrar answered 503 Service Unavailable", /^the PBX is busy or starting up \(503\); the doorbell keeps trying\.$/],
			["the registrar answered 500 Server Internal Error", /^the PBX cannot take the registration now \(500 Server Internal Error\); the doorbell keeps trying\.$/],
			["the registrar answered 480 Temporarily Unavailable", /^the PBX cannot take the registration now \(480 Temporarily Unavailable\); the doorbell keeps trying\.$/],
			["the registrar answered 302 Moved Temporarily", /^the PBX sends the registration elsewhere \(302 Moved Temporarily\), which the doorbell does not follow\. Is the PBX address right\?$/],
			["the registrar answered 488 Not Acceptable Here", /^the PBX refused the registration \(488 Not Acceptable Here\)\.$/],
			["the registrar answered 401 Unauthorized with no challenge the door can answer (algorithm SHA-512-256 is not supported)", /^the PBX asks for a login the doorbell does not support: algorithm SHA-512-256 is not supported\.$/],
			["the PBX refused the call to **610: 407 Proxy Authentication Required with no challenge the door can answer (qop auth-conf is not supported)", /^the PBX asks for a login the doorbell does not support: qop auth-conf is not supported\.$/],
			["the registrar answered 401 Unauthorized with no Digest challenge", /^the PBX asks for a login the doorbell does not support\.$/],
			["something else entirely", /^something else entirely$/],
		];
		for (const [error, words] of cases) test(error, () => assert.match(errorWords(error, status), words));

		test("registration lines", () => {
			assert.deepEqual(registrationWords({ sip_user: "" }).tone, "warn");
			assert.match(registrationWords({ sip_user: "" }).text, /No SIP account yet/);
			assert.deepEqual(registrationWords({ sip_user: "620", sip_server: "fritz.box", registered: true }), { tone: "ok", text: "Registered with fritz.box as 620." });
			assert.deepEqual(registrationWords({ sip_user: "620", sip_server: "fritz.box", registered: false, registration: "registering" }), { tone: "warn", text: "Registering with fritz.box as 620…" });
			assert.equal(registrationWords({ ...status, last_error: "the registrar answered 404 Not Found" }).tone, "bad");
		});
	});
});
