/*
 * The 49 RFC 4475 torture messages sent over UDP to the running simulator from its PBX's
 * address (a test socket here is the PBX it registered at). None that the RFC calls invalid
 * may get a 2xx, responses are never answered, valid requests get a final answer, nothing
 * throws out of the SIP stack, the process lives on and still answers OPTIONS afterwards.
 * The door answers the valid INVITEs and sends RTP to their media addresses: the fixtures have
 * them on loopback (scripts/fixtures.mjs), and the rig's loopback guard fails the run if any
 * packet was meant for elsewhere.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { RunDir, Simulator, parseSipText, type SipText } from "../rig/index.js";
import { messages, type TortureMessage } from "../fixtures/rfc4475-data.js";

interface Answer {
	text: SipText;
	at: number;
}

let dir: RunDir;
let pbx: dgram.Socket;
let pbxPort = 0;
let simulator: Simulator;
const answers: Answer[] = [];
let branchCounter = 0;

/** Sends to the door (or to the port given: the source of what we answer). */
function send(text: string, port = simulator.sipPort): void {
	pbx.send(Buffer.from(text, "latin1"), port, "127.0.0.1");
}

function respond(port: number, request: SipText, status: number, reason: string, extra: string[] = []): void {
	const lines = [`SIP/2.0 ${status} ${reason}`, ...request.all("via").map((v) => `Via: ${v}`), `From: ${request.header("from")}`, `To: ${request.header("to")}${request.tag("to") ? "" : ";tag=pbx"}`, `Call-ID: ${request.callId}`, `CSeq: ${request.header("cseq")}`, ...extra, "Content-Length: 0", "", ""];
	send(lines.join("\r\n"), port);
}

/** ACK for a 2xx to one of our INVITEs, so the door's 200 OK stops and the call can be ended. */
function ack(port: number, ok: SipText): void {
	const contact = /<([^>]+)>/.exec(ok.header("contact") ?? "")?.[1] ?? `sip:620@127.0.0.1:${port}`;
	send([`ACK ${contact} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${pbxPort};branch=z9hG4bKack${++branchCounter}`, "Max-Forwards: 70", `From: ${ok.header("from")}`, `To: ${ok.header("to")}`, `Call-ID: ${ok.callId}`, `CSeq: ${ok.cseq.seq} ACK`, "Content-Length: 0", "", ""].join("\r\n"), port);
}

/**
 * The message as it goes over UDP from the PBX: the top Via says UDP and our address (the RFC's
 * hosts and TCP/TLS transports cannot be used here), and a z9hG4bK branch gets a suffix so that
 * messages the RFC meant to be sent alone do not look like retransmissions of each other.
 * Everything else stays byte for byte; a Via the pattern does not recognise stays as it is.
 */
function overUdp(message: TortureMessage, index: number): string {
	const data = message.data;
	const head = data.indexOf("\r\n\r\n");
	const lines = (head < 0 ? data : data.slice(0, head)).split("\r\n");
	const at = lines.findIndex((l, i) => i > 0 && /^(?:via|v)[ \t]*:/i.test(l));
	if (at > 0) {
		lines[at] = lines[at]
			.replace(/^((?:via|v)[ \t]*:[ \t]*)SIP\/2\.0\/(?:UDP|TCP|TLS|SCTP)[ \t]+[^;,\s]+/i, `$1SIP/2.0/UDP 127.0.0.1:${pbxPort}`)
			.replace(/;branch=(z9hG4bK[^;,\s]+)/, `;branch=$1.t${index}`);
	}
	return lines.join("\r\n") + (head < 0 ? "" : data.slice(head));
}

before(async () => {
	dir = new RunDir("torture");
	pbx = dgram.createSocket("udp4");
	await new Promise<void>((resolve) => pbx.bind(0, "127.0.0.1", () => resolve()));
	pbxPort = pbx.address().port;
	pbx.on("message", (data, from) => {
		const text = parseSipText(data.toString("latin1"));
		if (text.method === "REGISTER") {
			respond(from.port, text, 200, "OK", [`Contact: ${text.header("contact")};expires=120`]);
			return;
		}
		if (text.method) {
			// The door's own requests (BYE of a call it ends): always fine with the PBX.
			if (text.method !== "ACK") respond(from.port, text, 200, "OK");
			return;
		}
		answers.push({ text, at: Date.now() });
		if (text.status >= 200 && text.status < 300 && text.cseq.method === "INVITE") ack(from.port, text);
	});
	simulator = await Simulator.start({ dir: dir.dir("simulator"), pbx: { address: "127.0.0.1", port: pbxPort }, password: "pbx-socket" });
});

