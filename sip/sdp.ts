/*
 * SDP (RFC 4566) and the offer/answer rules (RFC 3264) for one audio stream of G.722 or G.711
 * with telephone-event: a short offer FRITZ!Box accepts, an answer derived from an offer, and
 * the media agreed from an answer. G.722 is payload type 9 with an RTP clock of 8000 although
 * its audio is 16 kHz (RFC 3551 §4.5.2); it is offered and chosen first when wideband audio is
 * wanted (the hd_voice setting), G.711 otherwise and as the fallback.
 */

import { digitsEnd, ipv6End, isAllDigits, oneLine, spaceEnd, wordEnd } from "./scan.js";

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

/**
 * What was agreed for the audio stream; `direction` is ours (sendonly: we only send). Each side
 * receives with the payload types of the SDP it sent (RFC 3264 §5.1, §6.1), so the numbers the
 * door sends with and those it takes can differ when it made the offer; when it answered, its
 * answer took the offer's numbers and they are the same.
 */
export interface NegotiatedMedia {
	remoteAddress: string;
	remotePort: number;
	/** The codec's payload type in the packets the door sends: the peer's number for it. */
	payloadType: number;
	codec: AudioCodec;
	/** The codec's and telephone-event's payload types in the packets the door takes: its own numbers (the door sends no events). */
	receivePayloadType: number;
	receiveDtmfPayloadType?: number;
	direction: Direction;
	ptime: number;
}

const DIRECTIONS = Object.freeze(["sendrecv", "sendonly", "recvonly", "inactive"]);
const LF = "\n", COLON = ":", SLASH = "/";

/** Whether s[start, end) is a dotted-quad IPv4 address: four numbers 0 to 255 without leading zeros. */
export function isDottedQuad(s: string, start: number, end: number): boolean {
	let i = start;
	for (let part = 0; part < 4; part++) {
		if (part > 0) {
			if (s.charCodeAt(i) !== 0x2e) return false;
			i++;
		}
		const digits = digitsEnd(s, i, end < i + 3 ? end : i + 3);
		if (digits === i || (digits - i > 1 && s.charCodeAt(i) === 0x30)) return false;
		let n = 0;
		for (let k = i; k < digits; k++) n = n * 10 + s.charCodeAt(k) - 0x30;
		if (n > 255) return false;
		i = digits;
	}
	return i === end;
}

/** Whether s[start, end) is a host name: labels of letters, digits and hyphens (none starting with a hyphen), a letter somewhere. */
function isDnsName(s: string, start: number, end: number): boolean {
	let letter = false, labelStart = true;
	for (let i = start; i < end; i++) {
		const c = s.charCodeAt(i), lower = c | 0x20;
		if (lower >= 0x61 && lower <= 0x7a) letter = true;
		else if (c === 0x2e) {
			if (labelStart) return false;
			labelStart = true;
			continue;
		} else if (!(c >= 0x30 && c <= 0x39) && !(c === 0x2d && !labelStart)) return false;
		labelStart = false;
	}
	return letter && !labelStart;
}

/** Whether s[start, end) has only hex digits, ':' and '.', and a ':' (an IPv6 address as SDP writes it). */
function isIpv6(s: string, start: number, end: number): boolean {
	const colon = s.indexOf(COLON, start);
	return colon >= 0 && colon < end && ipv6End(s, start, end) === end;
}

const IN = "IN", IP = "IP";

/**
 * The address of a c= line's value s[start, end) (`IN IP4 address[/ttl[/count]]`): a dotted-quad
 * IPv4 address or a host name (IP4), an IPv6 address (IP6).
 */
function connectionAddress(s: string, start: number, end: number): string {
	let i = start + 2, address = -1, addressEnd = -1;
	const version = s.startsWith(IN, start) ? spaceEnd(s, i, end) : i;
	if (version > i && s.startsWith(IP, version)) {
		const v = s.charCodeAt(version + 2);
		address = spaceEnd(s, version + 3, end);
		if (address === version + 3 || (v !== 0x34 && v !== 0x36)) address = -1;
		else {
			addressEnd = wordEnd(s, address, end);
			const slash = s.indexOf(SLASH, address);
			if (slash >= 0 && slash < addressEnd) addressEnd = slash;
			// Up to two `/number` (TTL, count), then only white space.
			i = addressEnd;
			for (let k = 0; k < 2 && s.charCodeAt(i) === 0x2f; k++) {
				const digits = digitsEnd(s, i + 1, end);
				if (digits === i + 1) break;
				i = digits;
			}
			const valid = v === 0x34 ? isDottedQuad(s, address, addressEnd) || isDnsName(s, address, addressEnd) : isIpv6(s, address, addressEnd);
			if (addressEnd === address || spaceEnd(s, i, end) !== end || !valid) address = -1;
		}
	}
	if (address < 0) throw new SdpError(`malformed c= line "${s.slice(start, end < start + 40 ? end : start + 40)}"`);
	return s.slice(address, addressEnd);
}

