// The start-up on a network that comes up after boot, as the device's Wi-Fi does: the SIP and
// RTP ports, the user agent, MQTT and the name on the LAN wait for the station's address (or
// the set-up access point); an open refused with NO_NETWORK waits for the next address, and
// the start-up itself does not fail for it.
import { test, group, assert } from "../lib/spec.js";
import { bootApp, SIP_PORT } from "../lib/app-harness.js";
import { LOCAL } from "../lib/ua-harness.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp } from "../lib/rtp-fixtures.js";
import type { MqttClient, UdpOptions, WifiNetwork, WifiRadio, WifiRadioOptions } from "../../modules/ports.js";

const HOME = "FRITZ!Box 7590 XY";
const ADDRESS = "192.168.178.40";

/** A radio and the network its sockets see: down until the test brings it up. */
class Network implements WifiRadio {
	readonly id = "A1B2";
	up = false;
	events!: WifiRadioOptions;
	joins: string[] = [];
	accessPoint = false;
	join(ssid: string): void {
		this.joins.push(ssid);
	}
	/** The access point's interface is a network of its own. */
	openAccessPoint(): void {
		this.accessPoint = true;
		this.up = true;
	}
	closeAccessPoint(): void {
		this.accessPoint = false;
	}
	accessPointAddress(): string {
		return this.accessPoint ? "192.168.4.1" : "";
	}
	scan(_max: number, done: (networks: WifiNetwork[]) => void): void {
		done([]);
	}
}

function door(wifi?: Record<string, string>) {
	const network = new Network();
	const rtp: MemoryUdp[] = [];
	const brokers: string[] = [];
	const names: string[] = [];
	const a = bootApp({
		settings: { mqtt: { host: "broker.lan" }, ...(wifi && { wifi }) },
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
