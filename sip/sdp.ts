/*
 * SDP (RFC 4566) and the offer/answer rules (RFC 3264) for one audio stream of G.722 or G.711
 * with telephone-event: a short offer FRITZ!Box accepts, an answer derived from an offer, and
 * the media agreed from an answer. G.722 is payload type 9 with an RTP clock of 8000 although
 * its audio is 16 kHz (RFC 3551 §4.5.2); it is offered and chosen first when wideband audio is
 * wanted (the hd_voice setting), G.711 otherwise and as the fallback.
 */

export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";
export type AudioCodec = "PCMU" | "PCMA" | "G722";

export class SdpError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "SdpError";
	}
}

export interface RtpMap {
	encoding: string;
	clock: number;
	channels: number;
}

export interface MediaDescription {
	type: string;
	port: number;
	proto: string;
	formats: string[];
	rtpmap: Map<number, RtpMap>;
	fmtp: Map<number, string>;
	connection?: string;
	direction?: Direction;
	ptime?: number;
}

export interface SessionDescription {
	origin: string;
	connection?: string;
	direction?: Direction;
	media: MediaDescription[];
}

/** What was agreed for the audio stream; `direction` is ours (sendonly: we only send). */
export interface NegotiatedMedia {
	remoteAddress: string;
	remotePort: number;
	payloadType: number;
	codec: AudioCodec;
	dtmfPayloadType?: number;
	direction: Direction;
	ptime: number;
}

const DIRECTIONS = Object.freeze(["sendrecv", "sendonly", "recvonly", "inactive"]);

// Each pattern is a function that makes its RegExp where it is used: the SDK's XS leaks a block at
// every match of a RegExp made while preloading, and a collection during the match corrupts memory
// (README, "Memory: modules in flash").
const CONNECTION = (): RegExp => /^IN\s+IP([46])\s+([^\s/]+)(?:\/\d+){0,2}\s*$/;
const DOTTED_QUAD = (): RegExp => /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Labels of letters, digits and hyphens, and a letter somewhere. No nested or counted
// repetition: XS's regular expressions backtrack exponentially on those (a 40-character
// address of a fuzzed offer ran past 2e9 computrons).
const HOST_NAME = (): RegExp => /^[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9][A-Za-z0-9-]*)*$/;
const LETTER = (): RegExp => /[A-Za-z]/;
const IPV6 = (): RegExp => /^[0-9A-Fa-f:.]+$/;

/** The address of a c= line: a dotted-quad IPv4 address or a host name (IP4), an IPv6 address (IP6). */
function connectionAddress(value: string): string {
	const m = CONNECTION().exec(value);
	const address = m ? m[2] : "";
	if (!m || !(m[1] === "4" ? DOTTED_QUAD().test(address) || (HOST_NAME().test(address) && LETTER().test(address)) : IPV6().test(address) && address.includes(":"))) {
		throw new SdpError(`malformed c= line "${value.slice(0, 40)}"`);
	}
	return address;
}

