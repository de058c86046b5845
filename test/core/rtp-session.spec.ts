import { test, group, assert } from "../lib/spec.js";
import { RtpSession, SSRC_TAKEOVER_MS, type RtpReceiver } from "../../rtp/rtp-session.js";
import { RtpHeader, parseRtp } from "../../rtp/rtp-packet.js";
import { MediaSession } from "../../rtp/media-session.js";
import type { NegotiatedMedia } from "../../sip/sdp.js";
import { FakeClock } from "../lib/fake-clock.js";
import { seededRandom } from "../lib/fake-udp.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp, rtpPacket, filled } from "../lib/rtp-fixtures.js";

const PEER = { address: "127.0.0.2", port: 7078 };
const MEDIA: NegotiatedMedia = { remoteAddress: PEER.address, remotePort: PEER.port, payloadType: 0, codec: "PCMU", receivePayloadType: 0, receiveDtmfPayloadType: 101, direction: "sendrecv", ptime: 20 };

class Collect implements RtpReceiver {
	audio: number[] = [];
	events = 0;
	newSources = 0;
	onAudio(_packet: Uint8Array, header: RtpHeader): void {
		this.audio.push(header.sequence);
	}
	onEvent(): void {
		this.events++;
	}
	onNewSource(): void {
		this.newSources++;
	}
}

function rig(): { clock: FakeClock; socket: MemoryUdp; rtp: RtpSession; got: Collect; from: (seq: number, ssrc?: number, address?: string, port?: number, pt?: number) => void } {
	const clock = new FakeClock();
	const socket = new MemoryUdp(40000);
	const rtp = new RtpSession(socket, seededRandom(9), clock);
	rtp.configure(MEDIA);
	const got = new Collect();
	socket.onReadable = () => rtp.receive(got);
	const from = (seq: number, ssrc = 0xaaaa, address = PEER.address, port = PEER.port, pt = 0) =>
		socket.deliver(rtpPacket({ sequence: seq, timestamp: seq * 160, ssrc, payloadType: pt, payload: filled(160, 0xff) }), address, port);
	return { clock, socket, rtp, got, from };
}

function sent(socket: MemoryUdp): RtpHeader[] {
	return socket.written.map((w) => {
		const h = new RtpHeader();
		assert.equal(parseRtp(w.bytes, w.bytes.length, h), "");
		return h;
	});
}

