// The start-up on a network that comes up after boot, as the device's Wi-Fi does: the SIP and
// RTP ports, the user agent, MQTT and the name on the LAN wait for the station's address (or
// the set-up access point); an open refused with NO_NETWORK waits for the next address, and
// the start-up itself does not fail for it.
import { test, group, assert } from "../lib/spec.js";
import { FakeRadio } from "../lib/fake-radio.js";
import { bootApp, SIP_PORT } from "../lib/app-harness.js";
import { LOCAL, PBX } from "../lib/ua-harness.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp } from "../lib/rtp-fixtures.js";
import { NETWORK_RETRY_GAP_MS } from "../../sip/registration.js";
import { MIN_BACKOFF_MS } from "../../home/mqtt-link.js";
import type { DoorbellEnvironment } from "../../modules/environment.js";
import type { SipMessage } from "../../sip/message.js";
import type { MqttClient, MqttOptions, UdpOptions } from "../../modules/ports.js";

const HOME = "FRITZ!Box 7590 XY";
const ADDRESS = "192.168.178.40";

function door(wifi?: Record<string, string>, more: { sip?: Record<string, string>; env?: Partial<DoorbellEnvironment> } = {}) {
	const network = new FakeRadio();
	const rtp: MemoryUdp[] = [];
	const brokers: string[] = [];
	const names: string[] = [];
	const a = bootApp({
		settings: { mqtt: { host: "broker.lan" }, ...(wifi && { wifi }), ...(more.sip && { sip: more.sip }) },
		network: () => network.up,
		udp: (o: UdpOptions) => {
			const socket = new MemoryUdp(o.port ?? 0, LOCAL);
			rtp.push(socket);
			return socket;
		},
		env: {
			audio: referenceAudio,
			wifi: (events) => {
				network.events = events;
				return network;
			},
			mqtt: (options): MqttClient => {
				brokers.push(options.host);
				return { publish: () => false, subscribe() {}, close() {} };
			},
			announce: (name) => {
				names.push(name);
				return network.up;
			},
			...more.env,
		},
	});
	return { ...a, network, rtp, brokers, names, errors: () => a.lines.filter((line) => line.startsWith("error")) };
}

group("start-up before the network", () => {
	test("a stored network: nothing opens before Wi-Fi and the start-up does not fail; at the station's address the door registers, MQTT connects and the name is claimed", () => {
		const d = door({ ssid: HOME, pass: "Wlan-Schluessel-42" });
		const doorbell = d.application.doorbell;
		assert.deepEqual(d.network.joins, [HOME]);
		assert.equal(doorbell.transport.port, 0);
		assert.equal(doorbell.media?.port.port, 0);
		assert.deepEqual(d.brokers, []);
		assert.deepEqual(d.names, []);
		assert.deepEqual(d.errors(), []);
		d.network.up = true;
		d.network.events.onConnected(ADDRESS);
		assert.equal(d.acceptRegister(), true, "a REGISTER once the station has its address");
		assert.equal(doorbell.ua.registration.registered, true);
		assert.equal(doorbell.transport.port, SIP_PORT);
		assert.equal(doorbell.media?.port.port, 40000);
		assert.deepEqual(d.brokers, ["broker.lan"]);
		assert.deepEqual(d.names, ["klingel"]);
		assert.deepEqual(d.errors(), []);
	});

	test("an address reported when the network is down again: the opens refused with NO_NETWORK wait for the next address, which opens each port once", () => {
		const d = door({ ssid: HOME, pass: "Wlan-Schluessel-42" });
		const doorbell = d.application.doorbell;
		d.network.events.onConnected(ADDRESS);
		assert.equal(d.acceptRegister(), false);
		assert.equal(doorbell.transport.port, 0);
		assert.deepEqual(d.brokers, []);
		assert.deepEqual(d.names, ["klingel"], "asked, and refused");
		assert.deepEqual(d.errors(), []);
		assert.ok(d.lines.some((line) => /SIP: no network yet/.test(line)));
		d.network.events.onDisconnected();
		d.network.up = true;
		d.network.events.onConnected(ADDRESS);
		assert.equal(d.acceptRegister(), true);
		assert.equal(doorbell.ua.registration.registered, true);
		assert.equal(d.rtp.length, 1, "one RTP socket");
		assert.deepEqual(d.brokers, ["broker.lan"]);
		assert.deepEqual(d.names, ["klingel", "klingel"], "asked again at the next address");
		// A later address (the station rejoined) opens nothing more and claims no name again.
		d.network.events.onConnected(ADDRESS);
		assert.equal(d.acceptRegister(), false);
		assert.equal(d.rtp.length, 1);
		assert.deepEqual(d.brokers, ["broker.lan"]);
		assert.deepEqual(d.names, ["klingel", "klingel"]);
		assert.deepEqual(d.errors(), []);
	});

	test("set-up mode: the open access point is a network, so the ports open at start-up; the name waits for the station", () => {
		const d = door();
		const doorbell = d.application.doorbell;
		assert.equal(d.network.accessPoint, true);
		assert.equal(doorbell.transport.port, SIP_PORT);
		assert.equal(doorbell.media?.port.port, 40000);
		assert.deepEqual(d.brokers, ["broker.lan"]);
		assert.deepEqual(d.names, []);
		assert.deepEqual(d.errors(), []);
	});
});

/**
 * A door set up over its access point (no network stored) whose PBX (fritz.box) and broker are
 * out of reach until the station has its address on the home network: the name lookup fails
 * and the broker's connection is refused. `joined` is the home network being reachable; the
 * station's address is given by `join`.
 */
