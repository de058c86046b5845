// The captive portal's DNS answers (modules/captive-dns.ts) as a real resolver reads them: Node's
// (c-ares) asks a UDP socket on 127.0.0.1 that answers as the door's access point does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Resolver } from "node:dns/promises";
import { captiveDnsAnswer } from "../../modules/captive-dns.js";

const DOOR = "192.168.4.1";
let socket: dgram.Socket;
let resolver: Resolver;

before(async () => {
	socket = dgram.createSocket("udp4");
	socket.on("message", (query, from) => {
		const answer = captiveDnsAnswer(new Uint8Array(query), DOOR);
		if (answer) socket.send(answer, from.port, from.address);
	});
	await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
	resolver = new Resolver({ timeout: 3000, tries: 1 });
	resolver.setServers([`127.0.0.1:${socket.address().port}`]);
});

after(() => socket.close());

test("A: every name is the door", async () => {
	for (const name of ["connectivitycheck.gstatic.com", "captive.apple.com", "www.msftconnecttest.com", "detectportal.firefox.com", "klingel.local"]) {
		assert.deepEqual(await resolver.resolve4(name, { ttl: true }), [{ address: DOOR, ttl: 60 }], name);
	}
});

test("AAAA: no data at once, not a time-out", async () => {
	const started = Date.now();
	await assert.rejects(resolver.resolve6("captive.apple.com"), (error: NodeJS.ErrnoException) => error.code === "ENODATA");
	assert.ok(Date.now() - started < 1000, `answered after ${Date.now() - started} ms`);
});

test("ANY: the A record", async () => {
	assert.deepEqual(await resolver.resolveAny("captive.apple.com"), [{ type: "A", address: DOOR, ttl: 60 }]);
});