export function parseSdp(text: string): SessionDescription {
	const lines = text.split(/\r?\n/);
	while (lines.length && lines[lines.length - 1] === "") lines.pop();
	if (lines[0] !== "v=0") throw new SdpError("SDP must start with v=0");
	const session: SessionDescription = { origin: "", media: [] };
	let media: MediaDescription | undefined;
	for (const line of lines) {
		if (!/^[a-z]=/.test(line)) throw new SdpError(`malformed SDP line "${line.slice(0, 40)}"`);
		const type = line[0];
		const value = line.slice(2);
		switch (type) {
			case "o":
				session.origin = value;
				break;
			case "c":
				if (media) media.connection = connectionAddress(value);
				else session.connection = connectionAddress(value);
				break;
			case "m": {
				const m = /^(\w+)\s+(\d+)(?:\/\d+)?\s+(\S+)((?:\s+\S+)*)$/.exec(value);
				if (!m) throw new SdpError(`malformed m= line "${value.slice(0, 40)}"`);
				const port = Number(m[2]);
				if (port > 65535) throw new SdpError(`bad port ${port} in m= line`);
				media = { type: m[1], port, proto: m[3], formats: m[4].trim().split(/\s+/).filter((f) => f), rtpmap: new Map(), fmtp: new Map() };
				session.media.push(media);
				break;
			}
			case "a": {
				const colon = value.indexOf(":");
				const name = colon < 0 ? value : value.slice(0, colon);
				const arg = colon < 0 ? "" : value.slice(colon + 1);
				if (DIRECTIONS.includes(name)) {
					if (media) media.direction = name as Direction;
					else session.direction = name as Direction;
				} else if (media && name === "rtpmap") {
					const r = /^(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(arg);
					// An rtpmap without a clock rate (RFC 4475's "a=rtpmap:31 LPC" on a video stream)
					// says nothing usable about its format: it is skipped, not the whole offer.
					if (r) media.rtpmap.set(Number(r[1]), { encoding: r[2], clock: Number(r[3]), channels: r[4] ? Number(r[4]) : 1 });
				} else if (media && name === "fmtp") {
					const f = /^(\d+)\s+(.*)$/.exec(arg);
					if (f) media.fmtp.set(Number(f[1]), f[2]);
				} else if (media && name === "ptime" && /^\d+$/.test(arg)) {
					media.ptime = Number(arg);
				}
				break;
			}
		}
	}
	if (!session.origin) throw new SdpError("SDP has no o= line");
	for (const m of session.media) {
		if (m.type === "audio" && m.port !== 0 && !m.connection && !session.connection) throw new SdpError("audio stream without a c= address");
	}
	return session;
}

/** The codec a payload type stands for in this media, if it is one we speak (G.722 only when `wideband`). */
function codecOf(media: MediaDescription, format: string, wideband: boolean): AudioCodec | undefined {
	if (!/^\d+$/.test(format)) return undefined;
	const pt = Number(format);
	const map = media.rtpmap.get(pt);
	let codec: AudioCodec | undefined;
	if (map) {
		const name = map.encoding.toUpperCase();
		if (map.clock === 8000 && map.channels === 1 && (name === "PCMU" || name === "PCMA" || name === "G722")) codec = name;
	} else {
		codec = pt === 0 ? "PCMU" : pt === 8 ? "PCMA" : pt === 9 ? "G722" : undefined;
	}
	return codec === "G722" && !wideband ? undefined : codec;
}

/** The format to use: G.722 when wanted and there, else the first G.711 in the list's order. */
function chooseFormat(media: MediaDescription, wideband: boolean): string | undefined {
	if (wideband) {
		const g722 = media.formats.find((f) => codecOf(media, f, true) === "G722");
		if (g722 !== undefined) return g722;
	}
	return media.formats.find((f) => codecOf(media, f, false));
}

/** The longest packet time the door sends. */
export const MAX_PTIME_MS = 60;

/**
 * The packet time to send with: what the peer asked for (a=ptime, in whole 10 ms steps up to
 * MAX_PTIME_MS), else 20 ms.
 */
function sendPtime(asked: number | undefined): number {
	if (asked === undefined || asked < 10) return 20;
	const steps = Math.round(asked / 10) * 10;
	return steps > MAX_PTIME_MS ? MAX_PTIME_MS : steps;
}

function telephoneEvent(media: MediaDescription): number | undefined {
	for (const [pt, map] of media.rtpmap) if (map.encoding.toLowerCase() === "telephone-event" && map.clock === 8000 && media.formats.includes(String(pt))) return pt;
	return undefined;
}

const OPPOSITE: Record<Direction, Direction> = Object.freeze({ sendrecv: "sendrecv", sendonly: "recvonly", recvonly: "sendonly", inactive: "inactive" });

function intersect(offered: Direction, wanted: Direction): Direction {
	const send = (offered === "sendrecv" || offered === "recvonly") && (wanted === "sendrecv" || wanted === "sendonly");
	const recv = (offered === "sendrecv" || offered === "sendonly") && (wanted === "sendrecv" || wanted === "recvonly");
	return send && recv ? "sendrecv" : send ? "sendonly" : recv ? "recvonly" : "inactive";
}

export interface LocalSdp {
	address: string;
	port: number;
	sessionId: number;
	sessionVersion: number;
	ptime?: number;
	direction?: Direction;
	/** Offer and prefer G.722 (the hd_voice setting). */
	wideband?: boolean;
}

function header(local: LocalSdp): string {
	return `v=0\r\no=- ${local.sessionId} ${local.sessionVersion} IN IP4 ${local.address}\r\ns=klingel\r\nc=IN IP4 ${local.address}\r\nt=0 0\r\n`;
}

/** The short offer: G722 (when wideband), PCMU, PCMA, telephone-event/8000, ptime 20. */
export function buildOffer(local: LocalSdp): string {
	const wide = local.wideband === true;
	return header(local) +
		`m=audio ${local.port} RTP/AVP ${wide ? "9 " : ""}0 8 101\r\n` +
		(wide ? "a=rtpmap:9 G722/8000\r\n" : "") +
		"a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n" +
		`a=ptime:${local.ptime ?? 20}\r\na=${local.direction ?? "sendrecv"}\r\n`;
}

/**
 * Answers an offer: G.722 when wideband and offered, else the first common G.711 codec in the
 * offer's order; its telephone-event; directions intersected.
 */
export function answerOffer(offer: SessionDescription, local: LocalSdp): { sdp: string; media: NegotiatedMedia } | { error: string } {
	let sdp = header(local);
	let chosen: NegotiatedMedia | undefined;
	for (const m of offer.media) {
		// The door sends RTP to an IPv4 address only: it resolves no names there and has no IPv6.
		const address = m.connection ?? offer.connection ?? "";
		const usable = !chosen && m.type === "audio" && m.port !== 0 && m.proto.toUpperCase() === "RTP/AVP" && DOTTED_QUAD().test(address);
		const format = usable ? chooseFormat(m, local.wideband === true) : undefined;
		if (!format) {
			// Refused streams stay in the answer with port 0 (RFC 3264 §6).
			sdp += `m=${m.type} 0 ${m.proto} ${m.formats[0] ?? "0"}\r\n`;
			continue;
		}
		const pt = Number(format);
		const codec = codecOf(m, format, true)!;
		const dtmf = telephoneEvent(m);
		const direction = intersect(m.direction ?? offer.direction ?? "sendrecv", local.direction ?? "sendrecv");
		const ptime = sendPtime(m.ptime);
		sdp += `m=audio ${local.port} RTP/AVP ${pt}${dtmf !== undefined ? ` ${dtmf}` : ""}\r\na=rtpmap:${pt} ${codec}/8000\r\n`;
		if (dtmf !== undefined) sdp += `a=rtpmap:${dtmf} telephone-event/8000\r\na=fmtp:${dtmf} ${m.fmtp.get(dtmf) ?? "0-15"}\r\n`;
		sdp += `a=ptime:${ptime}\r\na=${direction}\r\n`;
		chosen = { remoteAddress: address, remotePort: m.port, payloadType: pt, codec, direction, ptime };
		if (dtmf !== undefined) chosen.dtmfPayloadType = dtmf;
	}
	if (!chosen) return { error: `no common audio codec (${local.wideband ? "G722, " : ""}PCMU or PCMA) in the offer` };
	return { sdp, media: chosen };
}

/** The media an answer to our offer agreed on (`wideband`: G.722 was offered). */
export function readAnswer(answer: SessionDescription, wideband = false): NegotiatedMedia | { error: string } {
	const m = answer.media.find((x) => x.type === "audio" && x.port !== 0);
	if (!m) return { error: "the answer has no active audio stream" };
	// The answerer's first format it shares with the offer is the one it sends (RFC 3264 §6.1).
	const format = m.formats.find((f) => codecOf(m, f, wideband));
	if (!format) return { error: `the answer chose no codec we offered (${wideband ? "G722, " : ""}PCMU or PCMA)` };
	const address = m.connection ?? answer.connection ?? "";
	if (!DOTTED_QUAD().test(address)) return { error: `the answer's media address ${address} is no IPv4 address` };
	const theirs = m.direction ?? answer.direction ?? "sendrecv";
	const media: NegotiatedMedia = {
		remoteAddress: address,
		remotePort: m.port,
		payloadType: Number(format),
		codec: codecOf(m, format, wideband)!,
		direction: OPPOSITE[theirs],
		ptime: sendPtime(m.ptime),
	};
	const dtmf = telephoneEvent(m);
	if (dtmf !== undefined) media.dtmfPayloadType = dtmf;
	return media;
}
