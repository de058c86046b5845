/*
 * Telling the home, end to end: Debian's mosquitto as the broker (on a free loopback port, with a
 * password file), kamailio as the FRITZ!Box, handset 611 and the simulator with the `mqtt` and
 * `hook` settings; a local HTTP server receives the webhooks. A press publishes the discovery
 * configs and the ring event, a DTMF opening publishes `opened`, a remote command opens the door,
 * a dead broker and a dead webhook leave ringing alone, stopping kamailio flips the registration
 * sensor, and killing the simulator makes the broker publish its last will `offline`.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { Rig, freePort } from "../rig/index.js";
import { Mosquitto, type Subscriber } from "../rig/mosquitto.js";
import { RunDir } from "../rig/rundir.js";

const MQTT_USER = "klingel";
const MQTT_PASSWORD = "mqtt-geheim-4711";
const HOOK_USER = "hook";
const HOOK_PASSWORD = "hook-geheim-0815";

let dir: RunDir;
let broker: Mosquitto;
let watcher: Subscriber;
let rig: Rig;
let hooks: Server;
let hookPort = 0;
/** Each webhook POST as it arrived. */
const received: Array<{ at: number; auth: string; type: string; body: Record<string, unknown> }> = [];
/** While set, the webhook server reads requests and never answers (a black hole). */
let blackHole = false;
const held: Socket[] = [];
let deviceId = "";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sim = () => rig.simulator!;
const topic = (rest: string) => `klingel/${deviceId}/${rest}`;

before(async () => {
	dir = new RunDir("e2e-home");
	broker = await Mosquitto.start({ dir: dir.dir("mosquitto"), users: { [MQTT_USER]: MQTT_PASSWORD, watcher: "watcher-pw" } });
	watcher = await broker.subscriber(["klingel/#", "homeassistant/#"], { username: "watcher", password: "watcher-pw" });
	hookPort = await freePort({ tcp: true });
	hooks = createServer((request: IncomingMessage, response) => {
		if (blackHole) {
			held.push(request.socket);
			return;
		}
		let body = "";
		request.on("data", (chunk) => (body += chunk));
		request.on("end", () => {
			try {
				const parsed = JSON.parse(body) as Record<string, unknown>;
				received.push({ at: Date.now(), auth: String(request.headers.authorization ?? ""), type: String(parsed.type), body: parsed });
				response.writeHead(204).end();
			} catch {
				response.writeHead(400).end();
			}
		});
	});
	await new Promise<void>((resolve) => hooks.listen(hookPort, "127.0.0.1", resolve));
	rig = await Rig.start({
		name: "e2e-home",
		// Short registrations: a stopped PBX shows within one refresh and Timer F.
		kamailio: { maxExpires: 20 },
		handsets: [{ user: "611" }],
		simulator: {
			settings: {
				door: { code: "123", pulse_ms: 300, max_openings: 1 },
				mqtt: { host: "127.0.0.1", port: broker.port, user: MQTT_USER, password: MQTT_PASSWORD, door_open: 1 },
				hook: { url1: `http://${HOOK_USER}:${HOOK_PASSWORD}@127.0.0.1:${hookPort}/klingel?src=door` },
			},
		},
	});
	const status = await sim().waitForStatus((s) => (s.mqtt as { connected?: boolean } | null)?.connected === true, { what: "MQTT connected" });
	deviceId = String(status.device_id);
});

after(async () => {
	// rig.stop() throws when anything was meant to leave this machine; the broker, its
	// subscriber and the webhook server would keep the test process alive after it.
	try {
		await rig?.stop();
	} finally {
		await watcher?.close();
		for (const socket of held) socket.destroy();
		await new Promise((r) => hooks?.close(r));
		await broker?.stop();
		dir?.remove();
	}
});