function setUpDoor(sip: Record<string, string> = { sip_server: "fritz.box" }) {
	const home = { joined: false };
	const lookups: number[] = [];
	/** Lookups of an IPv4 address, answered when the test says (the device answers them in a later turn). */
	const numeric: Array<() => void> = [];
	const connects: number[] = [];
	const clients: MqttOptions[] = [];
	let now = () => 0;
	const d = door(undefined, {
		sip,
		env: {
			localAddress: () => (home.joined ? LOCAL : "0.0.0.0"),
			resolve: (host, callback) => {
				lookups.push(now());
				if (host === PBX) {
					numeric.push(() => callback(undefined, PBX));
					return;
				}
				if (home.joined) callback(undefined, PBX);
				else callback(new Error("getaddrinfo EAI_AGAIN fritz.box"));
			},
			mqtt: (options): MqttClient => {
				connects.push(now());
				if (!home.joined) throw new Error("EHOSTUNREACH");
				clients.push(options);
				return { publish: () => true, subscribe() {}, close() {} };
			},
		},
	});
	now = () => d.clock.now();
	/** The station's address on the home network (it can reach the PBX and the broker from then). */
	const join = () => {
		home.joined = true;
		d.network.events.onConnected(ADDRESS);
	};
	/** The first REGISTER sent from now, stepping the clock 100 ms at a time (at most `limit` ms), and how long it took. */
	const nextRegister = (limit = 120_000): { register?: SipMessage; after: number } => {
		const from = d.clock.now();
		for (;;) {
			const register = d.sent().find((m) => m.method === "REGISTER");
			if (register || d.clock.now() - from >= limit) return { register, after: d.clock.now() - from };
			d.clock.advance(100);
		}
	};
	/** How long after `from` the connection attempt number `n` to the broker came, stepping the clock 100 ms at a time (at most `limit` ms). */
	const connectAfter = (from: number, n: number, limit = 120_000): number => {
		while (connects.length <= n && d.clock.now() - from < limit) d.clock.advance(100);
		return (connects[n] ?? d.clock.now()) - from;
	};
	return { ...d, home, lookups, numeric, connects, clients, join, nextRegister, connectAfter };
}

group("the station's address after set-up over the access point", () => {
	test("the PBX lookup that failed on the access point is made again at once, and the door registers then, not at the lookup's 30 s retry", () => {
		const d = setUpDoor();
		assert.equal(d.network.accessPoint, true);
		assert.equal(d.lookups.length, 1, "looked up when the access point opened");
		assert.equal(d.application.doorbell.ua.registration.state, "idle");
		// The user joins a phone to the access point and fills in the page meanwhile.
		d.clock.advance(40_000);
		d.join();
		const { register, after } = d.nextRegister();
		assert.ok(register, "a REGISTER");
		assert.equal(after, 0, `the REGISTER at the station's address (it came ${after} ms later)`);
		d.answer(register!, 200, "OK", { toTag: "r1", headers: [`Contact: <sip:620@${LOCAL}:${SIP_PORT}>;expires=120`] });
		assert.equal(d.application.doorbell.ua.registration.registered, true);
	});

	test("MQTT, backed off on the access point, connects at the station's address rather than at the end of its back-off", () => {
		const d = setUpDoor();
		assert.deepEqual(d.connects, [0], "tried when the access point opened");
		// Two minutes on the access point: the back-off has grown to its 60 s.
		d.clock.advance(130_000);
		assert.ok(d.connects.length > 5);
		const joined = d.clock.now(), n = d.connects.length;
		d.join();
		const after = d.connectAfter(joined, n);
		assert.equal(after, 0, `the connection attempt at the station's address (it came ${after} ms later)`);
		assert.equal(d.clients.length, 1);
		d.clients[0].onConnect();
		assert.equal(d.application.home.mqtt?.connected, true);
	});

	test("a PBX given by its address: the REGISTER sent on the access point, still unanswered, is made again at the station's address with the station's address in its Contact", () => {
		const d = setUpDoor({ sip_server: PBX });
		d.numeric.shift()!();
		const first = d.sent().find((m) => m.method === "REGISTER");
		assert.ok(first?.header("contact")?.includes("0.0.0.0"), "sent on the access point, from no station address");
		d.clock.advance(3_000);
		d.sent();
		d.join();
		const { register, after } = d.nextRegister();
		assert.equal(after, 0, `a REGISTER at the station's address (it came ${after} ms later)`);
		assert.ok(register!.header("contact")?.includes(LOCAL), register!.header("contact"));
		d.answer(register!, 200, "OK", { toTag: "r1", headers: [`Contact: <sip:620@${LOCAL}:${SIP_PORT}>;expires=120`] });
		assert.equal(d.application.doorbell.ua.registration.registered, true);
	});

	test("a flapping network (an address every 100 ms, lost again at once) asks the DNS server and the broker no more often than their least pauses", () => {
		const d = setUpDoor();
		d.clock.advance(10_000);
		const lookups = d.lookups.length, connects = d.connects.length;
		const span = 20_000;
		for (let t = 0; t < span; t += 100) {
			d.network.events.onConnected(ADDRESS);
			d.network.events.onDisconnected();
			d.clock.advance(100);
		}
		const asked = d.lookups.length - lookups, tried = d.connects.length - connects;
		assert.ok(asked >= 2, `the addresses bring lookups forward (${asked})`);
		assert.ok(asked <= span / NETWORK_RETRY_GAP_MS + 1, `${asked} lookups in ${span / 1000} s`);
		assert.ok(tried >= 2, `the addresses bring attempts forward (${tried})`);
		assert.ok(tried <= span / MIN_BACKOFF_MS + 1, `${tried} connection attempts in ${span / 1000} s`);
	});
});