/** Reads an m= line's value s[start, end): `type port[/count] proto format…`. */
function mediaLine(s: string, start: number, end: number): MediaDescription {
	let i = start;
	for (let c = s.charCodeAt(i); i < end && ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a || (c >= 0x30 && c <= 0x39) || c === 0x5f); c = s.charCodeAt(++i));
	const typeEnd = i, portStart = spaceEnd(s, i, end), portEnd = digitsEnd(s, portStart, end);
	i = portEnd;
	if (s.charCodeAt(i) === 0x2f && digitsEnd(s, i + 1, end) > i + 1) i = digitsEnd(s, i + 1, end);
	const protoStart = spaceEnd(s, i, end), protoEnd = wordEnd(s, protoStart, end);
	const formats: string[] = [];
	let ok = typeEnd > start && portStart > typeEnd && portEnd > portStart && protoStart > i && protoEnd > protoStart;
	for (i = protoEnd; ok && i < end;) {
		const format = spaceEnd(s, i, end);
		// White space at the end of the line is malformed, as is none between formats.
		if (format === end || format === i) ok = false;
		else {
			i = wordEnd(s, format, end);
			formats.push(s.slice(format, i));
		}
	}
	if (!ok) throw new SdpError(`malformed m= line "${s.slice(start, end < start + 40 ? end : start + 40)}"`);
	const port = Number(s.slice(portStart, portEnd));
	if (port > 65535) throw new SdpError(`bad port ${port} in m= line`);
	return { type: s.slice(start, typeEnd), port, proto: s.slice(protoStart, protoEnd), formats, rtpmap: new Map(), fmtp: new Map() };
}

/** Reads `a=rtpmap:` s[start, end): `pt encoding/clock[/channels]`; nothing when it has no clock rate. */
function rtpmap(media: MediaDescription, s: string, start: number, end: number): void {
	const pt = digitsEnd(s, start, end), name = spaceEnd(s, pt, end);
	const word = wordEnd(s, name, end);
	let slash = s.indexOf(SLASH, name);
	if (slash < 0 || slash > word) slash = word;
	const clock = digitsEnd(s, slash + 1, end);
	// An rtpmap without a clock rate (RFC 4475's "a=rtpmap:31 LPC" on a video stream)
	// says nothing usable about its format: it is skipped, not the whole offer.
	if (pt === start || name === pt || slash === name || s.charCodeAt(slash) !== 0x2f || clock === slash + 1) return;
	const channels = s.charCodeAt(clock) === 0x2f ? digitsEnd(s, clock + 1, end) : clock;
	media.rtpmap.set(Number(s.slice(start, pt)), { encoding: s.slice(name, slash), clock: Number(s.slice(slash + 1, clock)), channels: channels > clock + 1 ? Number(s.slice(clock + 1, channels)) : 1 });
}

const V_0 = "v=0", RTPMAP = "rtpmap", FMTP = "fmtp", PTIME = "ptime";

/** Whether the a= attribute's name s[start, end) is `name`. */
function isName(s: string, start: number, end: number, name: string): boolean {
	return end - start === name.length && s.startsWith(name, start);
}

/**
 * Reads a session description line by line (LF or CR LF ends a line, empty lines at the end are
 * dropped), cutting out only the values it keeps.
 */
export function parseSdp(text: string): SessionDescription {
	let end = text.length;
	while (end > 0 && text.charCodeAt(end - 1) === 0x0a) end -= end > 1 && text.charCodeAt(end - 2) === 0x0d ? 2 : 1;
	const first = text.indexOf(LF);
	const firstEnd = first < 0 || first >= end ? end : first > 0 && text.charCodeAt(first - 1) === 0x0d ? first - 1 : first;
	if (firstEnd !== 3 || !text.startsWith(V_0)) throw new SdpError("SDP must start with v=0");
	const session: SessionDescription = { origin: "", media: [] };
	let media: MediaDescription | undefined;
	for (let pos = 0; pos < end;) {
		const lf = text.indexOf(LF, pos);
		const next = lf < 0 || lf >= end ? end : lf;
		const lineEnd = next > pos && text.charCodeAt(next - 1) === 0x0d && next < end ? next - 1 : next;
		const type = text.charCodeAt(pos);
		if (lineEnd - pos < 2 || type < 0x61 || type > 0x7a || text.charCodeAt(pos + 1) !== 0x3d) {
			throw new SdpError(`malformed SDP line "${text.slice(pos, lineEnd < pos + 40 ? lineEnd : pos + 40)}"`);
		}
		const value = pos + 2;
		if (type === 0x6f) session.origin = text.slice(value, lineEnd); // o=
		else if (type === 0x63) { // c=
			if (media) media.connection = connectionAddress(text, value, lineEnd);
			else session.connection = connectionAddress(text, value, lineEnd);
		} else if (type === 0x6d) { // m=
			media = mediaLine(text, value, lineEnd);
			session.media.push(media);
		} else if (type === 0x61) { // a=
			let colon = text.indexOf(COLON, value);
			if (colon >= lineEnd) colon = -1;
			const nameEnd = colon < 0 ? lineEnd : colon, arg = colon < 0 ? lineEnd : colon + 1;
			let direction: Direction | undefined;
			// The four directions are eight characters long.
			if (nameEnd - value === 8) for (let k = 0; k < DIRECTIONS.length; k++) if (text.startsWith(DIRECTIONS[k], value)) direction = DIRECTIONS[k] as Direction;
			if (direction) {
				if (media) media.direction = direction;
				else session.direction = direction;
			} else if (media && isName(text, value, nameEnd, RTPMAP)) {
				rtpmap(media, text, arg, lineEnd);
			} else if (media && isName(text, value, nameEnd, FMTP)) {
				const pt = digitsEnd(text, arg, lineEnd), params = spaceEnd(text, pt, lineEnd);
				if (pt > arg && params > pt && oneLine(text, params, lineEnd)) media.fmtp.set(Number(text.slice(arg, pt)), text.slice(params, lineEnd));
			} else if (media && isName(text, value, nameEnd, PTIME) && isAllDigits(text, arg, lineEnd)) {
				media.ptime = Number(text.slice(arg, lineEnd));
			}
		}
		pos = next + 1;
	}
	if (!session.origin) throw new SdpError("SDP has no o= line");
	for (const m of session.media) {
		if (m.type === "audio" && m.port !== 0 && !m.connection && !session.connection) throw new SdpError("audio stream without a c= address");
	}
	return session;
}

