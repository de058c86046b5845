/*
 * The simulator's MQTT and webhook clients under the loopback guard: an address off 127.0.0.0/8
 * or a name other than localhost is refused and reported before any socket is opened.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { LoopbackGuard } from "../../modules/host/loopback-guard.js";
import { createMqtt } from "../../modules/host/mqtt.js";
import { httpPost } from "../../modules/host/http-post.js";

function guard() {
	const reports: string[] = [];
	return { reports, guard: new LoopbackGuard((line) => reports.push(line)) };
}

test("MQTT to a LAN address or a DNS name is refused and reported; nothing connects", async () => {
	for (const host of ["192.168.178.2", "broker.example"]) {
		const { reports, guard: g } = guard();
		const closed = await new Promise<string>((resolve) => {
			createMqtt({ host, port: 1883, clientId: "t", will: { topic: "a", payload: "offline", retain: true }, keepAliveS: 30, onConnect: () => resolve("connected"), onMessage() {}, onClose: resolve }, g);
		});
		assert.match(closed, /refused/);
		assert.equal(g.refused, 1);
		assert.match(reports[0], new RegExp(host.replace(/\./g, "\\.")));
	}
});

test("a webhook to a LAN address is refused and reported; loopback is let through", async () => {
	const { reports, guard: g } = guard();
	const error = await new Promise<string | undefined>((resolve) => httpPost({ host: "10.0.0.9", port: 80, path: "/", headers: {}, body: "{}", timeoutMs: 1000, done: (e) => resolve(e) }, g));
	assert.match(String(error), /refused/);
	assert.equal(reports.length, 1);
	assert.equal(g.allowsConnect("webhook", "127.0.0.1", 8123), true);
	assert.equal(g.allowsConnect("webhook", "localhost", 8123), true);
	assert.equal(g.refused, 1);
});
