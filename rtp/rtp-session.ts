/*
 * One RTP stream pair over a UDP socket (RFC 3550): our random SSRC, sequence and timestamp
 * origin, the packet we send (one buffer, reused), and the checks a received packet passes
 * before anything looks at its payload: the peer's address and port from the SDP, a sane
 * header, a payload type that was negotiated (the codec or telephone-event, numbered as in the
 * door's SDP, which may differ from the numbers it sends with), and the SSRC first seen from
 * that peer. Everything else is dropped and counted.
 *
 * A dropped packet from another source that is a DTMF key in the call's telephone-event payload
 * type (RTP version 2, that payload type, an event code 0-15) is someone trying digits from
 * elsewhere: it is told to the receiver once per source, for at most FOREIGN_DTMF_SOURCES
 * sources and then once more for all further ones, so a flood costs no more than a compare.
 * Audio or anything else from elsewhere is only counted (a stale stream is no door attempt).
 */

import type { Clock, Datagram, RandomBytes, UdpSocket } from "../modules/ports.js";
import { RtpHeader, RTP_HEADER_BYTES, RTP_OK, parseRtp, writeRtpHeader } from "./rtp-packet.js";

/** A new SSRC from the latched address is taken over once the old one has been quiet this long. */
export const SSRC_TAKEOVER_MS = 1000;

/** The longest datagram read into the session's receive buffer (an Ethernet MTU's worth). */
export const MAX_DATAGRAM_BYTES = 1500;
export const DATAGRAM_TOO_LONG = `datagram longer than ${MAX_DATAGRAM_BYTES} bytes`;

/** Foreign sources of telephone-events told one by one per session; further ones are told once together. */
export const FOREIGN_DTMF_SOURCES = 4;

/**
 * What copies the first bytes of a datagram (as many as fit) into `target` and returns its
 * length: the NativeAudio. Without one, each datagram is read through a new view of it.
 */
export interface ByteCopier {
	copyBytes(source: ArrayBuffer, target: Uint8Array): number;
}

export interface RtpCounters {
	packets_sent: number;
	packets_received: number;
	/** Audio and telephone-event packets that passed every check. */
	audio_received: number;
	events_received: number;
	dropped_source: number;
	dropped_ssrc: number;
	dropped_malformed: number;
	dropped_payload_type: number;
	/** Of dropped_source: telephone-event packets (DTMF keys) from a source other than the peer. */
	foreign_dtmf: number;
	ssrc_changes: number;
	send_errors: number;
}

/** What a session tells its owner about accepted packets. */
export interface RtpReceiver {
	/**
	 * `packet` holds the datagram from its start; it may be longer than the datagram (the payload
	 * is `header.payloadOffset`, `header.payloadLength`) and is reused for the next one: copy what
	 * must be kept.
	 */
	onAudio(packet: Uint8Array, header: RtpHeader, arrivalMs: number): void;
	onEvent(packet: Uint8Array, header: RtpHeader, arrivalMs: number): void;
	/** A new SSRC was latched: per-stream state (jitter buffer, event de-duplication) starts over. */
	onNewSource(): void;
	/**
	 * DTMF from a source other than the negotiated peer (the digit is not told): once per source,
	 * `more` when the sources past FOREIGN_DTMF_SOURCES begin (then nothing more is told).
	 */
	onForeignEvent?(address: string, port: number, more: boolean): void;
}

/** Where packets go, the payload type they go with, and the ones taken (which may differ: see NegotiatedMedia). */
export interface RtpPeerMedia {
	remoteAddress: string;
	remotePort: number;
	payloadType: number;
	receivePayloadType: number;
	receiveDtmfPayloadType?: number;
}