/** The static payload types of the codecs (RFC 3551 §6), which the door's offer uses for them. */
const STATIC_PAYLOAD_TYPE: Record<AudioCodec, number> = Object.freeze({ PCMU: 0, PCMA: 8, G722: 9 });
/** The telephone-event payload type of the door's offer. */
const OFFER_EVENT_PAYLOAD_TYPE = 101;

/** The codec a payload type stands for in this media, if it is one we speak (G.722 only when `wideband`). */
function codecOf(media: MediaDescription, format: string, wideband: boolean): AudioCodec | undefined {
	if (!isAllDigits(format, 0, format.length)) return undefined;
	const pt = Number(format);
	const map = media.rtpmap.get(pt);
	let codec: AudioCodec | undefined;
	if (map) {
		const name = map.encoding.toUpperCase();
		if (map.clock === 8000 && map.channels === 1 && (name === "PCMU" || name === "PCMA" || name === "G722")) codec = name;
	} else {
		codec = pt === STATIC_PAYLOAD_TYPE.PCMU ? "PCMU" : pt === STATIC_PAYLOAD_TYPE.PCMA ? "PCMA" : pt === STATIC_PAYLOAD_TYPE.G722 ? "G722" : undefined;
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
	const { PCMU, PCMA, G722 } = STATIC_PAYLOAD_TYPE, event = OFFER_EVENT_PAYLOAD_TYPE;
	return header(local) +
		`m=audio ${local.port} RTP/AVP ${wide ? `${G722} ` : ""}${PCMU} ${PCMA} ${event}\r\n` +
		(wide ? `a=rtpmap:${G722} G722/8000\r\n` : "") +
		`a=rtpmap:${PCMU} PCMU/8000\r\na=rtpmap:${PCMA} PCMA/8000\r\na=rtpmap:${event} telephone-event/8000\r\na=fmtp:${event} 0-16\r\n` +
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
		const usable = !chosen && m.type === "audio" && m.port !== 0 && m.proto.toUpperCase() === "RTP/AVP" && isDottedQuad(address, 0, address.length);
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
		// The door's answer reuses the offer's numbers: it takes the ones it sends with.
		chosen = { remoteAddress: address, remotePort: m.port, payloadType: pt, codec, receivePayloadType: pt, direction, ptime };
		if (dtmf !== undefined) chosen.receiveDtmfPayloadType = dtmf;
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
	if (!isDottedQuad(address, 0, address.length)) return { error: `the answer's media address ${address} is no IPv4 address` };
	const theirs = m.direction ?? answer.direction ?? "sendrecv";
	const codec = codecOf(m, format, wideband)!;
	// The door sends with the answer's numbers and the peer with those of the door's offer
	// (buildOffer's; RFC 3264 §6.1, §5.1): an answer need not reuse the offer's numbers (only a
	// SHOULD). The answer's own numbers are not taken as well: they say what the peer receives
	// with, and it must not send a format the offer lacks (§8.3.2), so a number the door did not
	// offer means nothing here; the door takes two numbers, both its own.
	const media: NegotiatedMedia = {
		remoteAddress: address,
		remotePort: m.port,
		payloadType: Number(format),
		codec,
		receivePayloadType: STATIC_PAYLOAD_TYPE[codec],
		direction: OPPOSITE[theirs],
		ptime: sendPtime(m.ptime),
	};
	// Without telephone-event in the answer no events come (the door may stop listening for a format it dropped, §7).
	if (telephoneEvent(m) !== undefined) media.receiveDtmfPayloadType = OFFER_EVENT_PAYLOAD_TYPE;
	return media;
}