after(async () => {
	await simulator?.stop();
	pbx?.close();
	dir?.remove();
});

test("every media address of the messages is on loopback (rewritten with its length kept)", () => {
	let seen = 0;
	for (const message of messages) {
		const body = message.data.slice(message.data.indexOf("\r\n\r\n"));
		for (const [, address] of body.matchAll(/^[co]=.*IN IP4 ([\d.]+)/gm)) {
			seen++;
			assert.match(address, /^127\./, `${message.name}: ${address}`);
		}
	}
	assert.equal(seen, 40, "the 20 SDP bodies' c= and o= lines");
});

test("the RFC 4475 messages over UDP from the PBX: no 2xx for an invalid one, no answer to a response, a final answer to each valid request, as the RFC suggests", { timeout: 120000 }, async (t) => {
	assert.equal(messages.length, 49);
	const problems: string[] = [];
	const seen: string[] = [];
	for (let i = 0; i < messages.length; i++) {
		const message = messages[i];
		const callId = parseSipText(message.data).callId;
		const start = answers.length;
		send(overUdp(message, i));
		const mine = () => answers.slice(start).filter((a) => a.text.callId === callId);
		const deadline = Date.now() + 400;
		while (Date.now() < deadline && !mine().some((a) => a.text.status >= 200)) await new Promise((r) => setTimeout(r, 20));
		// A call the door took (a valid INVITE) is ended before the next message.
		const status = await simulator.status();
		if (status.call !== "idle") {
			simulator.hangup();
			await simulator.waitForStatus((s) => s.call === "idle", { timeoutMs: 10000, what: `idle after ${message.name}` });
		}
		const got = mine().map((a) => a.text.status);
		seen.push(`${message.name}: ${mine().map((a) => a.text.startLine).join(" / ") || "no answer"} (RFC: ${message.expect})`);
		// "no2xx": the RFC calls it invalid and no UA may accept it (baddate and badbranch are
		// invalid too, but harmless enough that the verdict allows any answer).
		if (message.rule === "no2xx" && got.some((s) => s >= 200 && s < 300)) problems.push(`${message.name} is invalid but got ${got.join(",")}`);
		if (message.kind === "response" && got.length) problems.push(`${message.name} is a response but was answered ${got.join(",")}`);
		if (message.validity === "valid" && message.kind !== "response" && !got.some((s) => s >= 200)) problems.push(`${message.name} is a valid request but got no final answer (${got.join(",") || "nothing"})`);
		const final = got.find((s) => s >= 200);
		if (final !== undefined && message.expect !== "*" && message.expect !== "none" && !message.expect.split("|").includes(String(final))) problems.push(`${message.name} got ${final}, the RFC suggests ${message.expect}`);
		if (!simulator.process.running) problems.push(`the simulator died after ${message.name}`);
	}
	for (const line of seen) t.diagnostic(line);
	assert.deepEqual(problems, [], seen.join("\n"));
	assert.equal(simulator.process.running, true, "the simulator is still running");
	assert.doesNotMatch(simulator.process.output, /SIP: error handling/, "nothing threw out of the SIP stack");
	const status = await simulator.status();
	assert.ok(Number(status.rejected_datagrams) > 0, "malformed ones were counted as rejected");
	assert.deepEqual(simulator.offLoopback, [], "nothing was meant for an address off this machine");
});

test("still answers OPTIONS from the PBX afterwards", async () => {
	const callId = `after-torture-${Date.now()}`;
	const start = answers.length;
	send(
		[
			`OPTIONS sip:620@127.0.0.1:${simulator.sipPort} SIP/2.0`,
			`Via: SIP/2.0/UDP 127.0.0.1:${pbxPort};branch=z9hG4bKafter${Date.now()}`,
			"Max-Forwards: 70",
			"From: <sip:pbx@127.0.0.1>;tag=after",
			"To: <sip:620@127.0.0.1>",
			`Call-ID: ${callId}`,
			"CSeq: 1 OPTIONS",
			"Content-Length: 0",
			"",
			"",
		].join("\r\n"),
	);
	const deadline = Date.now() + 3000;
	while (Date.now() < deadline && !answers.slice(start).some((a) => a.text.callId === callId)) await new Promise((r) => setTimeout(r, 20));
	const answer = answers.slice(start).find((a) => a.text.callId === callId);
	assert.equal(answer?.text.status, 200);
	assert.match(answer!.text.header("allow") ?? "", /INVITE/);
});
