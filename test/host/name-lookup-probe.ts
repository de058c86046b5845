/*
 * Run by loopback-guard.test.ts inside a network and mount namespace of its own (`unshare -rnm`:
 * only a loopback interface, no route anywhere else), where /etc/resolv.conf names a DNS server
 * of this probe's on 127.0.0.153 and /etc/hosts gives `localhost` the address 192.0.2.1. The
 * server answers every name with 192.0.2.1 as well; with no route there, a connection to it fails
 * at once (ENETUNREACH) and sends nothing, so a connection the guard let through shows in its
 * error. Prints one JSON line: each try's outcome with the DNS queries made meanwhile, a control
 * lookup without the guard (that the server is asked at all), and the guard's report lines.
 */

import dgram from "node:dgram";
import { lookup } from "node:dns";
import { LoopbackGuard } from "../../modules/host/loopback-guard.js";
import { resolveHost } from "../../modules/host/network.js";
import { httpPost } from "../../modules/host/http-post.js";
import { createMqtt } from "../../modules/host/mqtt.js";

const DNS_ADDRESS = "127.0.0.153";
const ANSWER = [192, 0, 2, 1];
/** Names the guard must refuse before the resolver is asked. */
const REFUSED_NAMES = ["pbx.localhost", "localhost.", "example.invalid"];
/** The control, looked up without the guard. */
const CONTROL_NAME = "control.invalid";

/** Answers every A query with ANSWER (other types with no record) and keeps the names asked. */
async function fakeDns(queries: string[]): Promise<dgram.Socket> {
	const server = dgram.createSocket("udp4");
	server.on("message", (m, from) => {
		const labels: string[] = [];
		let i = 12;
		while (i < m.length && m[i]) {
			labels.push(m.subarray(i + 1, i + 1 + m[i]).toString("latin1"));
			i += m[i] + 1;
		}
		const type = m.readUInt16BE(i + 1);
		queries.push(labels.join("."));
		const head = Buffer.from(m.subarray(0, 12));
		head.writeUInt16BE(0x8180, 2);
		head.writeUInt16BE(1, 4);
		head.writeUInt16BE(type === 1 ? 1 : 0, 6);
		head.writeUInt32BE(0, 8);
		const answer = type === 1 ? Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...ANSWER]) : Buffer.alloc(0);
		server.send(Buffer.concat([head, m.subarray(12, i + 5), answer]), from.port, from.address);
	});
	await new Promise<void>((resolve) => server.bind(53, DNS_ADDRESS, () => resolve()));
	return server;
}

interface Try {
	name: string;
	via: string;
	outcome: string;
	queries: string[];
}

async function main(): Promise<void> {
	const queries: string[] = [];
	const dns = await fakeDns(queries);
	const reports: string[] = [];
	const guard = new LoopbackGuard((line) => reports.push(line));
	const tries: Try[] = [];
	const attempt = async (name: string, via: string, run: () => Promise<string>) => {
		const before = queries.length;
		const outcome = await run();
		tries.push({ name, via, outcome, queries: queries.slice(before) });
	};
	const resolve = (name: string) => () => new Promise<string>((done) => resolveHost(name, (error, address) => done(error ? `error: ${error.message}` : `address ${address}`), guard));
	const post = (name: string) => () => new Promise<string>((done) => httpPost({ host: name, port: 80, path: "/", headers: {}, body: "{}", timeoutMs: 3000, done: (error, status) => done(error ? `error: ${error}` : `status ${status}`) }, guard));
	const mqtt = (name: string) => () =>
		new Promise<string>((done) => {
			createMqtt({ host: name, port: 1883, clientId: "probe", will: { topic: "a", payload: "offline", retain: true }, keepAliveS: 30, onConnect: () => done("connected"), onMessage() {}, onClose: (reason) => done(`closed: ${reason}`) }, guard);
		});
	for (const name of REFUSED_NAMES) {
		await attempt(name, "resolveHost", resolve(name));
		await attempt(name, "httpPost", post(name));
		await attempt(name, "createMqtt", mqtt(name));
	}
	await attempt("localhost", "httpPost", post("localhost"));
	await attempt("localhost", "createMqtt", mqtt("localhost"));
	const control = await new Promise<string>((done) => lookup(CONTROL_NAME, { family: 4 }, (error, address) => done(error ? `error: ${error.message}` : address)));
	dns.close();
	console.log(JSON.stringify({ tries, control: { address: control, queries: queries.filter((q) => q === CONTROL_NAME).length }, reports }));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
