import { test, group, assert } from "../lib/spec.js";
import { seededRandom } from "../lib/fake-udp.js";
import { md5 } from "../lib/md5.js";
import { bootApp } from "../lib/app-harness.js";
import type { HttpPostRequest, HttpRequest, HttpResponse, MqttClient, MqttOptions } from "../../modules/ports.js";

const ADMIN = "Admin-Passwort-1";
const MQTT_PASSWORD = "mqtt-geheim-77";
const HOOK = "http://ha:hook-geheim-99@192.168.178.20:8123/api/webhook/door";

/** The application with a fake broker connection and a fake HTTP POST (to `hook`), signed in to the web page. */
function application(hook = HOOK) {
	const mqtt: Array<{ options: MqttOptions; sent: Array<{ topic: string; payload: string; retain: boolean }>; subscribed: string[] }> = [];
	const posts: HttpPostRequest[] = [];
	const booted = bootApp({
		settings: {
			sip: { sip_password: "alt-geheim" },
			mqtt: { host: "broker.lan", password: MQTT_PASSWORD, door_open: 1 },
			hook: { url1: hook },
			door: { code: "4711" },
		},
		env: {
			sha256: (t) => md5(t) + md5(`\u0001${t}`), random: seededRandom(5), deviceId: "a1b2c3d4e5f6",
			mqtt: (options): MqttClient => {
				const c = { options, sent: [] as Array<{ topic: string; payload: string; retain: boolean }>, subscribed: [] as string[] };
				mqtt.push(c);
				return { publish: (topic, payload, retain) => (c.sent.push({ topic, payload, retain }), true), subscribe: (t) => void c.subscribed.push(t), close() {} };
			},
			httpPost: (request) => {
				posts.push(request);
				return () => {};
			},
		},
		boot: { adminPassword: ADMIN, hashIterations: 8 },
	});
	const http = (method: string, path: string, headers: Record<string, string>, body = ""): HttpResponse => {
		const request: HttpRequest = { method, path, query: {}, headers: { host: "127.0.0.1:8080", ...headers }, body };
		return booted.routes.get(`${method} ${path}`)!(request) as HttpResponse;
	};
	const login = http("POST", "/login", { "content-type": "application/json" }, JSON.stringify({ password: ADMIN }));
	const cookie = String(login.headers?.["Set-Cookie"]).split(";")[0];
	const csrf = JSON.parse(String(login.body)).csrf as string;
	return { ...booted, mqtt, posts, http, cookie, csrf };
}

