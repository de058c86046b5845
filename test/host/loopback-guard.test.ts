/*
 * The loopback guard that keeps every test's packets on this machine: which destinations pass,
 * the UDP provider dropping and reporting the rest, name lookups, and the whole chain in the rig
 * (the simulator reports, status() and stop() throw), shown inside a private network namespace,
 * and the TCP clients' lookups there, against a DNS server and hosts file of the test's own.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LoopbackGuard, isLoopbackAddress, isLoopbackName, loopbackGuardFromEnv, REPORT_PREFIX } from "../../modules/host/loopback-guard.js";
import { createUdp } from "../../modules/host/udp.js";
import { resolveHost } from "../../modules/host/network.js";
import { sourcePath } from "../rig/index.js";

test("only dotted-quad addresses of 127.0.0.0/8 pass", () => {
	for (const a of ["127.0.0.1", "127.0.2.5", "127.255.255.255", "127.0.0.0"]) assert.equal(isLoopbackAddress(a), true, a);
	for (const a of ["192.0.2.5", "0.0.0.0", "10.0.0.1", "192.168.178.1", "255.255.255.255", "128.0.0.1", "126.255.255.255", "127.1", "127.0.0.1.", "127.0.0.256", "127.00.0.1", "0127.0.0.1", " 127.0.0.1", "127.0.0.1x", "::1", "localhost", ""]) {
		assert.equal(isLoopbackAddress(a), false, a);
	}
	assert.equal(isLoopbackName("localhost"), true);
	assert.equal(isLoopbackName("LocalHost"), true);
	// None is in the hosts file: the system asks the DNS server, whose answer may be anything.
	for (const name of ["localhost.", "LocalHost.", "pbx.localhost", "pbx.localhost.", "fritz.box", "localhost.example.com", ""]) assert.equal(isLoopbackName(name), false, name);
});

test("the guard reports each refused destination once, counts every one, and names at most 16", () => {
	const lines: string[] = [];
	const guard = new LoopbackGuard((line) => lines.push(line));
	assert.equal(guard.allowsSend("RTP", "127.0.2.5", 49170), true);
	assert.equal(guard.allowsSend("RTP", "192.0.2.5", 49170), false);
	assert.equal(guard.allowsSend("RTP", "192.0.2.5", 49170), false);
	assert.equal(guard.refused, 2);
	assert.deepEqual(lines, [`${REPORT_PREFIX} RTP to 192.0.2.5:49170: only 127.0.0.0/8 while KLINGEL_LOOPBACK_ONLY=1`]);
	for (let i = 0; i < 40; i++) guard.allowsSend("RTP", "192.0.2.5", 1000 + i);
	assert.equal(lines.length, 17, "16 named, then one line for the rest");
	assert.match(lines[16], /more destinations/);
	assert.equal(guard.refused, 42);
	assert.equal(guard.allowsLookup("localhost"), true);
	assert.equal(guard.allowsLookup("127.0.0.1"), true);
	assert.equal(guard.allowsLookup("fritz.box"), false);
	assert.equal(guard.allowsLookup("pbx.localhost"), false);
	assert.equal(loopbackGuardFromEnv({}), undefined, "off unless asked for");
	assert.ok(loopbackGuardFromEnv({ KLINGEL_LOOPBACK_ONLY: "1" }) instanceof LoopbackGuard);
});

test("the UDP provider under the guard drops a datagram to 0.0.0.0 (which Linux would deliver here) and sends one to 127.0.0.1", async () => {
	const listener = dgram.createSocket("udp4");
	await new Promise<void>((resolve) => listener.bind(0, "127.0.0.1", () => resolve()));
	const port = listener.address().port;
	const got: string[] = [];
	listener.on("message", (data) => got.push(data.toString()));
	const lines: string[] = [];
	const guard = new LoopbackGuard((line) => lines.push(line));
	const udp = createUdp({}, guard);
	try {
		udp.write(new TextEncoder().encode("refused"), "0.0.0.0", port);
		udp.write(new TextEncoder().encode("sent"), "127.0.0.1", port);
		const deadline = Date.now() + 5000;
		while (!got.includes("sent") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
		await new Promise((r) => setTimeout(r, 50));
		assert.deepEqual(got, ["sent"], "only the loopback datagram arrived");
		assert.equal(guard.refused, 1);
		assert.match(lines[0], /^loopback guard: refused UDP from port \d+ to 0\.0\.0\.0:\d+/);
	} finally {
		udp.close();
		listener.close();
	}
});

test("under the guard only localhost is looked up; other names fail without a DNS query", async () => {
	const lines: string[] = [];
	const guard = new LoopbackGuard((line) => lines.push(line));
	const lookup = (name: string) => new Promise<{ error?: Error; address?: string }>((resolve) => resolveHost(name, (error, address) => resolve({ error, address }), guard));
	const named = await lookup("fritz.box");
	assert.match(named.error?.message ?? "", /not looked up/);
	assert.deepEqual(lines, [`${REPORT_PREFIX} a DNS lookup of fritz.box: only 127.0.0.0/8 while KLINGEL_LOOPBACK_ONLY=1`]);
	assert.equal((await lookup("localhost")).address, "127.0.0.1");
	assert.equal((await lookup("127.0.0.1")).address, "127.0.0.1");
});

test("the rig fails a test whose simulator tried to send RTP to 192.0.2.5 (in a network namespace with only loopback)", { timeout: 60000 }, () => {
	const probe = spawnSync("unshare", ["-rn", "sh", "-c", 'ip link set lo up && exec "$0" "$1"', process.execPath, sourcePath("build/test/host/off-loopback-probe.js")], { encoding: "utf8", timeout: 50000 });
	assert.equal(probe.status, 0, `the probe failed (unshare -rn and ip from iproute2 are needed):\n${probe.stdout}\n${probe.stderr}`);
	const result = JSON.parse(probe.stdout.trim().split("\n").pop()!) as { answered: number; statusError: string; stopError: string; reports: string[] };
	assert.equal(result.answered, 200, "the door took the call");
	assert.match(result.reports[0] ?? "", /^loopback guard: refused UDP from port \d+ to 192\.0\.2\.5:49170/);
	assert.match(result.statusError, /the simulator tried to send off this machine/);
	assert.match(result.stopError, /192\.0\.2\.5:49170/);
});

test("under the guard no name but localhost reaches the resolver, and MQTT and webhooks connect to no address it gives off 127.0.0.0/8 (in a namespace with a DNS server of its own)", { timeout: 60000 }, () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-lookup-"));
	try {
		const files = { resolv: "nameserver 127.0.0.153\n", hosts: "192.0.2.1 localhost\n", nsswitch: "hosts: files dns\n" };
		for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
		const setup = 'ip link set lo up && mount --bind "$1/resolv" /etc/resolv.conf && mount --bind "$1/hosts" /etc/hosts && mount --bind "$1/nsswitch" /etc/nsswitch.conf && exec "$0" "$2"';
		const probe = spawnSync("unshare", ["-rnm", "sh", "-c", setup, process.execPath, dir, sourcePath("build/test/host/name-lookup-probe.js")], { encoding: "utf8", timeout: 50000 });
		assert.equal(probe.status, 0, `the probe failed (unshare -rnm and ip from iproute2 are needed):\n${probe.stdout}\n${probe.stderr}`);
		const result = JSON.parse(probe.stdout.trim().split("\n").pop()!) as { tries: { name: string; via: string; outcome: string; queries: string[] }[]; control: { address: string; queries: number }; reports: string[] };
		assert.deepEqual(result.control, { address: "192.0.2.1", queries: 1 }, "the DNS server answers a lookup made without the guard");
		assert.equal(result.tries.length, 11);
		for (const t of result.tries) {
			assert.deepEqual(t.queries, [], `${t.via} ${t.name} asked the DNS server`);
			assert.match(t.outcome, t.via === "resolveHost" ? /^error: not looked up/ : /refused/, `${t.via} ${t.name}`);
		}
		for (const name of ["pbx.localhost", "localhost.", "example.invalid"]) assert.ok(result.reports.includes(`${REPORT_PREFIX} a DNS lookup of ${name}: only 127.0.0.0/8 while KLINGEL_LOOPBACK_ONLY=1`), name);
		assert.ok(result.reports.some((line) => line.startsWith(`${REPORT_PREFIX} HTTP POST to localhost at 192.0.2.1:80`)), result.reports.join("\n"));
		assert.ok(result.reports.some((line) => line.startsWith(`${REPORT_PREFIX} MQTT to localhost at 192.0.2.1:1883`)), result.reports.join("\n"));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test("the UDP provider under the guard listens on 127.0.0.1 only; without it on every address", async () => {
	const guard = new LoopbackGuard(() => {});
	for (const [guarded, heard] of [[true, ["to 127.0.0.1"]], [false, ["to 127.0.0.1", "to 127.0.0.2"]]] as const) {
		const got: string[] = [];
		const onReadable = () => got.push(new TextDecoder().decode(udp.read()!));
		// Without a guard argument the environment's is taken, which `npm test` switches on.
		const env = process.env.KLINGEL_LOOPBACK_ONLY;
		delete process.env.KLINGEL_LOOPBACK_ONLY;
		const udp = createUdp({ onReadable }, guarded ? guard : undefined);
		if (env !== undefined) process.env.KLINGEL_LOOPBACK_ONLY = env;
		const sender = dgram.createSocket("udp4");
		try {
			while (udp.port === 0) await new Promise((r) => setTimeout(r, 5));
			for (const address of ["127.0.0.2", "127.0.0.1"]) sender.send(`to ${address}`, udp.port, address);
			const deadline = Date.now() + 5000;
			while (!got.includes("to 127.0.0.1") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
			await new Promise((r) => setTimeout(r, 50));
			assert.deepEqual(got.sort(), [...heard], guarded ? "guarded" : "unguarded");
		} finally {
			udp.close();
			sender.close();
		}
	}
});

test("every test starts the simulator through test/lib/simulator-process.ts, which sets the guard's variable and a PBX on loopback", () => {
	const helper = "test/lib/simulator-process.ts";
	const sources = (dir: string): string[] =>
		readdirSync(sourcePath(dir), { withFileTypes: true }).flatMap((entry) => {
			const path = `${dir}/${entry.name}`;
			if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(path);
			return /\.(?:ts|mjs|js)$/.test(entry.name) ? [path] : [];
		});
	const spawning = ["test", "bench", "scripts"].flatMap(sources).filter((path) => {
		const text = readFileSync(sourcePath(path), "utf8");
		return /simulator\.js/.test(text) && /child_process/.test(text);
	});
	assert.deepEqual(spawning, [helper]);
});
