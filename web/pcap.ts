/*
 * The SIP trace as a capture file that Wireshark and tshark open: classic pcap (LINKTYPE_IPV4,
 * no link layer), each message in an IPv4/UDP frame between the door and the other end. The
 * payload is the message as the trace keeps it (redacted, headers only), so a capture never
 * carries more than the page shows. UDP checksums are 0 ("none"), which IPv4 allows.
 */

import type { TraceEntry } from "../sip/trace-log.js";
import { encodeUtf8 } from "../modules/text.js";

const LINKTYPE_IPV4 = 228;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;
const IP_HEADER = 20;
const UDP_HEADER = 8;

/** A pcap file of the entries; `local` is the door's own IPv4 address. */
export function tracePcap(entries: readonly TraceEntry[], local: string): ArrayBuffer {
	const payloads = entries.map((e) => encodeUtf8(sipPart(e.text)));
	let size = FILE_HEADER;
	for (const p of payloads) size += RECORD_HEADER + IP_HEADER + UDP_HEADER + p.length;
	const file = new ArrayBuffer(size);
	const out = new Uint8Array(file);
	const view = new DataView(file);
	view.setUint32(0, 0xa1b2c3d4, true); // microsecond time stamps, little-endian file
	view.setUint16(4, 2, true);
	view.setUint16(6, 4, true);
	view.setUint32(16, 65535, true); // snap length
	view.setUint32(20, LINKTYPE_IPV4, true);
	const door = ipv4(local);
	let at = FILE_HEADER;
	entries.forEach((e, i) => {
		const payload = payloads[i];
		const length = IP_HEADER + UDP_HEADER + payload.length;
		// Wall-clock time when known, else time since start (the capture then begins in 1970).
		const ms = e.time || e.uptime;
		view.setUint32(at, Math.floor(ms / 1000), true);
		view.setUint32(at + 4, Math.floor(ms % 1000) * 1000, true);
		view.setUint32(at + 8, length, true);
		view.setUint32(at + 12, length, true);
		at += RECORD_HEADER;
		const other = ipv4(e.address);
		const ip = at;
		out[ip] = 0x45; // version 4, 5 words of header
		view.setUint16(ip + 2, length);
		view.setUint16(ip + 4, i & 0xffff); // identification
		out[ip + 8] = 64; // TTL
		out[ip + 9] = 17; // UDP
		out.set(e.out ? door : other, ip + 12);
		out.set(e.out ? other : door, ip + 16);
		view.setUint16(ip + 10, checksum(out, ip, IP_HEADER));
		const udp = ip + IP_HEADER;
		view.setUint16(udp, e.out ? e.localPort : e.port);
		view.setUint16(udp + 2, e.out ? e.port : e.localPort);
		view.setUint16(udp + 4, UDP_HEADER + payload.length);
		out.set(payload, udp + UDP_HEADER);
		at = udp + UDP_HEADER + payload.length;
	});
	return file;
}

/** The message without the trace's note about the body: what stays is plain SIP. */
function sipPart(text: string): string {
	const end = text.indexOf("\r\n\r\n");
	return end < 0 ? text : text.slice(0, end + 4);
}

/** The four bytes of a dotted IPv4 address; 0.0.0.0 for anything else (a name). */
function ipv4(address: string): Uint8Array {
	const bytes = new Uint8Array(4);
	const parts = address.split(".");
	if (parts.length !== 4) return bytes;
	for (let i = 0; i < 4; i++) {
		const n = Number(parts[i]);
		if (!(n >= 0 && n <= 255) || parts[i] === "") return new Uint8Array(4);
		bytes[i] = n;
	}
	return bytes;
}

/** The Internet checksum (RFC 1071) of `length` bytes from `start`. */
function checksum(bytes: Uint8Array, start: number, length: number): number {
	let sum = 0;
	for (let i = start; i < start + length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
	while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
	return ~sum & 0xffff;
}
