import { test, group, assert } from "../lib/spec.js";
import { seededRandom } from "../lib/fake-udp.js";
import { md5 } from "../lib/md5.js";
import { bootApp } from "../lib/app-harness.js";
import { LOCAL } from "../lib/ua-harness.js";
import type { SipMessage } from "../../sip/message.js";
import type { HttpRequest, HttpResponse } from "../../modules/ports.js";
import type { DoorbellEnvironment } from "../../modules/environment.js";

const ADMIN = "Admin-Passwort-1";

/** The application on fake ports, registered as 620 with the scripted PBX, signed in to the web page. */
function application(env: Partial<DoorbellEnvironment> = {}) {
	const { application: app, store, clock, lines, sent, routes, answer: reply } = bootApp({
		settings: { sip: { sip_password: "alt-geheim" } },
		env: { sha256: (t) => md5(t) + md5(`\u0001${t}`), random: seededRandom(5), ...env },
		boot: { adminPassword: ADMIN, hashIterations: 8 },
	});
	const answer = (request: SipMessage, status: number, reason: string, headers: string[] = []) => reply(request, status, reason, { toTag: "t1", headers });
	const http = (method: string, path: string, headers: Record<string, string>, body = ""): HttpResponse => {
		const request: HttpRequest = { method, path, query: {}, headers: { host: "127.0.0.1:8080", ...headers }, body };
		return routes.get(`${method} ${path}`)!(request) as HttpResponse;
	};
	const login = http("POST", "/login", { "content-type": "application/json" }, JSON.stringify({ password: ADMIN }));
	const cookie = String(login.headers?.["Set-Cookie"]).split(";")[0];
	const csrf = JSON.parse(String(login.body)).csrf as string;
	const save = (fields: Record<string, unknown>) => http("POST", "/saveSIP", { "content-type": "application/json", cookie, "x-csrf-token": csrf }, JSON.stringify(fields));
	return { app, store, clock, lines, sent, answer, http, save, cookie, csrf };
}

function fromUser(message: SipMessage): string {
	return /sip:([^@]+)@/.exec(message.header("from") ?? "")?.[1] ?? "";
}

