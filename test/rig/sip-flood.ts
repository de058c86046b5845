/*
 * A SIP flood against the running simulator, for the host test and the benchmark: a PBX
 * stand-in on 127.0.0.1 (it answers REGISTER and the door's own requests, and places a call to
 * the door), a stranger on 127.0.0.2, and INFOs outside any dialog sent from both at a steady
 * rate. Every packet stays on loopback: the call's SDP names 127.0.0.1 and a sink port here.
 */

import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { RunDir } from "./rundir.js";
import { Simulator } from "./simulator.js";
import { parseSipText, type SipText } from "./sip-text.js";

export const FLOOD_STRANGER = "127.0.0.2";
const PBX_HOST = "127.0.0.1";
const FLOOD_CALL_ID = "flood-call@127.0.0.1";

export interface FloodCounts {
	sent: number;
	/** Answers to the flood by status, e.g. { 403: 15000, 481: 15000 }. */
	answers: Record<number, number>;
}

async function bound(host: string): Promise<dgram.Socket> {
	const socket = dgram.createSocket("udp4");
	await new Promise<void>((resolve, reject) => {
		socket.once("error", reject);
		socket.bind(0, host, () => resolve());
	});
	return socket;
}

export class FloodRig {
	readonly dir: RunDir;
	readonly simulator: Simulator;
	readonly counts: FloodCounts;
	/** Messages of the PBX's call to the door, as they came. */
	readonly callMessages: SipText[];
	#pbx: dgram.Socket;
	#stranger: dgram.Socket;
	#rtp: dgram.Socket;
	#toTag = "";
	#cseq = 1;

	private constructor(dir: RunDir, simulator: Simulator, sockets: { pbx: dgram.Socket; stranger: dgram.Socket; rtp: dgram.Socket }, counts: FloodCounts, callMessages: SipText[]) {
		const { pbx, stranger, rtp } = sockets;
		this.dir = dir;
		this.simulator = simulator;
		this.counts = counts;
		this.callMessages = callMessages;
		this.#pbx = pbx;
		this.#stranger = stranger;
		this.#rtp = rtp;
	}

	static async start(name: string): Promise<FloodRig> {
		const dir = new RunDir(name);
		const pbx = await bound(PBX_HOST);
		const stranger = await bound(FLOOD_STRANGER);
		const rtp = await bound(PBX_HOST);
		rtp.on("message", () => {});
		const counts: FloodCounts = { sent: 0, answers: {} };
		const callMessages: SipText[] = [];
		const count = (data: Buffer) => {
			const status = Number(data.toString("latin1", 8, 11));
			counts.answers[status] = (counts.answers[status] ?? 0) + 1;
		};
		stranger.on("message", count);
		pbx.on("message", (data, from) => {
			const raw = data.toString("latin1");
			if (raw.startsWith("SIP/2.0 ") && !raw.includes(FLOOD_CALL_ID)) {
				count(data);
				return;
			}
			const text = parseSipText(raw);
			if (text.callId === FLOOD_CALL_ID) callMessages.push(text);
			// REGISTER, and the door's own requests: always fine with the PBX.
			if (text.method && text.method !== "ACK") pbx.send(Buffer.from(answer(text, text.method === "REGISTER" ? [`Contact: ${text.header("contact")};expires=120`] : []), "latin1"), from.port, from.address);
		});
		let simulator: Simulator;
		try {
			simulator = await Simulator.start({ dir: dir.dir("simulator"), pbx: { address: PBX_HOST, port: pbx.address().port }, password: "flood-pbx", trace: false });
		} catch (error) {
			for (const s of [pbx, stranger, rtp]) s.close();
			dir.remove();
			throw error;
		}
		return new FloodRig(dir, simulator, { pbx, stranger, rtp }, counts, callMessages);
	}

	/** The simulator's resident set and its peak (kB), from /proc (Linux). */
	memory(): { rssKb: number; peakKb: number } {
		const pid = this.simulator.process.pid;
		const status = readFileSync(`/proc/${pid}/status`, "utf8");
		const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
		return { rssKb: kb("VmRSS"), peakKb: kb("VmHWM") };
	}

	/**
	 * Sends `total` INFOs outside any dialog, each a new transaction, at `rate` a second: every
	 * other one from the stranger, the rest from the PBX's address. `during` runs meanwhile.
	 */
	async flood(total: number, rate: number, during?: () => Promise<void>): Promise<void> {
		const port = this.simulator.sipPort;
		const tickMs = 10;
		const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
		const started = Date.now();
		const sender = (async () => {
			let n = 0;
			while (n < total) {
				for (let i = 0; i < perTick && n < total; i++, n++) {
					const stranger = n % 2 === 0;
					const socket = stranger ? this.#stranger : this.#pbx;
					const host = stranger ? FLOOD_STRANGER : PBX_HOST;
					socket.send(Buffer.from(floodInfo(n, host, socket.address().port, port), "latin1"), port, PBX_HOST);
					this.counts.sent++;
				}
				// Keeps the rate over the whole run, whatever a single timer's lateness.
				const due = started + ((n / perTick) * tickMs);
				await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
			}
		})();
		await Promise.all([sender, during?.()]);
	}

