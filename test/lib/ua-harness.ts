/*
 * A user agent wired to a fake clock and an in-memory socket, with a scripted PBX at
 * 192.168.178.1:5060 that answers what the UA sends.
 */

import { FakeClock } from "./fake-clock.js";
import { FakeUdp, seededRandom, type Sent } from "./fake-udp.js";
import { md5 } from "./md5.js";
import { sha256 } from "./sha256.js";
import type { SipTransport } from "../../sip/transport.js";
import type { UdpOptions } from "../../modules/ports.js";
import { UserAgent, type UserAgentEvents } from "../../sip/user-agent.js";
import { DEFAULT_UA_CONFIG, type UaConfig } from "../../sip/config.js";
import { parseSip, type SipMessage } from "../../sip/message.js";
import { buildResponse } from "../../sip/serializer.js";
import { decodeUtf8, encodeUtf8 } from "../../modules/text.js";
import { memoryLogger } from "./memory-logger.js";

export const PBX = "192.168.178.1";
export const LOCAL = "192.168.178.30";

export const OFFER = [
	"v=0",
	"o=- 1234 1 IN IP4 192.168.178.1",
	"s=-",
	"c=IN IP4 192.168.178.1",
	"t=0 0",
	"m=audio 7078 RTP/AVP 8 0 101",
	"a=rtpmap:8 PCMA/8000",
	"a=rtpmap:0 PCMU/8000",
	"a=rtpmap:101 telephone-event/8000",
	"a=fmtp:101 0-15",
	"a=ptime:20",
	"a=sendrecv",
	"",
].join("\r\n");

export class UaHarness {
	readonly clock = new FakeClock();
	readonly socket = new FakeUdp(5062);
	readonly logLines: string[] = [];
	readonly ua: UserAgent;
	readonly events: string[] = [];
	/** While true, a look-up of the PBX's name waits in `lookups` until the test answers it (a slow or failing DNS). */
	holdLookups = false;
	readonly lookups: Array<(error: Error | undefined, address?: string) => void> = [];
	/** How the transport opened its socket last (a test reports an error to it with its onError). */
	udpOptions: UdpOptions | undefined;
	/** The door's local address: a test that sets it has the door on another network (or given another address). */
	address = LOCAL;

	constructor(config: Partial<UaConfig> = {}, events: UserAgentEvents = {}) {
		const log = memoryLogger(this.logLines);
		// The fake socket is the one the transport opens; what a test delivers is announced to it.
		const udp = (options: UdpOptions) => {
			this.udpOptions = options;
			this.socket.onReadable = (n) => options.onReadable?.(n);
			return this.socket;
		};
		this.ua = new UserAgent(
			{ udp, clock: this.clock, md5, sha256, random: seededRandom(7), log, localAddress: () => this.address, resolve: (_host, callback) => (this.holdLookups ? this.lookups.push(callback) : callback(undefined, PBX)) },
			{ ...DEFAULT_UA_CONFIG, user: "620", password: "geheim", displayName: "Haustür", ...config },
			{
				rtpPort: () => 40000,
				events: {
					onCallState: (call) => this.events.push(`state ${call.state}`),
					onCallEstablished: (call) => this.events.push(`established ${call.media?.codec}`),
					onCallEnded: (call) => this.events.push(`ended ${call.endReason}`),
					onDtmf: (_call, digit) => this.events.push(`dtmf ${digit}`),
					...events,
				},
			},
		);
		this.ua.transport.open();
	}

	/** The user agent's SIP transport. */
	get transport(): SipTransport {
		return this.ua.transport;
	}

	/** Messages sent since the last call, parsed. */
	sent(): Array<SipMessage & { to: Sent }> {
		return this.socket.take().map((s) => Object.assign(parseSip(encodeUtf8(s.text)), { to: s }));
	}

	/** The only message sent since the last call; fails when there are more or none. */
	one(): SipMessage {
		const all = this.sent();
		if (all.length !== 1) throw new Error(`expected one message, got ${all.length}: ${all.map((m) => m.method || m.status).join(", ")}`);
		return all[0];
	}

	/** Every method or status sent while the clock moves `ms` forward in 100 ms steps, each with when it went. */
	sentDuring(ms: number): string[] {
		const seen: string[] = [];
		for (let t = 0; t < ms; t += 100) {
			this.clock.advance(100);
			for (const m of this.sent()) seen.push(`${m.method || m.status} at ${this.clock.now()}`);
		}
		return seen;
	}

	/** Delivers text (LF or CRLF) from the PBX, or from another address. */
	deliver(text: string, address = PBX, port = 5060): void {
		// Only the head's line ends become CRLF: a body's Content-Length was counted as it was written.
		const blank = /\r?\n\r?\n/.exec(text);
		const head = blank ? text.slice(0, blank.index) : text;
		const body = blank ? text.slice(blank.index + blank[0].length) : "";
		this.socket.deliver(head.replace(/\r?\n/g, "\r\n") + (blank ? "\r\n\r\n" + body : ""), address, port);
	}

