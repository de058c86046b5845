import { test, group, assert } from "../lib/spec.js";
import { RtpSession, MAX_DATAGRAM_BYTES, DATAGRAM_TOO_LONG, type RtpReceiver } from "../../rtp/rtp-session.js";
import type { RtpHeader } from "../../rtp/rtp-packet.js";
import { MediaSession } from "../../rtp/media-session.js";
import type { NativeAudio } from "../../modules/native-audio.js";
import type { NegotiatedMedia } from "../../sip/sdp.js";
import { FakeClock } from "../lib/fake-clock.js";
import { seededRandom } from "../lib/fake-udp.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp, rtpPacket, filled } from "../lib/rtp-fixtures.js";

const PEER = { address: "127.0.0.2", port: 7078 };
const MEDIA: NegotiatedMedia = { remoteAddress: PEER.address, remotePort: PEER.port, payloadType: 0, codec: "PCMU", receivePayloadType: 0, receiveDtmfPayloadType: 101, direction: "sendrecv", ptime: 20 };

/** Notes each buffer it is handed and what the header said of the payload. */
class Buffers implements RtpReceiver {
	packets: Uint8Array[] = [];
	payloads: Array<{ offset: number; length: number; first: number; last: number }> = [];
	onAudio(packet: Uint8Array, header: RtpHeader): void {
		this.#note(packet, header);
	}
	onEvent(packet: Uint8Array, header: RtpHeader): void {
		this.#note(packet, header);
	}
	onNewSource(): void {}
	#note(packet: Uint8Array, header: RtpHeader): void {
		if (this.packets.indexOf(packet) < 0) this.packets.push(packet);
		const end = header.payloadOffset + header.payloadLength;
		this.payloads.push({ offset: header.payloadOffset, length: header.payloadLength, first: packet[header.payloadOffset], last: packet[end - 1] });
	}
}

function rig(): { socket: MemoryUdp; rtp: RtpSession; got: Buffers; copies: { calls: number; targets: Uint8Array[] } } {
	const socket = new MemoryUdp(40000);
	const copies = { calls: 0, targets: [] as Uint8Array[] };
	const copier = {
		copyBytes(source: ArrayBuffer, target: Uint8Array): number {
			copies.calls++;
			if (copies.targets.indexOf(target) < 0) copies.targets.push(target);
			return referenceAudio.copyBytes(source, target);
		},
	};
	const rtp = new RtpSession(socket, seededRandom(3), new FakeClock(), 160, copier);
	rtp.configure(MEDIA);
	const got = new Buffers();
	socket.onReadable = () => rtp.receive(got);
	return { socket, rtp, got, copies };
}

group("RTP receive buffer", () => {
	test("every datagram is copied into one buffer, and every packet reaches the receiver in it", () => {
		const r = rig();
		for (let i = 0; i < 50; i++) r.socket.deliver(rtpPacket({ sequence: i, timestamp: i * 160, ssrc: 7, payload: filled(160, i) }), PEER.address, PEER.port);
		assert.equal(r.rtp.counters.audio_received, 50);
		assert.equal(r.copies.calls, 50);
		assert.equal(r.copies.targets.length, 1, "one copy target");
		assert.equal(r.got.packets.length, 1, "one packet buffer for all 50 packets");
		assert.equal(r.got.packets[0].length, 172, "a plain 20 ms packet comes as a view of its own length");
		assert.equal(r.got.payloads[49].first, 49, "the last packet's bytes, not an earlier one's");
	});

	test("packets of other sizes after a longer one are read from their own length (padding, 10 ms)", () => {
		const r = rig();
		r.socket.deliver(rtpPacket({ sequence: 1, timestamp: 0, ssrc: 7, payload: filled(800, 0x11) }), PEER.address, PEER.port);
		// 80 bytes of audio and 3 bytes of padding (count in the last byte).
		const padded = rtpPacket({ sequence: 2, timestamp: 800, ssrc: 7, payload: new Uint8Array([...filled(80, 0x22), 0, 0, 3]) });
		padded[0] |= 0x20;
		r.socket.deliver(padded, PEER.address, PEER.port);
		r.socket.deliver(rtpPacket({ sequence: 3, timestamp: 880, ssrc: 7, payload: filled(80, 0x33) }), PEER.address, PEER.port);
		assert.deepEqual(r.got.payloads, [
			{ offset: 12, length: 800, first: 0x11, last: 0x11 },
			{ offset: 12, length: 80, first: 0x22, last: 0x22 },
			{ offset: 12, length: 80, first: 0x33, last: 0x33 },
		]);
		assert.equal(r.rtp.counters.dropped_malformed, 0);
	});

	test(`a datagram longer than ${MAX_DATAGRAM_BYTES} bytes is dropped as malformed, naming the reason`, () => {
		const r = rig();
		r.socket.deliver(rtpPacket({ sequence: 1, timestamp: 0, ssrc: 7, payload: filled(MAX_DATAGRAM_BYTES, 0xff) }), PEER.address, PEER.port);
		assert.equal(r.rtp.counters.dropped_malformed, 1);
		assert.equal(r.rtp.lastDrop, `${DATAGRAM_TOO_LONG}: ${PEER.address}:${PEER.port}`);
		r.socket.deliver(rtpPacket({ sequence: 2, timestamp: 160, ssrc: 7, payload: filled(160, 0xff) }), PEER.address, PEER.port);
		assert.equal(r.rtp.counters.audio_received, 1, "the next packet is taken");
	});

	test("a media session reads every datagram through its NativeAudio's copyBytes into one buffer", () => {
		const targets: Uint8Array[] = [];
		let calls = 0;
		const audio: NativeAudio = { ...referenceAudio, copyBytes: (source, target) => (calls++, targets.indexOf(target) < 0 && targets.push(target), referenceAudio.copyBytes(source, target)) };
		const clock = new FakeClock();
		const socket = new MemoryUdp(40000);
		const session = new MediaSession({ audio, socket, clock, random: seededRandom(5) });
		session.start(MEDIA, 0);
		for (let i = 0; i < 20; i++) {
			socket.deliver(rtpPacket({ sequence: i, timestamp: i * 160, ssrc: 9, payload: filled(160, 0xff) }), PEER.address, PEER.port);
			clock.advance(20);
		}
		assert.equal(calls, 20);
		assert.equal(targets.length, 1);
		assert.ok(session.status().frames_played > 10);
		session.stop();
	});
});
