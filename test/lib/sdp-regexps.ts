/*
 * The SDP reader as it was with RegExps, before its character scans: an oracle the scans are
 * compared with on many generated session descriptions (test/core/sdp-scan.spec.ts). Each
 * RegExp is made inside the function that uses it.
 */

import { SdpError, type Direction, type MediaDescription, type SessionDescription } from "../../sip/sdp.js";

const DIRECTIONS = ["sendrecv", "sendonly", "recvonly", "inactive"];

export function dottedQuad(address: string): boolean {
	return /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(address);
}

/** The address of a c= line: a dotted-quad IPv4 address or a host name (IP4), an IPv6 address (IP6). */
function connectionAddress(value: string): string {
	const m = /^IN\s+IP([46])\s+([^\s/]+)(?:\/\d+){0,2}\s*$/.exec(value);
	const address = m ? m[2] : "";
	if (!m || !(m[1] === "4" ? dottedQuad(address) || (/^[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9][A-Za-z0-9-]*)*$/.test(address) && /[A-Za-z]/.test(address)) : /^[0-9A-Fa-f:.]+$/.test(address) && address.includes(":"))) {
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

