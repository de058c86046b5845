/*
 * Run by loopback-guard.test.ts inside a network namespace of its own (`unshare -rn`: only a
 * loopback interface, no route anywhere else), so nothing it provokes can leave the machine even
 * if the guard failed. A PBX stand-in on 127.0.0.1 calls the simulator (started by the rig, as
 * every test starts it) with an offer whose media address is 192.0.2.5, as the RFC 4475
 * messages had; the door answers and would send its RTP there. Prints one JSON line: what the
 * rig saw (its status() and stop() errors, the simulator's report lines).
 */

import dgram from "node:dgram";
import { RunDir, Simulator, parseSipText, type SipText } from "../rig/index.js";

const OFFER = ["v=0", "o=- 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=audio 49170 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""].join("\r\n");

async function main(): Promise<void> {
	const dir = new RunDir("off-loopback");
	const pbx = dgram.createSocket("udp4");
	await new Promise<void>((resolve) => pbx.bind(0, "127.0.0.1", () => resolve()));
	const pbxPort = pbx.address().port;
	const send = (text: string, port: number) => pbx.send(Buffer.from(text, "latin1"), port, "127.0.0.1");
	const answers: SipText[] = [];
	pbx.on("message", (data, from) => {
		const m = parseSipText(data.toString("latin1"));
		if (m.method === "REGISTER" || (m.method && m.method !== "ACK")) {
			const to = `To: ${m.header("to")}${m.tag("to") ? "" : ";tag=pbx"}`;
			const contact = m.method === "REGISTER" ? [`Contact: ${m.header("contact")};expires=120`] : [];
			send([`SIP/2.0 200 OK`, ...m.all("via").map((v) => `Via: ${v}`), `From: ${m.header("from")}`, to, `Call-ID: ${m.callId}`, `CSeq: ${m.header("cseq")}`, ...contact, "Content-Length: 0", "", ""].join("\r\n"), from.port);
		} else if (!m.method) answers.push(m);
	});
	const simulator = await Simulator.start({ dir: dir.dir("simulator"), pbx: { address: "127.0.0.1", port: pbxPort }, password: "probe" });
	const result: { answered: number; statusError: string; stopError: string; reports: string[] } = { answered: 0, statusError: "", stopError: "", reports: [] };
	try {
		const callId = `off-loopback-${Date.now()}`;
		send(
			[
				`INVITE sip:620@127.0.0.1:${simulator.sipPort} SIP/2.0`,
				`Via: SIP/2.0/UDP 127.0.0.1:${pbxPort};branch=z9hG4bKprobe1`,
				"Max-Forwards: 70",
				"From: <sip:611@fritz.box>;tag=probe",
				"To: <sip:620@fritz.box>",
				`Call-ID: ${callId}`,
				"CSeq: 1 INVITE",
				`Contact: <sip:611@127.0.0.1:${pbxPort}>`,
				"Content-Type: application/sdp",
				`Content-Length: ${OFFER.length}`,
				"",
				OFFER,
			].join("\r\n"),
			simulator.sipPort,
		);
		const deadline = Date.now() + 8000;
		while (Date.now() < deadline) {
			const ok = answers.find((a) => a.callId === callId && a.status === 200);
			if (ok && !result.answered) {
				result.answered = 200;
				const contact = /<([^>]+)>/.exec(ok.header("contact") ?? "")?.[1] ?? `sip:620@127.0.0.1:${simulator.sipPort}`;
				send([`ACK ${contact} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${pbxPort};branch=z9hG4bKprobe2`, "Max-Forwards: 70", `From: ${ok.header("from")}`, `To: ${ok.header("to")}`, `Call-ID: ${callId}`, "CSeq: 1 ACK", "Content-Length: 0", "", ""].join("\r\n"), simulator.sipPort);
			}
			try {
				await simulator.status();
			} catch (error) {
				result.statusError = (error as Error).message;
				break;
			}
			await new Promise((r) => setTimeout(r, 100));
		}
		simulator.hangup();
	} finally {
		await simulator.stop().catch((error: Error) => (result.stopError = error.message));
		result.reports = simulator.offLoopback;
		pbx.close();
		dir.remove();
	}
	console.log(JSON.stringify(result));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
