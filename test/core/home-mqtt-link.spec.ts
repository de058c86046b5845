import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { MqttLink, OUTBOX_SIZE, CONNECT_TIMEOUT_MS, MIN_BACKOFF_MS, type MqttSettings } from "../../home/mqtt-link.js";
import type { MqttClient, MqttOptions } from "../../modules/ports.js";
import type { HomeEvent } from "../../home/events.js";

const SETTINGS: MqttSettings = { host: "broker.lan", port: 1883, user: "u", password: "geheim", prefix: "klingel", discovery: "homeassistant", remoteDoor: false };
const ID = "a1b2c3d4e5f6";

interface Attempt {
	options: MqttOptions;
	sent: Array<{ topic: string; payload: string; retain: boolean }>;
	subscribed: string[];
	/** How the link ended it: with DISCONNECT ("closed") or its socket just closed ("abandoned"). */
	closed: false | "closed" | "abandoned";
	accept: boolean;
}

function rig(settings: Partial<MqttSettings> = {}) {
	const clock = new FakeClock();
	const attempts: Attempt[] = [];
	const lines: string[] = [];
	const commands: string[] = [];
	const connect = (options: MqttOptions): MqttClient => {
		const attempt: Attempt = { options, sent: [], subscribed: [], closed: false, accept: true };
		attempts.push(attempt);
		return {
			publish: (topic, payload, retain) => {
				if (!attempt.accept) return false;
				attempt.sent.push({ topic, payload, retain });
				return true;
			},
			subscribe: (topic) => void attempt.subscribed.push(topic),
			close: (abandon?: boolean) => void (attempt.closed = abandon ? "abandoned" : "closed"),
		};
	};
	const link = new MqttLink({
		connect, clock, log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) }, deviceId: ID,
		device: () => ({ id: ID, name: "Haustür", version: "0.1.0" }), buttons: () => [1], registered: () => true, lastEvent: () => undefined,
		onDoorCommand: (payload) => void commands.push(payload),
	}, { ...SETTINGS, ...settings });
	return { clock, attempts, lines, commands, link };
}

const ring = (seq: number): HomeEvent => ({ type: "ring", button: 1, source: "button", seq, uptime_ms: 0, time: null, count: 1 });

