/*
 * The MQTT port on the device: one connection of the SDK's `mqtt` Client per call (MQTT 3.1.1 over
 * TCP, QoS 0, clean session). The SDK's client writes to its socket at once and throws when it
 * cannot: a publish that throws is refused (false), never waited for. Plain JavaScript with its
 * declaration beside it, because the SDK ships no typings for `mqtt` that its TypeScript check
 * can see (types/moddable/mqtt.d.ts describes the client for tsconfig.device.json only).
 */

import Client from "mqtt";

export function deviceMqtt(options) {
	let closed = false;
	let ready = false;
	const client = new Client({
		host: options.host,
		port: options.port,
		id: options.clientId,
		user: options.user,
		password: options.password,
		will: { topic: options.will.topic, message: options.will.payload, retain: options.will.retain, quality: 0 },
		timeout: options.keepAliveS * 1000,
	});
	client.onReady = () => {
		ready = true;
		if (!closed) options.onConnect();
	};
	client.onMessage = (topic, payload) => {
		if (closed) return;
		let text;
		try {
			text = String.fromArrayBuffer(payload);
		} catch {
			return; // not UTF-8: no command of ours
		}
		options.onMessage(topic, text);
	};
	client.onClose = () => {
		if (closed) return;
		closed = true;
		options.onClose(ready ? "connection lost" : "connection refused or failed");
	};
	return {
		publish(topic, payload, retain) {
			if (closed || !ready) return false;
			try {
				client.publish(topic, payload, { retain });
				return true;
			} catch {
				return false;
			}
		},
		subscribe(topic) {
			if (!closed) client.subscribe(topic);
		},
		close(abandon) {
			if (closed) return;
			closed = true;
			try {
				// close(true) skips the DISCONNECT and closes the socket, a SYN still retried by lwIP too.
				client.close(abandon === true);
			} catch {
				// A connection that already failed.
			}
		},
	};
}
