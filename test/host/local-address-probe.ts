/*
 * Run by local-address.test.ts inside a network namespace of its own (`unshare -rn`: only a
 * loopback interface), where the route to 127.0.0.2 has the source address 127.0.0.2, as a PBX on
 * another network is reached from another local address. Two PBX stand-ins answer REGISTER with
 * 200 OK: one on 127.0.0.1, where the simulator starts registered, and one on 127.0.0.2, saved as
 * the PBX on the page. Prints one JSON line: the Contact and Via of the first REGISTER each got,
 * and the local address /sipDebug shows at the end.
 */

import dgram from "node:dgram";
import { RunDir, Simulator, parseSipText } from "../rig/index.js";

interface Heard {
	contact: string;
	via: string;
}

/** A PBX stand-in on `address` that answers every REGISTER with 200 OK and keeps the first one's Contact and Via. */
async function pbx(address: string): Promise<{ socket: dgram.Socket; heard: Heard[] }> {
	const socket = dgram.createSocket("udp4");
	const heard: Heard[] = [];
	socket.on("message", (data, from) => {
		const m = parseSipText(data.toString("latin1"));
		if (m.method !== "REGISTER") return;
		heard.push({ contact: m.header("contact") ?? "", via: m.header("via") ?? "" });
		const answer = [`SIP/2.0 200 OK`, ...m.all("via").map((v) => `Via: ${v}`), `From: ${m.header("from")}`, `To: ${m.header("to")};tag=pbx`, `Call-ID: ${m.callId}`, `CSeq: ${m.header("cseq")}`, `Contact: ${m.header("contact")};expires=120`, "Content-Length: 0", "", ""].join("\r\n");
		socket.send(Buffer.from(answer, "latin1"), from.port, from.address);
	});
	await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
	return { socket, heard };
}

async function main(): Promise<void> {
	const dir = new RunDir("local-address");
	const first = await pbx("127.0.0.1");
	const second = await pbx("127.0.0.2");
	const simulator = await Simulator.start({ dir: dir.dir("simulator"), pbx: { address: "127.0.0.1", port: first.socket.address().port }, password: "probe" });
	const result: { first?: Heard; second?: Heard; localAddress?: unknown; saved?: number } = {};
	try {
		const saved = await simulator.request("POST", "/saveSIP", { sip_server: "127.0.0.2", sip_port: second.socket.address().port });
		result.saved = saved.status;
		const status = await simulator.waitForStatus((s) => s.registered && s.pbx === `127.0.0.2:${second.socket.address().port}`, { timeoutMs: 15000, what: "registered at the second PBX" });
		result.localAddress = status.local_address;
		result.first = first.heard[0];
		result.second = second.heard[0];
	} finally {
		await simulator.stop();
		first.socket.close();
		second.socket.close();
		dir.remove();
	}
	console.log(JSON.stringify(result));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
