/*
 * Host benchmark: time from a button press to the INVITE leaving the socket (and reaching a PBX
 * socket on loopback), over 1,000 presses, and how late registration refreshes are meanwhile;
 * then the same with the home links busy: a dead MQTT broker (its port refuses) and a webhook that
 * accepts connections and never answers, and with a live mosquitto broker, where the ring event's
 * arrival at a subscriber is timed too.
 */

import dgram from "node:dgram";
import { Doorbell } from "../app/doorbell.js";
import { DEFAULT_UA_CONFIG } from "../sip/config.js";
import { parseSip } from "../sip/message.js";
import { buildResponse } from "../sip/serializer.js";
import { createUdp } from "../modules/host/udp.js";
import { nodeClock } from "../modules/host/clock.js";
import { nodeMd5, nodeRandom, nodeSha256 } from "../modules/host/crypto.js";
import { VirtualButton, VirtualRelay } from "../modules/host/gpio.js";
import { resolveHost } from "../modules/host/network.js";
import type { Logger, UdpOptions, UdpSocket } from "../modules/ports.js";
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Home } from "../app/home.js";
import { createMqtt } from "../modules/host/mqtt.js";
import { httpPost } from "../modules/host/http-post.js";
import { Mosquitto } from "../test/rig/mosquitto.js";
import { freePort } from "../test/rig/ports.js";

/** The home links of a run: the broker and the webhook URL ("" for none). */
interface HomeSetup {
	label: string;
	mqttPort: number;
	hook: string;
	/** The ring event's arrival at a subscriber by its sequence number, when timed. */
	arrivals?: Map<number, number>;
	/** Time between the end of one call attempt and the next press (ms; 0: at once). */
	gapMs?: number;
}

