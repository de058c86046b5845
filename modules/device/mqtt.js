/*
 * The MQTT port on the device: one connection of the SDK's `mqtt` Client per call (MQTT 3.1.1 over
 * TCP, QoS 0, clean session). The SDK's client writes to its socket at once and throws when it
 * cannot: a publish that throws is refused (false), never waited for. A connection the client
 * fails says why (a refused account, a silent broker), which its onClose does not, and ends
 * without the DISCONNECT the client would send, so that the broker publishes the last will.
 * Plain JavaScript with its declaration beside it, because the SDK ships no typings for `mqtt`
 * that its TypeScript check can see (types/moddable/mqtt.d.ts describes the client for
 * tsconfig.device.json only).
 */

import Client from "mqtt";

/** A CONNACK's return codes 1 to 5 (MQTT 3.1.1 §3.2.2.3) in words. */
const REFUSALS = Object.freeze(["", "the broker does not take MQTT 3.1.1", "the broker refused the client id", "the broker is unavailable", "the broker refused the user name or password", "the broker refused the connection: not authorized (a wrong user or password, or one it does not let in)"]);

/** The SDK's client, keeping the reason its fail() has and does not pass to onClose. */
class Connection extends Client {
	fail(message = "") {
		this.reason = String(message);
		super.fail(message);
	}
}

/** Why the SDK's client failed, in words ("" when it gave no reason: the socket failed or closed). */
function failure(reason) {
	const refused = /rejected mqtt request with code (\d+)$/.exec(reason);
	if (refused) return REFUSALS[Number(refused[1])] || `the broker refused the connection (code ${refused[1]})`;
	if (reason === "read time out") return "no answer from the broker for 1.5 keep-alive intervals";
	return "";
}

export function deviceMqtt(options) {
	let closed = false;
	let ready = false;
	const client = new Connection({
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
		// The SDK's fail() goes on to close with a DISCONNECT, which tells the broker to drop the
		// last will: a connection it gave up (a broker silent past the keep-alive) is closed here
		// first, without one, so that the broker says `offline` when it notices.
		try {
			client.close(true);
		} catch {
			// Its socket already failed.
		}
		options.onClose(failure(client.reason ?? "") || (ready ? "connection lost" : "connection refused or failed"));
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
