/*
 * The doorbell application booted on fake ports (clock, SIP socket, store, relay, button, web
 * routes), registered with the scripted PBX of ua-harness, and a handset that calls the door.
 * Portable: used by the specs in test/core, which also run inside XS.
 */

import { FakeClock } from "./fake-clock.js";
import { FakeUdp, seededRandom } from "./fake-udp.js";
import { md5 } from "./md5.js";
import { inboundInvite, PBX, LOCAL } from "./ua-harness.js";
import { parseSip, type SipMessage } from "../../sip/message.js";
import { buildResponse } from "../../sip/serializer.js";
import { encodeUtf8 } from "../../modules/text.js";
import { boot, type Application, type BootOptions } from "../../app/boot.js";
import type { DoorbellEnvironment } from "../../modules/environment.js";
import { NO_NETWORK, type DigitalIn, type DigitalOut, type HttpHandler, type KeyValueStore, type UploadHandler, type UdpOptions, type UdpSocket } from "../../modules/ports.js";
import { memoryLogger } from "./memory-logger.js";

/** Settings in memory, by namespace; `data` is open to the test. */
export class MemoryStore implements KeyValueStore {
	data: Record<string, Record<string, string | number>> = {};
	constructor(data: Record<string, Record<string, string | number>> = {}) {
		for (const ns of Object.keys(data)) this.data[ns] = { ...data[ns] };
	}
	get(namespace: string, key: string) {
		return this.data[namespace]?.[key];
	}
	set(namespace: string, key: string, value: string | number) {
		(this.data[namespace] ??= {})[key] = value;
	}
	delete(namespace: string, key: string) {
		if (this.data[namespace]) delete this.data[namespace][key];
	}
	keys(namespace: string) {
		return Object.keys(this.data[namespace] ?? {});
	}
}

export const SIP_PORT = 5062;

export interface AppOptions {
	/** Settings by namespace; `sip` goes over the account 620 / "geheim" at the PBX. */
	settings?: Record<string, Record<string, string | number>>;
	/** Sockets for the ports other than SIP's (RTP); without it every port gets the SIP socket. */
	udp?: (options: UdpOptions) => UdpSocket;
	/** Ports that replace the fakes (audio, mic, speaker, sha256, random …). */
	env?: Partial<DoorbellEnvironment>;
	/** More boot options (the SIP port is always 5062). */
	boot?: BootOptions;
	/** Whether the network is up: while it is not, every socket open throws NO_NETWORK, as on the device before Wi-Fi. */
	network?: () => boolean;
}

/** Boots the application and answers its REGISTER, if it sent one, with 200 OK (to-tag r1, 120 s). */
export function bootApp(options: AppOptions = {}) {
	const clock = new FakeClock();
	const sip = new FakeUdp(SIP_PORT);
	const lines: string[] = [];
	const log = memoryLogger(lines);
	const routes = new Map<string, HttpHandler>();
	const uploads = new Map<string, UploadHandler>();
	const relayWrites: Array<[number, number]> = [];
	const relay: DigitalOut = { write: (v) => relayWrites.push([clock.now(), v]), close() {} };
	const button: DigitalIn & { onChange?: (value: number) => void } = { read: () => 1, close() {} };
	const settings = options.settings ?? {};
	const store = new MemoryStore({ ...settings, sip: { sip_user: "620", sip_password: "geheim", sip_server: PBX, ...settings.sip } });
	const application: Application = boot(
		{
			udp: (o) => {
				if (options.network && !options.network()) throw Object.assign(new Error("no network"), { code: NO_NETWORK });
				if (o.port === SIP_PORT || !options.udp) {
					sip.onReadable = (n) => o.onReadable?.(n);
					return sip;
				}
				return options.udp(o);
			},
			clock, wallClock: () => 1_780_000_000_000 + clock.now(), md5, sha256: () => "0".repeat(64), random: seededRandom(3), log,
			store, routes: { add: (method, path, handler) => routes.set(`${method} ${path}`, handler), addUpload: (path, handler) => uploads.set(path, handler) }, button, relay,
			localAddress: () => LOCAL,
			resolve: (_host, callback) => callback(undefined, PBX),
			...options.env,
		},
		{ ...options.boot, sipPort: SIP_PORT },
	);
	/** What the application sent since the last call, parsed. */
	const sent = (): SipMessage[] => sip.take().map((s) => parseSip(encodeUtf8(s.text)));
	/** Answers a request the application sent, from the PBX. */
	const answer = (request: SipMessage, status: number, reason: string, response: { toTag?: string; headers?: string[]; body?: string } = {}) => sip.deliver(buildResponse(request, status, reason, response), PBX, 5060);
	/** Answers the REGISTER sent since the last call with 200 OK; false when none was sent. */
	const acceptRegister = (): boolean => {
		const register = sent().find((m) => m.method === "REGISTER");
		if (!register) return false;
		answer(register, 200, "OK", { toTag: "r1", headers: [`Contact: <sip:620@${LOCAL}:${SIP_PORT}>;expires=120`] });
		sent();
		return true;
	};
	acceptRegister();
	/** The lengths of the relay's pulses so far, in ms. */
	const pulses = () => {
		const out: number[] = [];
		let start = -1;
		for (const [t, v] of relayWrites) {
			if (v === 1 && start < 0) start = t;
			else if (v === 0 && start >= 0) {
				out.push(t - start);
				start = -1;
			}
		}
		return out;
	};
	/**
	 * A handset calls the door through the PBX (INVITE, then ACK for the 200 OK); returns the 200 OK
	 * and `request`, which sends a further request of that dialog from the handset (from the
	 * call's signalling address and port, or from `source`). Calls after the first need their own
	 * `callId`; `from` sends the INVITE from another address or port than the PBX's.
	 */
	const call = (options: { callId?: string; from?: { address: string; port: number } } = {}) => {
		const callId = options.callId ?? "in-call-1@192.168.178.1";
		const from = options.from ?? { address: PBX, port: 5060 };
		const tail = callId === "in-call-1@192.168.178.1" ? "" : callId.replace(/[^A-Za-z0-9]/g, "");
		sip.deliver(inboundInvite({ callId, branch: `z9hG4bKin1${tail}` }).replace(/\r?\n/g, "\r\n"), from.address, from.port);
		const ok = sent().find((m) => m.status === 200) as SipMessage;
		const to = ok.header("to")!;
		const request = (method: string, cseq: number, branch: string, headers: string[] = [], body = "", source = from) => sip.deliver([
			`${method} sip:620@${LOCAL}:${SIP_PORT} SIP/2.0`, `Via: SIP/2.0/UDP ${source.address}:${source.port};branch=${branch}${tail}`, `From: "Küche" <sip:611@fritz.box>;tag=fb1`, `To: ${to}`, `Call-ID: ${callId}`, `CSeq: ${cseq} ${method}`,
			...headers, `Content-Length: ${encodeUtf8(body).length}`, "", body,
		].join("\r\n"), source.address, source.port);
		request("ACK", 100, "z9hG4bKack1");
		return { ok, request };
	};
	return { clock, sip, application, store, routes, uploads, lines, relayWrites, button, sent, answer, acceptRegister, pulses, call };
}
