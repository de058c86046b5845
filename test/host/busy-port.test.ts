// The simulator started with its SIP and RTP ports taken by another process: Node binds in the
// background, so the ports are found taken only after the open. The log names a port as listened
// on only once it is bound, and then the one bound, never the taken one asked for. With the web
// page's port taken it stops before anything else is opened, with one line that says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSimulator } from "../lib/simulator-process.js";

const HOST = "127.0.0.1";

function bind(port = 0): Promise<dgram.Socket> {
	return new Promise((resolve, reject) => {
		const socket = dgram.createSocket("udp4");
		socket.once("error", reject);
		socket.bind(port, HOST, () => resolve(socket));
	});
}

/** Two sockets on `port` and `port + step` (both free), or undefined when either is taken. */
async function pair(port: number, step: number): Promise<dgram.Socket | undefined> {
	let first: dgram.Socket | undefined;
	try {
		first = await bind(port);
		const next = await bind(port + step);
		next.close();
		return first;
	} catch {
		first?.close();
		return undefined;
	}
}

/** A taken port whose next one (`step` up) is free: the port the simulator must move to. */
async function takenPort(from: number, step: number): Promise<dgram.Socket> {
	for (let port = from; port < from + 200; port += 2) {
		const socket = await pair(port, step);
		if (socket) return socket;
	}
	throw new Error(`no free port pair from ${from}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("with its SIP and RTP ports taken the simulator says it listens only on the ports it bound", async () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-busy-port-"));
	const pbx = await bind();
	const sipTaken = await takenPort(47000, 1);
	const rtpTaken = await takenPort(48000, 2);
	const sip = sipTaken.address().port, rtp = rtpTaken.address().port;
	const settings = join(dir, "settings.json");
	writeFileSync(settings, JSON.stringify({ sip: { sip_server: HOST, sip_port: pbx.address().port, rtp_port: rtp } }));
	const child = spawnSimulator(settings, ["--http", "0", "--sip-port", String(sip)]);
	let output = "";
	child.stdout.on("data", (chunk) => (output += chunk));
	child.stderr.on("data", (chunk) => (output += chunk));
	const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
	try {
		const bound = () => /SIP: listening on UDP \d+/.test(output) && /RTP: listening on UDP \d+/.test(output);
		for (let i = 0; i < 200 && !bound(); i++) await sleep(50);
		assert.match(output, new RegExp(`SIP: local port ${sip} is busy; trying ${sip + 1}`), output);
		assert.match(output, new RegExp(`RTP: local port ${rtp} is busy; trying ${rtp + 2}`), output);
		const listening = output.split("\n").filter((line) => / listening on UDP /.test(line)).map((line) => line.replace(/^.*(SIP|RTP): listening on UDP (\d+).*$/, "$1 $2"));
		assert.deepEqual(listening.sort(), [`RTP ${rtp + 2}`, `SIP ${sip + 1}`], output);
		// Each after the warning that its port was taken.
		assert.ok(output.indexOf(`SIP: listening`) > output.indexOf(`SIP: local port ${sip} is busy`), output);
		assert.ok(output.indexOf(`RTP: listening`) > output.indexOf(`RTP: local port ${rtp} is busy`), output);
	} finally {
		child.kill("SIGTERM");
		await exited;
		sipTaken.close();
		rtpTaken.close();
		pbx.close();
		rmSync(dir, { recursive: true, force: true });
	}
});

test("with the web page's port taken the simulator says so in one line, exits 2 and sends the PBX nothing", async () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-busy-http-"));
	const pbx = await bind();
	const heard: string[] = [];
	pbx.on("message", (data) => heard.push(data.toString("latin1").split("\r\n")[0]));
	const taken = http.createServer();
	await new Promise<void>((resolve) => taken.listen(0, HOST, () => resolve()));
	const port = (taken.address() as AddressInfo).port;
	const settings = join(dir, "settings.json");
	const text = JSON.stringify({ sip: { sip_server: HOST, sip_port: pbx.address().port, sip_user: "620", sip_password: "secret" } });
	writeFileSync(settings, text);
	try {
		const child = spawnSimulator(settings, ["--http", String(port)]);
		let stdout = "", stderr = "";
		child.stdout.on("data", (chunk) => (stdout += chunk));
		child.stderr.on("data", (chunk) => (stderr += chunk));
		const code = await new Promise<number | null>((resolve) => child.on("exit", (status) => resolve(status)));
		// A REGISTER the simulator sent before it exited is in the PBX socket's buffer by now: two turns of the loop read it.
		for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
		assert.equal(code, 2, stdout + stderr);
		assert.equal(stderr, `The web page's port ${HOST}:${port} is in use (another program, or another simulator): choose another with --http PORT (0 picks a free one). Nothing was started.\n`);
		assert.equal(stdout, "");
		assert.deepEqual(heard, []);
		assert.equal(readFileSync(settings, "utf8"), text);
	} finally {
		taken.close();
		pbx.close();
		rmSync(dir, { recursive: true, force: true });
	}
});