group("MQTT link", () => {
	test("connects with the last will offline, then says online and publishes discovery and states, retained", () => {
		const { attempts, link } = rig();
		link.start();
		assert.equal(attempts.length, 1);
		const o = attempts[0].options;
		assert.deepEqual(o.will, { topic: `klingel/${ID}/availability`, payload: "offline", retain: true });
		assert.equal(o.clientId, `klingel-${ID}`);
		assert.equal(o.user, "u");
		assert.equal(o.password, "geheim");
		o.onConnect();
		const sent = attempts[0].sent;
		assert.deepEqual(sent[0], { topic: `klingel/${ID}/availability`, payload: "online", retain: true });
		assert.ok(sent.some((p) => p.topic === `homeassistant/event/${ID}/bell1/config` && p.retain));
		assert.ok(sent.some((p) => p.topic === `klingel/${ID}/registration` && p.payload === "ON" && p.retain));
		assert.deepEqual(attempts[0].subscribed, [], "no command topic while remote opening is off");
		assert.equal(link.connected, true);
	});

	test("a password stored without a user is left out (MQTT 3.1.1 allows none; the broker would refuse every attempt)", () => {
		const { attempts, link } = rig({ user: "" });
		link.start();
		assert.equal(attempts[0].options.user, undefined);
		assert.equal(attempts[0].options.password, undefined);
	});

	test("no discovery with an empty discovery prefix; nothing at all with an empty host", () => {
		const a = rig({ discovery: "" });
		a.link.start();
		a.attempts[0].options.onConnect();
		assert.ok(!a.attempts[0].sent.some((p) => p.topic.startsWith("homeassistant/")));
		const b = rig({ host: "" });
		b.link.start();
		b.link.event(ring(1));
		assert.equal(b.attempts.length, 0);
		assert.equal(b.link.dropped, 0);
	});

	test("events go out from a timer turn of their own, never inside the caller's", () => {
		const { attempts, link, clock } = rig();
		link.start();
		attempts[0].options.onConnect();
		const before = attempts[0].sent.length;
		link.event(ring(1));
		assert.equal(attempts[0].sent.length, before, "nothing written inside event()");
		clock.advance(0);
		assert.deepEqual(attempts[0].sent.slice(before).map((p) => p.topic), [`klingel/${ID}/event`, `klingel/${ID}/bell/1`, `klingel/${ID}/last_event`]);
		assert.equal(link.published, attempts[0].sent.length);
	});

	test("the outbox is bounded: the oldest messages go, counted", () => {
		const { attempts, link, clock } = rig();
		link.start();
		attempts[0].options.onConnect();
		const before = attempts[0].sent.length;
		for (let i = 1; i <= 20; i++) link.event(ring(i));
		clock.advance(0);
		const sent = attempts[0].sent.slice(before);
		assert.equal(sent.length, OUTBOX_SIZE);
		assert.equal(link.dropped, 20 * 3 - OUTBOX_SIZE);
		assert.equal(JSON.parse(sent[sent.length - 2].payload).seq, 20, "the newest are kept");
	});

	test("while not connected events are dropped and counted; a refused publish is counted", () => {
		const { attempts, link, clock } = rig();
		link.start();
		link.event(ring(1));
		assert.equal(link.dropped, 1);
		attempts[0].options.onConnect();
		attempts[0].accept = false;
		link.event(ring(2));
		clock.advance(0);
		assert.equal(link.dropped, 4);
	});

	test("reconnects with back-off doubling to 60 s, and from 1 s again after a success", () => {
		const { attempts, link, clock, lines } = rig();
		link.start();
		const waits: number[] = [];
		for (let i = 0; i < 8; i++) {
			const n = attempts.length;
			attempts[n - 1].options.onClose("ECONNREFUSED");
			const from = clock.now();
			while (attempts.length === n) clock.advance(100);
			waits.push(clock.now() - from);
		}
		assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
		assert.ok(lines.some((l) => /cannot connect to broker.lan:1883 failed \(ECONNREFUSED\)/.test(l)));
		assert.ok(!lines.some((l) => l.includes("geheim")), "the password is never logged");
		const last = attempts[attempts.length - 1];
		last.options.onConnect();
		last.options.onClose("connection reset");
		const n = attempts.length;
		clock.advance(999);
		assert.equal(attempts.length, n);
		clock.advance(1);
		assert.equal(attempts.length, n + 1);
	});

	test("a new address of the door: a link backed off to 60 s tries at once and from 1 s again; one in flight is abandoned for a new one; a connected link is left alone", () => {
		const { attempts, link, clock } = rig();
		link.start();
		for (let i = 0; i < 8; i++) {
			const n = attempts.length;
			attempts[n - 1].options.onClose("EHOSTUNREACH");
			while (attempts.length === n) clock.advance(100);
		}
		attempts[attempts.length - 1].options.onClose("EHOSTUNREACH");
		clock.advance(5_000);
		let n = attempts.length;
		link.networkChanged();
		assert.equal(attempts.length, n + 1, "an attempt at once");
		attempts[n].options.onClose("EHOSTUNREACH");
		clock.advance(MIN_BACKOFF_MS);
		assert.equal(attempts.length, n + 2, "the back-off starts over at 1 s");
		clock.advance(3_000);
		n = attempts.length;
		link.networkChanged();
		assert.equal(attempts[n - 1].closed, "abandoned", "the attempt in flight is given up");
		assert.equal(attempts.length, n + 1);
		attempts[n].options.onConnect();
		assert.equal(link.connected, true);
		link.networkChanged();
		assert.equal(attempts.length, n + 1);
		assert.equal(attempts[n].closed, false);
	});

	test("an address every 100 ms while the broker does not answer: at most one attempt per MIN_BACKOFF_MS, only the newest left open", () => {
		const { attempts, link, clock } = rig();
		link.start();
		const span = 20_000;
		for (let t = 0; t < span; t += 100) {
			link.networkChanged();
			clock.advance(100);
		}
		assert.ok(attempts.length >= 10, `${attempts.length} attempts`);
		assert.ok(attempts.length <= span / MIN_BACKOFF_MS + 1, `${attempts.length} attempts in ${span / 1000} s`);
		assert.ok(attempts.slice(0, -1).every((a) => a.closed === "abandoned"), "only the newest open");
	});

	test("an attempt the broker never answers is abandoned (closed without DISCONNECT) and retried; its late CONNACK changes nothing", () => {
		const { attempts, link, clock } = rig();
		link.start();
		clock.advance(CONNECT_TIMEOUT_MS - 1);
		assert.equal(attempts[0].closed, false);
		clock.advance(1);
		assert.equal(attempts[0].closed, "abandoned", "the SDK's client has no timeout of its own: left open, its SYN could still get through");
		clock.advance(1000);
		assert.equal(attempts.length, 2);
		attempts[0].options.onConnect();
		assert.equal(link.connected, false, "the abandoned attempt cannot come back");
		assert.deepEqual(attempts[0].sent, []);
		attempts[1].options.onConnect();
		const sent = attempts[1].sent.length;
		attempts[0].options.onConnect();
		attempts[0].options.onClose("connection lost");
		assert.equal(link.connected, true, "nor end the live one");
		assert.equal(attempts[1].closed, false);
		assert.equal(attempts[1].sent.length, sent);
		assert.deepEqual(attempts[0].sent, []);
		clock.advance(60000);
		assert.equal(attempts.length, 2, "no new attempt");
		assert.equal(link.connects, 1);
	});

	test("remote opening: the retained command is cleared before subscribing; empty payloads and other topics are ignored", () => {
		const { attempts, link, commands } = rig({ remoteDoor: true });
		link.start();
		attempts[0].options.onConnect();
		const clear = attempts[0].sent.find((p) => p.topic === `klingel/${ID}/door/open`);
		assert.deepEqual(clear, { topic: `klingel/${ID}/door/open`, payload: "", retain: true });
		assert.deepEqual(attempts[0].subscribed, [`klingel/${ID}/door/open`]);
		attempts[0].options.onMessage(`klingel/${ID}/door/open`, "");
		attempts[0].options.onMessage(`klingel/${ID}/other`, "123");
		attempts[0].options.onMessage(`klingel/${ID}/door/open`, "123");
		assert.deepEqual(commands, ["123"]);
	});

	test("discovery turned off or moved to another prefix: the configs announced under the old one are emptied (Home Assistant removes those entities), also when the change came while not connected, and only once", () => {
		const { attempts, link, clock } = rig();
		const configs = (a: Attempt, prefix: string) => a.sent.filter((p) => p.topic.startsWith(`${prefix}/`));
		link.start();
		attempts[0].options.onConnect();
		assert.equal(configs(attempts[0], "homeassistant").filter((p) => p.payload).length, 4, "bell 1, the door, the registration, the last event: the bells not in use are empty anyway");
		link.settings = { ...SETTINGS, discovery: "" };
		attempts[1].options.onConnect();
		const removed = configs(attempts[1], "homeassistant");
		assert.equal(removed.length, 7, "every config topic");
		assert.ok(removed.every((p) => p.payload === "" && p.retain), JSON.stringify(removed));
		link.settings = { ...SETTINGS, discovery: "ha" };
		attempts[2].options.onConnect();
		assert.equal(configs(attempts[2], "homeassistant").length, 0, "nothing announced there since");
		assert.equal(configs(attempts[2], "ha").filter((p) => p.payload).length, 4);
		attempts[2].options.onClose("connection lost");
		link.settings = { ...SETTINGS, discovery: "homeassistant" };
		while (attempts.length < 4) clock.advance(100);
		attempts[3].options.onConnect();
		assert.ok(configs(attempts[3], "ha").length === 7 && configs(attempts[3], "ha").every((p) => p.payload === ""), "changed while the broker was away: emptied on connecting");
		attempts[3].options.onClose("connection lost");
		while (attempts.length < 5) clock.advance(100);
		attempts[4].options.onConnect();
		assert.equal(configs(attempts[4], "ha").length, 0, "once");
	});

	test("new settings reconnect (offline said first); the registration state is published on change only", () => {
		const { attempts, link, clock } = rig();
		link.start();
		attempts[0].options.onConnect();
		const n = attempts[0].sent.length;
		link.registration(true);
		link.registration(false);
		link.registration(false);
		clock.advance(0);
		assert.deepEqual(attempts[0].sent.slice(n).map((p) => p.payload), ["OFF"]);
		link.settings = { ...SETTINGS, prefix: "haus" };
		assert.deepEqual(attempts[0].sent[attempts[0].sent.length - 1], { topic: `klingel/${ID}/availability`, payload: "offline", retain: true });
		assert.equal(attempts[0].closed, "closed", "a DISCONNECT");
		assert.equal(attempts[1].options.will.topic, `haus/${ID}/availability`);
		link.stop();
		assert.equal(attempts[1].closed, "abandoned", "an attempt still under way is abandoned: it can never connect later");
		link.start();
		attempts[2].options.onConnect();
		link.stop();
		assert.equal(attempts[2].closed, "closed");
	});
});