test("connecting publishes online, the discovery configs and the registration, retained", async () => {
	await rig.withLogs(async () => {
		assert.match(deviceId, /^[0-9a-f]{12}$/);
		const online = await watcher.waitFor((m) => m.topic === topic("availability") && m.payload === "online", { what: "online" });
		assert.equal(online.retain, false, "seen live, as published");
		const bell = await watcher.waitFor((m) => m.topic === `homeassistant/event/${deviceId}/bell1/config`, { what: "the bell's discovery config" });
		const config = JSON.parse(bell.payload);
		assert.deepEqual(config.event_types, ["ring"]);
		assert.equal(config.state_topic, topic("bell/1"));
		assert.equal(config.availability_topic, topic("availability"));
		assert.equal(config.device_class, "doorbell");
		assert.deepEqual(config.device.identifiers, [`klingel_${deviceId}`]);
		const door = JSON.parse((await watcher.waitFor((m) => m.topic === `homeassistant/event/${deviceId}/door/config`)).payload);
		assert.deepEqual(door.event_types, ["opened", "wrong_code", "locked_out"]);
		const registration = JSON.parse((await watcher.waitFor((m) => m.topic === `homeassistant/binary_sensor/${deviceId}/registration/config`)).payload);
		assert.equal(registration.device_class, "connectivity");
		await watcher.waitFor((m) => m.topic === `homeassistant/sensor/${deviceId}/last_event/config`);
		// Unused bell buttons: their configs are emptied (an old set-up's entities go away).
		const unused = await watcher.waitFor((m) => m.topic === `homeassistant/event/${deviceId}/bell2/config`);
		assert.equal(unused.payload, "");
		await watcher.waitFor((m) => m.topic === topic("registration") && m.payload === "ON", { what: "registration ON" });
		// A late subscriber gets them retained.
		const late = await broker.subscriber([`homeassistant/event/${deviceId}/bell1/config`, topic("availability")], { username: "watcher", password: "watcher-pw" });
		try {
			const retained = await late.waitFor((m) => m.topic.endsWith("bell1/config"));
			assert.equal(retained.retain, true);
			assert.equal((await late.waitFor((m) => m.topic === topic("availability"))).payload, "online");
		} finally {
			await late.close();
		}
	});
});

test("a press publishes the ring event within a second, and the webhook gets the JSON", async () => {
	await rig.withLogs(async () => {
		const h611 = rig.handset("611");
		const from = watcher.mark();
		const ringing = h611.mark();
		const hooked = received.length;
		await sim().press();
		const pressedAt = Date.now();
		const ring = await watcher.waitFor((m) => m.topic === topic("bell/1"), { from, timeoutMs: 1000, what: "the ring event within 1 s" });
		process.stdout.write(`# press → MQTT ring event at the subscriber: ${ring.at - pressedAt} ms\n`);
		const payload = JSON.parse(ring.payload);
		assert.equal(payload.event_type, "ring");
		assert.equal(payload.source, "button");
		assert.equal(typeof payload.seq, "number");
		const all = JSON.parse((await watcher.waitFor((m) => m.topic === topic("event"), { from })).payload);
		assert.equal(all.type, "ring");
		assert.equal(all.button, 1);
		assert.equal(all.device, deviceId);
		const last = await watcher.waitFor((m) => m.topic === topic("last_event"), { from });
		assert.match(last.payload, /Bell 1 rang/);
		await h611.waitFor("incoming", { from: ringing });
		// The webhook: the same event as JSON, with the URL's user and password as Basic authorization.
		const deadline = Date.now() + 5000;
		while (!received.slice(hooked).some((r) => r.type === "ring") && Date.now() < deadline) await sleep(50);
		const hook = received.slice(hooked).find((r) => r.type === "ring");
		assert.ok(hook, `the webhook got the ring; got ${JSON.stringify(received.slice(hooked))}`);
		assert.equal(hook.auth, `Basic ${Buffer.from(`${HOOK_USER}:${HOOK_PASSWORD}`).toString("base64")}`);
		assert.equal(hook.body.device, deviceId);
		assert.equal(hook.body.text, "Bell 1 rang");
		sim().hangup();
		await sim().waitForStatus((s) => s.call === "idle");
		const cancelled = JSON.parse((await watcher.waitFor((m) => m.topic === topic("event") && JSON.parse(m.payload).type === "ring_cancelled", { from })).payload);
		assert.equal(cancelled.button, 1);
	});
});

test("a DTMF opening publishes `opened` on the door topic", async () => {
	await rig.withLogs(async () => {
		await rig.idle({ settleMs: 300 });
		const h611 = rig.handset("611");
		const from = watcher.mark();
		const mark = h611.mark();
		h611.dial("620");
		await h611.waitFor("established", { from: mark });
		await sim().waitForStatus((s) => s.call === "answered");
		await sleep(500);
		await h611.dtmf("123");
		const door = JSON.parse((await watcher.waitFor((m) => m.topic === topic("door"), { from, what: "the door event" })).payload);
		assert.equal(door.event_type, "opened");
		assert.equal(door.source, "rtp");
		assert.match(String(door.peer), /611/);
		const started = await watcher.waitFor((m) => m.topic === topic("event") && JSON.parse(m.payload).type === "call_started", { from });
		assert.match(started.payload, /611/);
		for (const m of watcher.messages.slice(from)) assert.ok(!/"123"|: ?123\b/.test(m.payload), `no code in ${m.topic}: ${m.payload}`);
		h611.hangup();
		await sim().waitForStatus((s) => s.call === "idle");
	});
});