group("RTP session", () => {
	test("only the SDP's address and port get through; everything else is dropped and counted", () => {
		const r = rig();
		r.from(1);
		r.from(2, 0xaaaa, "127.0.0.3");
		r.from(3, 0xaaaa, PEER.address, PEER.port + 1);
		r.from(4, 0xaaaa, "127.0.0.20", PEER.port);
		r.from(5);
		assert.deepEqual(r.got.audio, [1, 5]);
		assert.equal(r.rtp.counters.dropped_source, 3);
		assert.equal(r.rtp.counters.packets_received, 5);
		assert.equal(r.rtp.lastDrop, "not from the negotiated RTP peer: 127.0.0.20:7078");
	});

	test("the first SSRC from the peer is latched; another one is dropped until the first has been quiet for a second", () => {
		const r = rig();
		r.from(1, 0x1111);
		r.from(2, 0x2222);
		r.clock.advance(SSRC_TAKEOVER_MS - 1);
		r.from(3, 0x2222);
		assert.deepEqual(r.got.audio, [1]);
		assert.equal(r.rtp.counters.dropped_ssrc, 2);
		assert.equal(r.rtp.remoteSsrc, 0x1111);
		r.clock.advance(SSRC_TAKEOVER_MS);
		r.from(4, 0x2222);
		r.from(5, 0x1111);
		assert.deepEqual(r.got.audio, [1, 4]);
		assert.equal(r.rtp.remoteSsrc, 0x2222);
		assert.equal(r.rtp.counters.ssrc_changes, 1);
		assert.equal(r.got.newSources, 2);
		assert.equal(r.rtp.counters.dropped_ssrc, 3);
	});

	test("payload types other than the codec and telephone-event are dropped; malformed packets are counted, never thrown", () => {
		const r = rig();
		r.from(1, 0xaaaa, PEER.address, PEER.port, 8);
		r.from(2, 0xaaaa, PEER.address, PEER.port, 13);
		r.from(3, 0xaaaa, PEER.address, PEER.port, 101);
		r.socket.deliver(new Uint8Array([0x80, 0]), PEER.address, PEER.port);
		r.socket.deliver(new Uint8Array(0), PEER.address, PEER.port);
		const bad = rtpPacket({ sequence: 4, timestamp: 0, payload: filled(10, 0) });
		bad[0] = 0x40;
		r.socket.deliver(bad, PEER.address, PEER.port);
		assert.equal(r.rtp.counters.dropped_payload_type, 2);
		assert.equal(r.rtp.counters.dropped_malformed, 3);
		assert.equal(r.got.events, 1);
		assert.equal(r.rtp.lastDrop, "not RTP version 2: 127.0.0.2:7078");
	});

	test("a re-INVITE to a new peer latches anew; one to the same peer keeps the SSRC", () => {
		const r = rig();
		r.from(1, 0x1111);
		r.rtp.configure({ ...MEDIA, payloadType: 8, receivePayloadType: 8 });
		r.from(2, 0x1111, PEER.address, PEER.port, 8);
		assert.equal(r.got.newSources, 1);
		r.rtp.configure({ ...MEDIA, remotePort: 7080 });
		r.from(3, 0x3333, PEER.address, 7080);
		r.from(4, 0x3333);
		assert.deepEqual(r.got.audio, [1, 2, 3]);
		assert.equal(r.got.newSources, 2);
		assert.equal(r.rtp.counters.dropped_source, 1);
	});

	test("random SSRC, sequence and timestamp; 50 packets a second of 160 samples; marker on the first only", () => {
		const clock = new FakeClock();
		const a = new MemoryUdp(40000), b = new MemoryUdp(40000);
		const one = new MediaSession({ audio: referenceAudio, socket: a, clock, random: seededRandom(1) });
		const two = new MediaSession({ audio: referenceAudio, socket: b, clock, random: seededRandom(2) });
		one.start(MEDIA);
		two.start(MEDIA);
		clock.advance(1000);
		const h = sent(a), k = sent(b);
		assert.equal(h.length, 51, "frames 0-50 in the first second");
		assert.notEqual(h[0].ssrc, k[0].ssrc);
		assert.notEqual(h[0].sequence, k[0].sequence);
		assert.notEqual(h[0].timestamp, k[0].timestamp);
		for (let i = 1; i < h.length; i++) {
			assert.equal(h[i].sequence, (h[0].sequence + i) & 0xffff);
			assert.equal(h[i].timestamp, (h[0].timestamp + 160 * i) >>> 0);
			assert.equal(h[i].ssrc, h[0].ssrc);
			assert.equal(h[i].marker, false);
			assert.equal(h[i].payloadLength, 160);
		}
		assert.equal(h[0].marker, true);
		assert.equal(h[0].payloadType, 0);
		for (const w of a.written) assert.equal(`${w.address}:${w.port}`, "127.0.0.2:7078");
		one.stop();
		two.stop();
		assert.equal(clock.pending, 0, "stop leaves no timer");
	});

	test("direction and hold: recvonly and inactive send nothing, a held peer (0.0.0.0) gets nothing, resuming sets the marker", () => {
		const clock = new FakeClock();
		const socket = new MemoryUdp(40000);
		const m = new MediaSession({ audio: referenceAudio, socket, clock, random: seededRandom(4) });
		m.start({ ...MEDIA, direction: "recvonly" });
		clock.advance(200);
		assert.equal(socket.written.length, 0);
		m.update({ ...MEDIA, remoteAddress: "0.0.0.0", direction: "sendrecv" });
		clock.advance(200);
		assert.equal(socket.written.length, 0);
		m.update({ ...MEDIA, direction: "inactive" });
		clock.advance(200);
		assert.equal(socket.written.length, 0);
		m.update({ ...MEDIA, codec: "PCMA", payloadType: 8, receivePayloadType: 8, direction: "sendonly" });
		clock.advance(100);
		const h = sent(socket);
		assert.ok(h.length >= 5);
		assert.equal(h[0].marker, true);
		assert.equal(h[1].marker, false);
		assert.equal(h[0].payloadType, 8);
		// Silence in A-law is 0xd5.
		assert.equal(socket.written[1].bytes[12], 0xd5);
		m.stop();
	});

	test("a=ptime 10: a hold between a frame's halves sends no second half (recvonly, inactive, a peer of 0.0.0.0)", () => {
		for (const hold of [{ direction: "recvonly" }, { direction: "inactive" }, { remoteAddress: "0.0.0.0" }] as const) {
			const clock = new FakeClock();
			const socket = new MemoryUdp(40000);
			const m = new MediaSession({ audio: referenceAudio, socket, clock, random: seededRandom(4) });
			m.start({ ...MEDIA, ptime: 10 });
			clock.advance(101); // a frame's first half has just left
			const before = socket.written.length;
			assert.equal(before % 2, 1, "the last packet sent is a frame's first half");
			m.update({ ...MEDIA, ptime: 10, ...hold });
			clock.advance(200);
			assert.deepEqual(socket.written.slice(before).map((w) => `${w.address}:${w.port}`), [], JSON.stringify(hold));
			m.stop();
		}
	});

	test("a socket that refuses a write is counted; the clock keeps going", () => {
		const clock = new FakeClock();
		const socket = new MemoryUdp(40000);
		let refuse = true;
		const write = socket.write.bind(socket);
		socket.write = (data, address, port) => {
			if (refuse) throw new Error("queue full");
			write(data, address, port);
		};
		const m = new MediaSession({ audio: referenceAudio, socket, clock, random: seededRandom(5) });
		m.start(MEDIA);
		clock.advance(100);
		refuse = false;
		clock.advance(100);
		const status = m.status();
		assert.equal(status.send_errors, 6);
		assert.equal(status.packets_sent, 5);
		m.stop();
	});
});