group("telling the home (booted application)", () => {
	test("start-up: an event, the broker connection with its last will; a press: the ring event on MQTT and the webhook", () => {
		const a = application();
		assert.equal(a.mqtt.length, 1);
		const o = a.mqtt[0].options;
		assert.equal(o.host, "broker.lan");
		assert.equal(o.will.topic, "klingel/a1b2c3d4e5f6/availability");
		o.onConnect();
		assert.deepEqual(a.mqtt[0].subscribed, ["klingel/a1b2c3d4e5f6/door/open"]);
		const before = a.mqtt[0].sent.length;
		a.application.doorbell.press("button");
		assert.equal(a.mqtt[0].sent.length, before, "nothing published on the ring's path");
		assert.ok(a.sent().some((m) => m.method === "INVITE"), "the INVITE went out");
		a.clock.advance(0);
		const ring = a.mqtt[0].sent.find((m) => m.topic === "klingel/a1b2c3d4e5f6/bell/1");
		assert.equal(JSON.parse(ring!.payload).event_type, "ring");
		const hooks = a.posts.map((p) => JSON.parse(p.body).type);
		assert.deepEqual(hooks.slice(0, 1), ["startup"], "the webhook gets the events in order, one at a time");
		assert.equal(a.posts[0].host, "192.168.178.20");
		assert.equal(a.posts[0].path, "/api/webhook/door");
	});

	// A door the watchdog restarted after a hang should say so where the home hears of it, not only
	// on /diag: the start-up event carries the reset reason the platform gives.
	test("the start-up event says why the door started, on the webhook and in MQTT's last event", () => {
		const hung = "task watchdog: the firmware hung and restarted itself";
		const posts: HttpPostRequest[] = [];
		const sent: Array<{ topic: string; payload: string }> = [];
		let connect = () => {};
		const { clock } = bootApp({
			settings: { mqtt: { host: "broker.lan" }, hook: { url1: HOOK } },
			env: {
				deviceId: "a1b2c3d4e5f6",
				health: () => ({ uptime_s: 0, reset_reason: hung }),
				mqtt: (options): MqttClient => {
					connect = options.onConnect;
					return { publish: (topic, payload) => (sent.push({ topic, payload }), true), subscribe() {}, close() {} };
				},
				httpPost: (request) => {
					posts.push(request);
					return () => {};
				},
			},
			boot: { adminPassword: ADMIN, hashIterations: 8 },
		});
		connect();
		clock.advance(0);
		const startup = JSON.parse(posts[0]?.body ?? "{}") as { type?: string; reason?: string; text?: string };
		assert.equal(startup.type, "startup");
		assert.equal(startup.reason, hung);
		assert.equal(startup.text, `Doorbell started (${hung})`);
		assert.ok(sent.find((m) => m.topic === "klingel/a1b2c3d4e5f6/last_event")?.payload.endsWith(`: Doorbell started (${hung})`), "the retained last event says it too");
	});

	test("a remote command with the code opens the door; the history lists it first; GET /events needs a session", () => {
		const a = application();
		a.mqtt[0].options.onConnect();
		a.mqtt[0].options.onMessage("klingel/a1b2c3d4e5f6/door/open", '{"code":"4711"}');
		const denied = a.http("GET", "/events", {});
		assert.equal(denied.status, 401);
		const events = JSON.parse(String(a.http("GET", "/events", { cookie: a.cookie }).body)).events as Array<{ type: string; source: string; text: string }>;
		assert.equal(events[0].type, "door_opened");
		assert.equal(events[0].source, "mqtt");
		assert.equal(events[events.length - 1].type, "startup");
		a.clock.advance(1000);
		assert.equal(a.relayWrites.filter(([, v]) => v === 1).length, 1, "the relay pulsed once");
	});

	test("no MQTT password or webhook password in the page, /sipDebug, /events or the log", () => {
		const a = application();
		a.mqtt[0].options.onConnect();
		a.application.doorbell.press("button");
		a.clock.advance(0);
		const texts = [
			String(a.http("GET", "/sip", { cookie: a.cookie }).body),
			String(a.http("GET", "/sipDebug", { cookie: a.cookie }).body),
			String(a.http("GET", "/events", { cookie: a.cookie }).body),
			a.lines.join("\n"),
			...a.mqtt[0].sent.map((m) => m.payload),
		];
		for (const text of texts) for (const secret of [MQTT_PASSWORD, "hook-geheim-99"]) assert.ok(!text.includes(secret), `leaked in ${text.slice(0, 120)}`);
		assert.ok(texts[0].includes("http://ha:***@192.168.178.20:8123/api/webhook/door"));
	});

	test("a webhook URL's query (a token) and its user and password never show in /sipDebug or the log: `to` is host, port and path, the query as ***", () => {
		const a = application("http://ha:hook-geheim-99@192.168.178.20:8123/api/webhook/door?token=Token-Geheim-8&x=1");
		a.application.doorbell.press("button");
		a.clock.advance(0);
		assert.equal(a.posts[0].path, "/api/webhook/door?token=Token-Geheim-8&x=1", "the POST carries the query as given");
		a.posts[0].done(undefined, 404);
		const text = String(a.http("GET", "/sipDebug", { cookie: a.cookie }).body);
		const hooks = JSON.parse(text).webhooks as Array<Record<string, unknown>>;
		assert.equal(hooks[0].to, "192.168.178.20:8123/api/webhook/door?***");
		assert.ok(a.lines.some((l) => l.includes("webhook: 192.168.178.20:8123/api/webhook/door?***: event not delivered (HTTP 404")), a.lines.join("\n"));
		for (const shown of [text, a.lines.join("\n")]) {
			for (const secret of ["Token-Geheim-8", "x=1", "hook-geheim-99", "ha:"]) assert.ok(!shown.includes(secret), `${secret} shows in ${shown.slice(0, 300)}`);
		}
	});

	test("settings: the MQTT password is write-only, the webhook's redacted URL saved back keeps it, https is refused", () => {
		const a = application();
		const save = (fields: Record<string, unknown>) => a.http("POST", "/saveSIP", { "content-type": "application/json", cookie: a.cookie, "x-csrf-token": a.csrf }, JSON.stringify(fields));
		assert.equal(save({ password: "", url1: "http://ha:***@192.168.178.20:8123/api/webhook/door", prefix: "haus/tuer" }).status, 200);
		assert.equal(a.store.get("mqtt", "password"), MQTT_PASSWORD);
		assert.equal(a.store.get("hook", "url1"), HOOK);
		assert.equal(a.mqtt[a.mqtt.length - 1].options.will.topic, "haus/tuer/a1b2c3d4e5f6/availability", "a new prefix reconnects");
		const bad = save({ url2: "https://x:y@h/", prefix: "a/+/b", discovery: "" });
		assert.equal(bad.status, 400);
		const errors = JSON.parse(String(bad.body)).errors as Record<string, string>;
		assert.match(errors.url2, /http:\/\//);
		assert.ok(!errors.url2.includes("x:y"));
		assert.match(errors.prefix, /no \+ or #/);
		assert.equal(errors.discovery, undefined, "an empty discovery prefix is allowed (no discovery)");
		assert.equal(save({ discovery: "" }).status, 200);
		assert.equal(a.store.get("mqtt", "discovery"), "");
	});
});