	/** The PBX calls the door (a handset's INVITE), waits for the 200 OK and acknowledges it. */
	async call(): Promise<SipText> {
		const sdp = ["v=0", `o=- 1 1 IN IP4 ${PBX_HOST}`, "s=-", `c=IN IP4 ${PBX_HOST}`, "t=0 0", `m=audio ${this.#rtp.address().port} RTP/AVP 0 101`, "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "a=sendrecv", ""].join("\r\n");
		const invite = this.#request("INVITE", "<sip:620@127.0.0.1>", ["Content-Type: application/sdp", `Contact: <sip:611@${PBX_HOST}:${this.#pbx.address().port}>`], sdp);
		const ok = await this.#transaction(invite, "INVITE");
		if (ok.status !== 200) throw new Error(`the door answered the INVITE with ${ok.startLine}`);
		this.#toTag = ok.tag("to") ?? "";
		this.#send(this.#request("ACK", `<sip:620@127.0.0.1>;tag=${this.#toTag}`, [], "", 1));
		return ok;
	}

	/** The PBX ends the call; answers the door's final response to the BYE. */
	async bye(): Promise<SipText> {
		return this.#transaction(this.#request("BYE", `<sip:620@127.0.0.1>;tag=${this.#toTag}`), "BYE");
	}

	async stop(): Promise<void> {
		await this.simulator.stop();
		for (const s of [this.#pbx, this.#stranger, this.#rtp]) s.close();
		this.dir.remove();
	}

	#request(method: string, to: string, extra: string[] = [], body = "", cseq?: number): string {
		const seq = cseq ?? this.#cseq++;
		return [
			`${method} sip:620@127.0.0.1:${this.simulator.sipPort} SIP/2.0`,
			`Via: SIP/2.0/UDP ${PBX_HOST}:${this.#pbx.address().port};branch=z9hG4bKfloodcall${method}${seq}`,
			"Max-Forwards: 70",
			"From: \"Flur\" <sip:611@127.0.0.1>;tag=pbxcall",
			`To: ${to}`,
			`Call-ID: ${FLOOD_CALL_ID}`,
			`CSeq: ${seq} ${method}`,
			...extra,
			`Content-Length: ${Buffer.byteLength(body)}`,
			"",
			body,
		].join("\r\n");
	}

	#send(text: string): void {
		this.#pbx.send(Buffer.from(text, "latin1"), this.simulator.sipPort, PBX_HOST);
	}

	/** Sends a request from the PBX, retransmitting it as Timer A says, until a final response comes. */
	async #transaction(text: string, method: string): Promise<SipText> {
		const from = this.callMessages.length;
		let interval = 500;
		for (let sent = 0; sent < 7; sent++) {
			this.#send(text);
			const deadline = Date.now() + interval;
			while (Date.now() < deadline) {
				const final = this.callMessages.slice(from).find((m) => m.status >= 200 && m.cseq.method === method);
				if (final) return final;
				await new Promise((r) => setTimeout(r, 10));
			}
			interval *= 2;
		}
		throw new Error(`no final response to the PBX's ${method} during the flood`);
	}
}

/** An INFO outside any dialog from host:port, with a branch of its own. */
function floodInfo(n: number, host: string, port: number, doorPort: number): string {
	const body = "Signal=1\r\nDuration=160\r\n";
	return [
		`INFO sip:620@127.0.0.1:${doorPort} SIP/2.0`,
		`Via: SIP/2.0/UDP ${host}:${port};branch=z9hG4bKflood${n}`,
		"Max-Forwards: 70",
		`From: <sip:flood@${host}>;tag=f${n}`,
		"To: <sip:620@127.0.0.1>",
		`Call-ID: flood-${n}@${host}`,
		`CSeq: ${n + 1} INFO`,
		"Content-Type: application/dtmf-relay",
		`Content-Length: ${body.length}`,
		"",
		body,
	].join("\r\n");
}

/** A response from the PBX to one of the door's requests. */
function answer(request: SipText, extra: string[]): string {
	return [
		"SIP/2.0 200 OK",
		...request.all("via").map((v) => `Via: ${v}`),
		`From: ${request.header("from")}`,
		`To: ${request.header("to")}${request.tag("to") ? "" : ";tag=pbx"}`,
		`Call-ID: ${request.callId}`,
		`CSeq: ${request.header("cseq")}`,
		...extra,
		"Content-Length: 0",
		"",
		"",
	].join("\r\n");
}
