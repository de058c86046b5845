/*
 * The MQTT port on Node: one MQTT.js connection per call, MQTT 3.1.1, QoS 0, clean session,
 * MQTT.js's own reconnecting and offline queue switched off (the core's link reconnects with
 * back-off and drops what it cannot send). A publish is refused rather than buffered without
 * end when the socket is not draining (a broker that stopped reading).
 */

import { MqttClient as MqttConnection } from "mqtt";
import { createConnection } from "node:net";
import type { MqttClient, MqttOptions } from "../ports.js";
import { connectRefusal, loopbackGuardFromEnv, type LoopbackGuard } from "./loopback-guard.js";

/** Bytes waiting in the socket beyond which publishes are refused. */
const MAX_BUFFERED = 64 * 1024;

export function createMqtt(options: MqttOptions, guard: LoopbackGuard | undefined = loopbackGuardFromEnv()): MqttClient {
	const refused = guard && !guard.allowsConnect("MQTT", options.host, options.port) ? connectRefusal(`${options.host}:${options.port}`) : undefined;
	if (refused) {
		let open = true;
		queueMicrotask(() => open && options.onClose(refused));
		return { publish: () => false, subscribe() {}, close: () => void (open = false) };
	}
	let closed = false;
	let connected = false;
	// The socket is made here, not by MQTT.js's connect(), which passes no lookup to node:net and
	// would take a SOCKS proxy from MQTTJS_SOCKS_PROXY: under the guard the broker's name must
	// resolve to loopback before anything connects.
	const lookup = guard?.connectLookup("MQTT", options.port);
	let reason = "connection closed";
	const client = new MqttConnection(() => {
		const socket = createConnection({ host: options.host, port: options.port, lookup });
		// MQTT.js passes on only socket errors with a code, and the guard's refusal has none.
		socket.on("error", (error) => (reason = error.message));
		return socket;
	}, {
		protocol: "mqtt",
		protocolVersion: 4,
		clientId: options.clientId,
		username: options.user,
		password: options.password,
		clean: true,
		keepalive: options.keepAliveS,
		reconnectPeriod: 0,
		connectTimeout: 10000,
		queueQoSZero: false,
		will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), retain: options.will.retain, qos: 0 },
	});
	client.on("connect", () => {
		connected = true;
		if (!closed) options.onConnect();
	});
	client.on("message", (topic, payload) => {
		if (!closed) options.onMessage(topic, payload.toString("utf8"));
	});
	client.on("error", (error) => {
		reason = error.message;
	});
	client.on("close", () => {
		connected = false;
		if (closed) return;
		closed = true;
		client.end(true);
		options.onClose(reason);
	});
	return {
		publish(topic, payload, retain) {
			if (closed || !connected) return false;
			const stream = (client as unknown as { stream?: { writableLength?: number } }).stream;
			if ((stream?.writableLength ?? 0) > MAX_BUFFERED) return false;
			client.publish(topic, payload, { qos: 0, retain });
			return true;
		},
		subscribe(topic) {
			if (!closed) client.subscribe(topic, { qos: 0 });
		},
		close(abandon) {
			if (closed) return;
			closed = true;
			// end(true) destroys the socket at once, mid-connect too; end(false) sends DISCONNECT first.
			client.end(abandon === true);
		},
	};
}