group("web in the application", () => {
	test("the admin password given at boot signs in; the status is behind the session", () => {
		const a = application();
		assert.equal(a.http("GET", "/sipDebug", {}).status, 401);
		const status = JSON.parse(String(a.http("GET", "/sipDebug", { cookie: a.cookie }).body));
		assert.equal(status.registered, true);
		assert.equal(status.sip_user, "620");
		assert.ok(Array.isArray(status.door_events), "the door opener's events are in the status");
		assert.ok(String(a.http("GET", "/sipDebug", { cookie: a.cookie }).body).indexOf("alt-geheim") < 0);
	});

	test("changing the account unregisters the old one first, then registers the new one", () => {
		const a = application();
		const response = a.save({ sip_user: "621", sip_password: "neu-geheim" });
		assert.equal(response.status, 200);
		const first = a.sent();
		assert.equal(first.length, 1, "only the unregistration goes out first");
		assert.equal(first[0].method, "REGISTER");
		assert.equal(fromUser(first[0]), "620");
		assert.equal(first[0].header("expires"), "0");
		a.answer(first[0], 200, "OK");
		const second = a.sent();
		assert.equal(second.length, 1);
		assert.equal(second[0].method, "REGISTER");
		assert.equal(fromUser(second[0]), "621");
		assert.notEqual(second[0].header("expires"), "0");
		a.answer(second[0], 200, "OK", [`Contact: <sip:621@${LOCAL}:5062>;expires=120`]);
		const status = JSON.parse(String(a.http("GET", "/sipDebug", { cookie: a.cookie }).body));
		assert.equal(status.registered, true);
		assert.equal(status.sip_user, "621");
		assert.ok(a.lines.join("\n").indexOf("neu-geheim") < 0 && a.lines.join("\n").indexOf("alt-geheim") < 0, "no password in the log");
	});

	test("a new target or display name applies without re-registering", () => {
		const a = application();
		assert.equal(a.save({ sip_target: "**9", sip_displayname: "Tor" }).status, 200);
		assert.equal(a.sent().length, 0);
		assert.equal(a.app.doorbell.ua.config.target, "**9");
		assert.equal(a.app.doorbell.ua.config.displayName, "Tor");
	});

	test("bad settings change nothing in the running user agent", () => {
		const a = application();
		assert.equal(a.save({ sip_user: "6 21", sip_password: "x" }).status, 400);
		assert.equal(a.sent().length, 0);
		assert.equal(a.app.doorbell.ua.config.user, "620");
		assert.equal(a.store.data.sip.sip_password, "alt-geheim");
	});

	test("a save while another stored key is bad: saved and applied with that key at its default, which the log names; the page shows the bad key", () => {
		const a = application();
		a.store.data.sip.talk_limit = 5;
		const response = a.save({ sip_target: "**9" });
		assert.equal(response.status, 200);
		assert.equal(a.store.data.sip.sip_target, "**9");
		assert.equal(a.app.doorbell.ua.config.target, "**9");
		assert.equal(a.app.doorbell.ua.config.talkLimit, 120);
		assert.match(a.lines.join("\n"), /setting sip\.talk_limit: must be a whole number from 10 to 3600 s \(stored: 5\): the default is used until it is saved again/);
		const page = String(a.http("GET", "/sip", { cookie: a.cookie }).body);
		assert.match(page, /id="f_talk_limit_e">the stored value must be a whole number from 10 to 3600 s</);
	});

	test("new door settings reach the door opener", () => {
		const a = application();
		assert.equal(a.save({ code: "4711", pulse_ms: 1200, max_openings: 2 }).status, 200);
		assert.deepEqual(a.app.door.settings, { code: "4711", pulseMs: 1200, maxOpenings: 2, hangupAfterMs: 0 });
	});

	test("the test ring from the page sends an INVITE to the target", () => {
		const a = application();
		const response = a.http("POST", "/ring/sip", { cookie: a.cookie, "x-csrf-token": a.csrf });
		assert.equal(response.status, 200);
		const invite = a.sent().find((m) => m.method === "INVITE");
		assert.ok(invite, "an INVITE went out");
		assert.match(invite.uri, /^sip:(\*\*|%2A%2A)610@/);
	});

	test("diagnostics before any SIP message (no account yet): \"None yet\", not \"the last 0 messages\"", () => {
		const { routes } = bootApp({ settings: { sip: { sip_user: "" } }, env: { sha256: (t) => md5(t) + md5(`\u0001${t}`), random: seededRandom(5) }, boot: { adminPassword: ADMIN, hashIterations: 8 } });
		const login = routes.get("POST /login")!({ method: "POST", path: "/login", query: {}, headers: { host: "127.0.0.1:8080", "content-type": "application/json" }, body: JSON.stringify({ password: ADMIN }) }) as HttpResponse;
		const cookie = String(login.headers?.["Set-Cookie"]).split(";")[0];
		const page = routes.get("GET /diag")!({ method: "GET", path: "/diag", query: {}, headers: { host: "127.0.0.1:8080", cookie }, body: "" }) as HttpResponse;
		assert.match(String(page.body), /<h2>SIP messages<\/h2><p>None yet\. Digest/);
	});

	test("diagnostics: /diag, /sipTrace and /sipTrace.pcap need the session; the trace holds the REGISTERs both ways, the digest response hidden", () => {
		const a = application({ health: () => ({ uptime_s: 4242, free_heap: 123456, reset_reason: "Brownout", wifi_rssi: -61 }) });
		for (const path of ["/diag", "/sipTrace", "/sipTrace.pcap"]) assert.equal(a.http("GET", path, {}).status, 401, path);
		assert.equal(a.save({ sip_user: "621", sip_password: "neu-geheim" }).status, 200);
		a.answer(a.sent()[0], 200, "OK");
		const register = a.sent()[0];
		a.answer(register, 401, "Unauthorized", ['WWW-Authenticate: Digest realm="fritz.box", nonce="n0nce", qop="auth", algorithm=MD5']);
		const retry = a.sent()[0];
		const response = /response="([0-9a-f]{32})"/.exec(retry.header("authorization") ?? "")?.[1];
		assert.ok(response, "the retry carries a digest response");
		const trace = JSON.parse(String(a.http("GET", "/sipTrace", { cookie: a.cookie }).body)) as { messages: { direction: string; address: string; text: string; time: string }[] };
		const lines = trace.messages.map((m) => `${m.direction} ${m.text.slice(0, m.text.indexOf("\r\n"))}`);
		const uri = retry.uri;
		assert.deepEqual(lines.slice(-5), [`out REGISTER ${uri} SIP/2.0`, "in SIP/2.0 200 OK", `out REGISTER ${uri} SIP/2.0`, "in SIP/2.0 401 Unauthorized", `out REGISTER ${uri} SIP/2.0`]);
		const all = JSON.stringify(trace);
		assert.ok(!all.includes(response), "no digest response in the trace");
		assert.match(all, /response=\\"\(not shown\)\\"/);
		assert.ok(!all.includes("geheim"));
		assert.match(trace.messages[0].time, /^2026-/);
		const page = a.http("GET", "/diag", { cookie: a.cookie });
		assert.equal(page.status, 200);
		const body = String(page.body);
		assert.match(body, /401 Unauthorized/);
		assert.match(body, /The last \d+ messages in \(←\) and out \(→\), newest first\./);
		assert.match(body, /<th>Up for \(s\)<\/th><td>4242<\/td>/);
		assert.match(body, /Brownout/);
		assert.ok(!body.includes(response));
		const pcap = a.http("GET", "/sipTrace.pcap", { cookie: a.cookie });
		assert.equal(pcap.headers?.["Content-Type"], "application/vnd.tcpdump.pcap");
		const bytes = new Uint8Array(pcap.body as ArrayBuffer);
		assert.equal(new DataView(bytes.buffer).getUint32(0, true), 0xa1b2c3d4);
		assert.ok(bytes.length > 24 + trace.messages.length * 28);
		const debug = JSON.parse(String(a.http("GET", "/sipDebug", { cookie: a.cookie }).body));
		assert.deepEqual(debug.health, { uptime_s: 4242, free_heap: 123456, reset_reason: "Brownout", wifi_rssi: -61 });
	});
});