	/** Answers a request the UA sent, from the PBX. */
	answer(request: SipMessage, status: number, reason: string, options: { toTag?: string; headers?: string[]; body?: string } = {}): void {
		this.socket.deliver(buildResponse(request, status, reason, options), PBX, 5060);
	}

	/** Registers: REGISTER → 200 OK granting `expires`. */
	register(expires = 120): void {
		this.ua.start();
		const register = this.one();
		this.answer(register, 200, "OK", { toTag: "reg1", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=${expires}`] });
	}

	/**
	 * Registers and takes a handset's call to the door (inboundInvite()), answered with 200 OK;
	 * returns a maker of the PBX's requests in that dialog.
	 */
	answeredCall(): InDialog {
		this.register();
		this.deliver(inboundInvite());
		const ok = this.sent()[1];
		if (ok?.status !== 200) throw new Error(`expected the call answered with 200, got ${ok?.status}`);
		const to = ok.header("to")!;
		let seq = 100;
		return (method, extra = [], body = "") => [
			`${method} sip:620@${LOCAL}:5062 SIP/2.0`,
			`Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bK${method}${++seq}`,
			`From: "Küche" <sip:611@fritz.box>;tag=fb1`,
			`To: ${to}`,
			"Call-ID: in-call-1@192.168.178.1",
			`CSeq: ${method === "ACK" ? 100 : seq} ${method}`,
			...extra,
			`Content-Length: ${body.length}`,
			"",
			body,
		].join("\n");
	}
}

/**
 * A request from the PBX in an answered call's dialog (LF line ends, an ASCII body): each with a
 * branch of its own and the next CSeq from 101 up, an ACK with the INVITE's CSeq 100.
 */
export type InDialog = (method: string, extra?: string[], body?: string) => string;

/** An INVITE from the PBX as a FRITZ!Box sends it for a handset calling the door. */
export function inboundInvite(options: { callId?: string; branch?: string; cseq?: number; body?: string; from?: string } = {}): string {
	const body = options.body ?? OFFER;
	return [
		`INVITE sip:620@${LOCAL}:5062 SIP/2.0`,
		`Via: SIP/2.0/UDP ${PBX}:5060;branch=${options.branch ?? "z9hG4bKin1"}`,
		"Max-Forwards: 70",
		`From: ${options.from ?? '"Küche" <sip:611@fritz.box>'};tag=fb1`,
		"To: <sip:620@fritz.box>",
		`Call-ID: ${options.callId ?? "in-call-1@192.168.178.1"}`,
		`CSeq: ${options.cseq ?? 100} INVITE`,
		`Contact: <sip:611@${PBX}:5060>`,
		"Content-Type: application/sdp",
		`Content-Length: ${encodeUtf8(body).length}`,
		"",
		body,
	].join("\r\n");
}

/**
 * A request of the answering handset (To-tag a1) in the dialog of the door's `invite`, CSeq 5,
 * without a body: by default its BYE.
 */
export function handsetRequest(invite: SipMessage, options: { method?: string; branch?: string; callId?: string; headers?: string[] } = {}): string {
	const method = options.method ?? "BYE";
	return [
		`${method} sip:620@${LOCAL}:5062 SIP/2.0`,
		`Via: SIP/2.0/UDP ${PBX}:5060;branch=${options.branch ?? "z9hG4bKbye1"}`,
		"From: <sip:**610@fritz.box>;tag=a1",
		`To: ${invite.header("from")}`,
		`Call-ID: ${options.callId ?? invite.header("call-id")}`,
		`CSeq: 5 ${method}`,
		...(options.headers ?? []),
		"Content-Length: 0",
		"",
		"",
	].join("\n");
}

export function text(bytes: Uint8Array): string {
	return decodeUtf8(bytes);
}

/** An INFO outside any dialog, with a branch of its own: each is a new transaction (the flood specs and bench). */
export function floodInfo(n: number, host: string): string {
	return [
		`INFO sip:620@${LOCAL}:5062 SIP/2.0`,
		`Via: SIP/2.0/UDP ${host}:5060;branch=z9hG4bKflood${n}`,
		"Max-Forwards: 70",
		`From: <sip:flood@${host}>;tag=f${n}`,
		"To: <sip:620@fritz.box>",
		`Call-ID: flood-${n}@${host}`,
		`CSeq: ${n + 1} INFO`,
		"Content-Type: application/dtmf-relay",
		"Content-Length: 24",
		"",
		"Signal=1\r\nDuration=160\r\n",
	].join("\r\n");
}