test("a remote command with the code opens the door; a wrong one is a wrong code; both are events with their source", async () => {
	await rig.withLogs(async () => {
		const from = watcher.mark();
		watcher.client.publish(topic("door/open"), "999");
		const wrong = JSON.parse((await watcher.waitFor((m) => m.topic === topic("door"), { from, what: "the wrong code" })).payload);
		assert.equal(wrong.event_type, "wrong_code");
		assert.equal(wrong.source, "mqtt");
		await sleep(2100); // one remote attempt per 2 s
		const next = watcher.mark();
		watcher.client.publish(topic("door/open"), JSON.stringify({ code: "123" }));
		const opened = JSON.parse((await watcher.waitFor((m) => m.topic === topic("door"), { from: next, what: "the remote opening" })).payload);
		assert.equal(opened.event_type, "opened");
		assert.equal(opened.source, "mqtt");
		// The relay pulsed for the DTMF opening and the remote one.
		await sim().waitForStatus((s) => ((s.relay_pulses ?? []) as unknown[]).length >= 2, { what: "two relay pulses" });
		// The history: newest first, in words, no code.
		const events = (await (await sim().request("GET", "/events")).json()) as { events: Array<{ type: string; text: string; seq: number }> };
		assert.equal(events.events[0].type, "door_opened");
		assert.match(events.events[0].text, /Door opened.*MQTT/);
		assert.ok(events.events.some((e) => e.type === "ring") && events.events.some((e) => e.type === "startup"));
		for (let i = 1; i < events.events.length; i++) assert.ok(events.events[i - 1].seq > events.events[i].seq, "newest first");
	});
});

test("no secret in the page, /sipDebug, /events, the log or any MQTT message", async () => {
	await rig.withLogs(async () => {
		const texts = [
			await (await sim().request("GET", "/sip")).text(),
			await (await sim().request("GET", "/sipDebug")).text(),
			await (await sim().request("GET", "/events")).text(),
			sim().process.output,
			...watcher.messages.map((m) => m.payload),
		];
		for (const text of texts) {
			for (const secret of [MQTT_PASSWORD, HOOK_PASSWORD]) assert.ok(!text.includes(secret), `a secret leaked: ${text.slice(0, 200)}`);
		}
		const page = texts[0];
		assert.ok(page.includes(`http://${HOOK_USER}:***@127.0.0.1:${hookPort}/klingel?src=door`), "the page shows the webhook with its password hidden");
	});
});

test("a dead broker and a black-holed webhook leave ringing unaffected", async () => {
	await rig.withLogs(async () => {
		await rig.idle({ settleMs: 300 });
		await broker.stop();
		blackHole = true;
		await sim().waitForStatus((s) => (s.mqtt as { connected?: boolean }).connected === false, { what: "MQTT down" });
		const h611 = rig.handset("611");
		for (let i = 0; i < 2; i++) {
			const mark = h611.mark();
			await sim().press();
			await h611.waitFor("incoming", { from: mark });
			sim().hangup();
			await sim().waitForStatus((s) => s.call === "idle");
			await sleep(300);
		}
		const status = await sim().status();
		const hooksStatus = status.webhooks as Array<{ queued: number }>;
		assert.ok(hooksStatus[0].queued >= 1, "the webhook's events wait in its queue");
		assert.ok((status.mqtt as { dropped: number }).dropped >= 1, "events without a broker are counted as dropped");
		blackHole = false;
		for (const socket of held.splice(0)) socket.destroy();
		// The broker comes back on its port: the doorbell reconnects (back-off) and says online.
		broker = await Mosquitto.start({ dir: dir.dir("mosquitto"), port: broker.port, users: { [MQTT_USER]: MQTT_PASSWORD, watcher: "watcher-pw" } });
		watcher = await broker.subscriber(["klingel/#"], { username: "watcher", password: "watcher-pw" });
		await watcher.waitFor((m) => m.topic === topic("availability") && m.payload === "online", { timeoutMs: 40000, what: "online again" });
	});
});

test("stopping kamailio flips the registration sensor to OFF", async () => {
	await rig.withLogs(async () => {
		const from = watcher.mark();
		await rig.kamailio.process.stop();
		const off = await watcher.waitFor((m) => m.topic === topic("registration") && m.payload === "OFF", { from, timeoutMs: 70000, what: "registration OFF" });
		assert.equal(off.payload, "OFF");
		const lost = await watcher.waitFor((m) => m.topic === topic("event") && JSON.parse(m.payload).type === "registration_lost", { from });
		assert.match(JSON.parse(lost.payload).text, /Not registered with the PBX/);
	});
});

test("killing the simulator makes the broker publish its last will: offline", async () => {
	await rig.withLogs(async () => {
		const from = watcher.mark();
		sim().process.killGroup("SIGKILL");
		const will = await watcher.waitFor((m) => m.topic === topic("availability") && m.payload === "offline", { from, timeoutMs: 60000, what: "offline" });
		assert.equal(will.payload, "offline");
	});
});