export interface Row {
	measure: string;
	value: string;
	goal: string;
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function ringLatency(presses = 1000, home?: HomeSetup): Promise<Row[]> {
	const quiet: Logger = { info() {}, warn() {}, error() {} };
	const pbx = dgram.createSocket("udp4");
	await new Promise<void>((resolve) => pbx.bind(0, "127.0.0.1", resolve));
	const pbxPort = pbx.address().port;

	let pressedAt = 0;
	const writeDelays: number[] = [];
	const arrivalDelays: number[] = [];
	const refreshLate: number[] = [];
	let lastRegisterOk = 0;
	const refreshMs = 2000;
	let nextPress: (() => void) | undefined;

	// The SIP socket, with its writes timed.
	const udp = (options: UdpOptions): UdpSocket => {
		const socket = createUdp(options);
		const write = socket.write.bind(socket);
		socket.write = (data, address, port) => {
			const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
			if (pressedAt && bytes[0] === 0x49 /* I */ && bytes[1] === 0x4e) writeDelays.push(performance.now() - pressedAt);
			write(data, address, port);
		};
		return socket;
	};

	pbx.on("message", (data, info) => {
		const message = parseSip(new Uint8Array(data));
		const now = performance.now();
		if (message.method === "REGISTER") {
			if (lastRegisterOk) refreshLate.push(now - lastRegisterOk - refreshMs);
			lastRegisterOk = now;
			pbx.send(buildResponse(message, 200, "OK", { toTag: "r", headers: ["Expires: 4"] }), info.port, info.address);
		} else if (message.method === "INVITE") {
			arrivalDelays.push(now - pressedAt);
			pressedAt = 0;
			pbx.send(buildResponse(message, 486, "Busy Here", { toTag: "b" }), info.port, info.address);
		} else if (message.method === "ACK") {
			// The call attempt is over: press again.
			if (home?.gapMs) setTimeout(() => nextPress?.(), home.gapMs);
			else setImmediate(() => nextPress?.());
		}
	});

	const button = new VirtualButton();
	const doorbell = new Doorbell(
		{
			udp, clock: nodeClock, wallClock: Date.now, md5: nodeMd5, sha256: nodeSha256, random: nodeRandom, log: quiet,
			store: { get: () => undefined, set() {}, delete() {}, keys: () => [] },
			routes: { add() {} },
			button, relay: new VirtualRelay(quiet),
			localAddress: () => "127.0.0.1",
			resolve: resolveHost,
		},
		{ config: { ...DEFAULT_UA_CONFIG, user: "620", password: "x", server: "127.0.0.1", serverPort: pbxPort, refreshInterval: refreshMs / 1000 }, localPort: 0, buttonCoolDownMs: 0 },
	);
	const pressTimes = new Map<number, number>();
	let links: Home | undefined;
	if (home) {
		links = new Home(
			{ udp, clock: nodeClock, wallClock: Date.now, md5: nodeMd5, sha256: nodeSha256, random: nodeRandom, log: quiet, store: { get: () => undefined, set() {}, delete() {}, keys: () => [] }, routes: { add() {} }, button, relay: new VirtualRelay(quiet), localAddress: () => "127.0.0.1", resolve: resolveHost, mqtt: createMqtt, httpPost, deviceId: "bench0000000" },
			{ mqtt: { host: "127.0.0.1", port: home.mqttPort, user: "", password: "", prefix: "klingel", discovery: "homeassistant", remoteDoor: false }, hooks: [home.hook], name: () => "Bench", buttons: () => [1], registered: () => true, onDoorCommand() {} },
		);
		doorbell.onEvent = (event) => {
			const recorded = links!.record(event);
			if (event.type === "ring") pressTimes.set(recorded.seq, pressedAt);
		};
		links.start();
	}
	doorbell.start();
	await new Promise((resolve) => setTimeout(resolve, home ? 1000 : 200));

	let left = presses;
	await new Promise<void>((resolve) => {
		nextPress = () => {
			if (left-- <= 0) {
				nextPress = undefined;
				resolve();
				return;
			}
			pressedAt = performance.now();
			button.press();
		};
		nextPress();
	});
	// Let a few more refreshes happen after the load.
	await new Promise((resolve) => setTimeout(resolve, 2 * refreshMs + 200));
	await new Promise<void>((resolve) => doorbell.stop(resolve));
	links?.stop();
	pbx.close();

	const w = writeDelays.sort((a, b) => a - b);
	const a = arrivalDelays.sort((a, b) => a - b);
	const late = Math.max(...refreshLate);
	const tag = home ? ` (${home.label})` : "";
	const rows: Row[] = [
		{ measure: `press → INVITE written, p50 (${w.length} presses)${tag}`, value: `${percentile(w, 50).toFixed(3)} ms`, goal: "" },
		{ measure: `press → INVITE written, p99${tag}`, value: `${percentile(w, 99).toFixed(3)} ms`, goal: "≤ 5 ms" },
		{ measure: `press → INVITE at the PBX socket, p99${tag}`, value: `${percentile(a, 99).toFixed(3)} ms`, goal: "" },
		{ measure: `registration refresh lateness, worst of ${refreshLate.length}${tag}`, value: `${late.toFixed(1)} ms`, goal: "≤ 1000 ms" },
	];
	if (home?.arrivals) {
		// Let the last events arrive.
		await new Promise((resolve) => setTimeout(resolve, 500));
		const delays: number[] = [];
		for (const [seq, at] of home.arrivals) if (pressTimes.has(seq)) delays.push(at - pressTimes.get(seq)!);
		delays.sort((x, y) => x - y);
		rows.push({ measure: `press → ring event at an MQTT subscriber, p50 / p99 (${delays.length} of ${pressTimes.size} events)`, value: `${percentile(delays, 50).toFixed(2)} / ${percentile(delays, 99).toFixed(2)} ms`, goal: "≤ 1000 ms" });
	}
	return rows;
}

/** A TCP port that accepts and never answers (a black-holed webhook); closed with the returned function. */
async function blackHole(): Promise<{ port: number; close(): void }> {
	const sockets: net.Socket[] = [];
	const server = net.createServer((socket) => void sockets.push(socket));
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as net.AddressInfo).port;
	return { port, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

export default async function (): Promise<{ title: string; rows: Row[] }> {
	const rows = await ringLatency();
	// A dead broker: a free port where nothing listens; a webhook that never answers.
	const hole = await blackHole();
	const deadPort = await freePort({ tcp: true });
	rows.push(...(await ringLatency(1000, { label: "dead broker, black-holed webhook", mqttPort: deadPort, hook: `http://127.0.0.1:${hole.port}/hook` })));
	hole.close();
	// A live mosquitto: the ring event's way to a subscriber.
	const dir = mkdtempSync(join(tmpdir(), "klingel-bench-mqtt-"));
	const broker = await Mosquitto.start({ dir });
	try {
		const subscriber = await broker.subscriber(["klingel/+/bell/1"]);
		const arrivals = new Map<number, number>();
		subscriber.client.on("message", (_topic, payload) => {
			const seq = Number(JSON.parse(payload.toString()).seq);
			if (!arrivals.has(seq)) arrivals.set(seq, performance.now());
		});
		// Presses 10 ms apart: a real button is pressed at most once a second (its cool-down), and a
		// burst of 1,000 presses a second would only measure the link's bounded outbox dropping.
		rows.push(...(await ringLatency(1000, { label: "live broker, presses 10 ms apart", mqttPort: broker.port, hook: "", arrivals, gapMs: 10 })));
		await subscriber.close();
	} finally {
		await broker.stop();
		rmSync(dir, { recursive: true, force: true });
	}
	return { title: "Host: button press to INVITE, registration refresh (Node, loopback); the same beside the MQTT and webhook links", rows };
}