function random32(bytes: Uint8Array, at: number): number {
	return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

export class RtpSession {
	readonly counters: RtpCounters = {
		packets_sent: 0, packets_received: 0, audio_received: 0, events_received: 0,
		dropped_source: 0, dropped_ssrc: 0, dropped_malformed: 0, dropped_payload_type: 0,
		foreign_dtmf: 0, ssrc_changes: 0, send_errors: 0,
	};
	/** Why the last packet was dropped, and who sent it (kept apart: a flood allocates nothing). */
	lastDropReason = "";
	lastDropAddress = "";
	lastDropPort = 0;
	readonly ssrc: number;
	/** Our timestamp for frame 0. */
	readonly timestampOrigin: number;
	/** The payload area of the packet we send (write into it, then `send`); `sizePayload` replaces it. */
	payload!: Uint8Array;
	/** The peer as a (reused) object, for digit callbacks. */
	readonly peer = { address: "", port: 0 };
	#socket: UdpSocket;
	#clock: Clock;
	// #packet, #sent and payload are set by #makePacket, from the constructor on.
	#packet!: Uint8Array;
	/** The view of #packet last sent: made again only when the payload length changes (a new ptime). */
	#sent!: Uint8Array;
	#sequence: number;
	#payloadType = 0;
	#receivePayloadType = 0;
	#dtmfPayloadType = -1;
	#header = new RtpHeader();
	#latched = false;
	#remoteSsrc = 0;
	#lastFromSsrc = 0;
	#hasPeer = false;
	/** Foreign DTMF sources told so far (FOREIGN_DTMF_SOURCES + 1 once the rest were told together). */
	#foreignTold = 0;
	#foreignAddress: string[] = [];
	#foreignPort: number[] = [];
	#copier: ByteCopier | undefined;
	/** Where each datagram is copied (with `copy`), and its first bytes as a view of a plain packet's length. */
	#rx: Uint8Array | undefined;
	#rxPlain: Uint8Array | undefined;

	/**
	 * `payloadBytes`: a plain packet's payload (one frame), received through the view of that
	 * length; `maxPayloadBytes`: the longest payload sent (the payload area's size).
	 */
	constructor(socket: UdpSocket, random: RandomBytes, clock: Clock, payloadBytes = 160, copier?: ByteCopier, maxPayloadBytes = payloadBytes) {
		this.#socket = socket;
		this.#clock = clock;
		if (copier) {
			this.#copier = copier;
			this.#rx = new Uint8Array(MAX_DATAGRAM_BYTES);
			this.#rxPlain = this.#rx.subarray(0, RTP_HEADER_BYTES + payloadBytes);
		}
		const seed = new Uint8Array(10);
		random(seed);
		this.ssrc = random32(seed, 0);
		this.timestampOrigin = random32(seed, 4);
		this.#sequence = (seed[8] << 8) | seed[9];
		this.#makePacket(Math.max(payloadBytes, maxPayloadBytes));
	}

	/**
	 * Gives the payload area `bytes` (the longest payload sent, for the negotiated packet time):
	 * a new area when its size changes, whose bytes start at zero. A call's packet time rarely
	 * changes, so the area is sized for the one in use rather than for the longest allowed.
	 */
	sizePayload(bytes: number): void {
		if (this.payload.length !== bytes) this.#makePacket(bytes);
	}

	/** A new packet to send with a payload area of `payloadBytes`, all zero. */
	#makePacket(payloadBytes: number): void {
		this.#packet = new Uint8Array(RTP_HEADER_BYTES + payloadBytes);
		this.payload = this.#packet.subarray(RTP_HEADER_BYTES);
		this.#sent = this.#packet;
	}

	/** The sequence number the next packet gets. */
	get sequence(): number {
		return this.#sequence;
	}

	/** The SSRC latched from the peer, if any. */
	get remoteSsrc(): number | undefined {
		return this.#latched ? this.#remoteSsrc : undefined;
	}

	/** Sets (or, after a re-INVITE, changes) the peer and the payload types; a new peer is latched anew. */
	configure(media: RtpPeerMedia): void {
		if (media.remoteAddress !== this.peer.address || media.remotePort !== this.peer.port) this.#latched = false;
		this.peer.address = media.remoteAddress;
		this.peer.port = media.remotePort;
		// Worked out here, not per packet (XS copies each string literal of run-time code it evaluates).
		this.#hasPeer = media.remotePort !== 0 && media.remoteAddress !== "" && media.remoteAddress !== "0.0.0.0";
		this.#payloadType = media.payloadType;
		this.#receivePayloadType = media.receivePayloadType;
		// Never a default of 0: that would take every PCMU packet for an event.
		this.#dtmfPayloadType = media.receiveDtmfPayloadType ?? -1;
	}

	/** True when the SDP gave somewhere to send to (not 0.0.0.0 or port 0, as for hold). */
	get hasPeer(): boolean {
		return this.#hasPeer;
	}

	/** Sends the first `payloadBytes` of the payload area (all of it by default) as the packet of RTP `timestamp`. */
	send(marker: boolean, timestamp: number, payloadBytes = this.payload.length): void {
		let packet = this.#sent;
		if (packet.length !== RTP_HEADER_BYTES + payloadBytes) packet = this.#sent = this.#packet.subarray(0, RTP_HEADER_BYTES + payloadBytes);
		writeRtpHeader(packet, marker, this.#payloadType, this.#sequence, timestamp >>> 0, this.ssrc);
		this.#sequence = (this.#sequence + 1) & 0xffff;
		try {
			this.#socket.write(packet, this.peer.address, this.peer.port);
			this.counters.packets_sent++;
		} catch {
			this.counters.send_errors++;
		}
	}

	/** Reads every waiting datagram and hands the accepted ones to `receiver`. */
	receive(receiver: RtpReceiver): void {
		for (;;) {
			const datagram = this.#socket.read();
			if (datagram === undefined) return;
			this.accept(datagram, receiver);
		}
	}

	/** Checks one datagram and hands it on if it passes. */
	accept(datagram: Datagram, receiver: RtpReceiver): void {
		const counters = this.counters;
		counters.packets_received++;
		if (datagram.address !== this.peer.address || datagram.port !== this.peer.port || !this.hasPeer) {
			counters.dropped_source++;
			this.#drop("not from the negotiated RTP peer", datagram);
			if (this.#dtmfPayloadType >= 0 && receiver.onForeignEvent) this.#foreign(datagram, receiver);
			return;
		}
		// With a copier the datagram is read into the one receive buffer (a plain packet is handed
		// on as the view of its length made once); otherwise through a new view of it.
		let packet: Uint8Array, length: number;
		const copier = this.#copier;
		if (copier) {
			length = copier.copyBytes(datagram, this.#rx!);
			if (length > MAX_DATAGRAM_BYTES) {
				counters.dropped_malformed++;
				this.#drop(DATAGRAM_TOO_LONG, datagram);
				return;
			}
			packet = length === this.#rxPlain!.length ? this.#rxPlain! : this.#rx!;
		} else {
			packet = new Uint8Array(datagram);
			length = packet.length;
		}
		const header = this.#header;
		const problem = parseRtp(packet, length, header);
		if (problem !== RTP_OK) {
			counters.dropped_malformed++;
			this.#drop(problem, datagram);
			return;
		}
		const pt = header.payloadType;
		if (pt !== this.#receivePayloadType && pt !== this.#dtmfPayloadType) {
			counters.dropped_payload_type++;
			this.#drop("payload type not negotiated", datagram);
			return;
		}
		const now = this.#clock.now();
		if (!this.#latched) {
			this.#latch(header.ssrc, now, receiver);
		} else if (header.ssrc !== this.#remoteSsrc) {
			if (now - this.#lastFromSsrc < SSRC_TAKEOVER_MS) {
				counters.dropped_ssrc++;
				this.#drop("SSRC other than the latched one", datagram);
				return;
			}
			counters.ssrc_changes++;
			this.#latch(header.ssrc, now, receiver);
		}
		this.#lastFromSsrc = now;
		if (pt === this.#receivePayloadType) {
			counters.audio_received++;
			receiver.onAudio(packet, header, now);
		} else {
			counters.events_received++;
			receiver.onEvent(packet, header, now);
		}
	}

	/** A packet from elsewhere: told when it is a DTMF key from a source not told yet. */
	#foreign(datagram: Datagram, receiver: RtpReceiver): void {
		let packet: Uint8Array, length: number;
		const copier = this.#copier;
		if (copier) {
			length = copier.copyBytes(datagram, this.#rx!);
			if (length > MAX_DATAGRAM_BYTES) return;
			packet = this.#rx!;
		} else {
			packet = new Uint8Array(datagram);
			length = packet.length;
		}
		const header = this.#header;
		if (parseRtp(packet, length, header) !== RTP_OK || header.payloadType !== this.#dtmfPayloadType) return;
		if (header.payloadLength < 4 || packet[header.payloadOffset] > 15) return;
		this.counters.foreign_dtmf++;
		const told = this.#foreignTold;
		if (told > FOREIGN_DTMF_SOURCES) return;
		const address = datagram.address, port = datagram.port;
		for (let i = 0; i < told; i++) if (this.#foreignPort[i] === port && this.#foreignAddress[i] === address) return;
		if (told < FOREIGN_DTMF_SOURCES) {
			this.#foreignAddress[told] = address;
			this.#foreignPort[told] = port;
		}
		this.#foreignTold = told + 1;
		receiver.onForeignEvent!(address, port, told === FOREIGN_DTMF_SOURCES);
	}

	#latch(ssrc: number, now: number, receiver: RtpReceiver): void {
		this.#latched = true;
		this.#remoteSsrc = ssrc;
		this.#lastFromSsrc = now;
		receiver.onNewSource();
	}

	#drop(reason: string, datagram: Datagram): void {
		this.lastDropReason = reason;
		this.lastDropAddress = datagram.address;
		this.lastDropPort = datagram.port;
	}

	/** The last drop in words, or "". */
	get lastDrop(): string {
		return this.lastDropReason ? `${this.lastDropReason}: ${this.lastDropAddress}:${this.lastDropPort}` : "";
	}
}
