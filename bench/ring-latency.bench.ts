/*
 * Host benchmark: time from a button press to the INVITE leaving the socket (and reaching a PBX
 * socket on loopback), over 1,000 presses, and how late registration refreshes are meanwhile.
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

export interface Row {
	measure: string;
	value: string;
	goal: string;
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function ringLatency(presses = 1000): Promise<Row[]> {
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
			setImmediate(() => nextPress?.());
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
	doorbell.start();
	await new Promise((resolve) => setTimeout(resolve, 200));

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
	pbx.close();

	const w = writeDelays.sort((a, b) => a - b);
	const a = arrivalDelays.sort((a, b) => a - b);
	const late = Math.max(...refreshLate);
	return [
		{ measure: `press → INVITE written, p50 (${w.length} presses)`, value: `${percentile(w, 50).toFixed(3)} ms`, goal: "" },
		{ measure: "press → INVITE written, p99", value: `${percentile(w, 99).toFixed(3)} ms`, goal: "≤ 5 ms" },
		{ measure: "press → INVITE at the PBX socket, p99", value: `${percentile(a, 99).toFixed(3)} ms`, goal: "" },
		{ measure: `registration refresh lateness, worst of ${refreshLate.length}`, value: `${late.toFixed(1)} ms`, goal: "≤ 1000 ms" },
	];
}

export default async function (): Promise<{ title: string; rows: Row[] }> {
	return { title: "Host: button press to INVITE, registration refresh (Node, loopback)", rows: await ringLatency() };
}
