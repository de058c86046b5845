import { test, group, assert } from "../lib/spec.js";
import { RtpSession, FOREIGN_DTMF_SOURCES, type RtpReceiver } from "../../rtp/rtp-session.js";
import { writeTelephoneEvent } from "../../rtp/telephone-event.js";
import type { NegotiatedMedia } from "../../sip/sdp.js";
import { FakeClock } from "../lib/fake-clock.js";
import { seededRandom } from "../lib/fake-udp.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp, rtpPacket, filled } from "../lib/rtp-fixtures.js";
import { RelayPulse } from "../../hardware/relay-pulse.js";
import { doorEventLog } from "../lib/door-event-log.js";
import { DoorOpener, MAX_FOREIGN_DTMF_EVENTS, type DoorCall } from "../../door/door-opener.js";
import { MemoryStore } from "../lib/app-harness.js";
import { memoryLogger } from "../lib/memory-logger.js";

const PEER = { address: "192.168.178.20", port: 7078 };
const MEDIA: NegotiatedMedia = { remoteAddress: PEER.address, remotePort: PEER.port, payloadType: 0, codec: "PCMU", receivePayloadType: 0, receiveDtmfPayloadType: 101, direction: "sendrecv", ptime: 20 };

class Told implements RtpReceiver {
	told: string[] = [];
	audio = 0;
	onAudio(): void {
		this.audio++;
	}
	onEvent(): void {}
	onNewSource(): void {}
	onForeignEvent(address: string, port: number, more: boolean): void {
		this.told.push(`${address}:${port}${more ? " and more" : ""}`);
	}
}

function rig(media: NegotiatedMedia = MEDIA, copier: boolean = true) {
	const socket = new MemoryUdp(40000);
	const rtp = new RtpSession(socket, seededRandom(4), new FakeClock(), 160, copier ? referenceAudio : undefined);
	rtp.configure(media);
	const got = new Told();
	socket.onReadable = () => rtp.receive(got);
	let seq = 0;
	const key = (code: number, address: string, port: number, pt = 101) => {
		const payload = new Uint8Array(4);
		writeTelephoneEvent(payload, 0, code, false, 10, 160);
		socket.deliver(rtpPacket({ payloadType: pt, sequence: seq++, timestamp: seq * 160, ssrc: 0x55, payload }), address, port);
	};
	return { socket, rtp, got, key };
}

group("DTMF from an unexpected RTP source", () => {
	for (const copier of [true, false]) {
		test(`a telephone-event from another source is told once per source, without its digit${copier ? "" : " (no copier)"}`, () => {
			const r = rig(MEDIA, copier);
			for (let i = 0; i < 30; i++) r.key(i % 10, "192.168.178.66", 5004);
			r.key(1, "192.168.178.66", 5006);
			assert.deepEqual(r.got.told, ["192.168.178.66:5004", "192.168.178.66:5006"]);
			assert.equal(r.rtp.counters.foreign_dtmf, 31);
			assert.equal(r.rtp.counters.dropped_source, 31);
			assert.equal(r.rtp.counters.events_received, 0, "none reaches the detector");
		});
	}

	test("audio, other payload types, non-DTMF events and malformed packets from elsewhere are only counted", () => {
		const r = rig();
		r.socket.deliver(rtpPacket({ payloadType: 0, sequence: 1, timestamp: 160, ssrc: 1, payload: filled(160, 0xff) }), "192.168.178.66", 5004);
		r.key(1, "192.168.178.66", 5004, 96);
		r.key(16, "192.168.178.66", 5004); // flash, not a key
		r.socket.deliver(new Uint8Array([0x80, 101, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 5]), "192.168.178.66", 5004); // 1-byte payload
		r.socket.deliver(new Uint8Array([0x40, 101, 0, 1]), "192.168.178.66", 5004);
		assert.deepEqual(r.got.told, []);
		assert.equal(r.rtp.counters.dropped_source, 5);
		assert.equal(r.rtp.counters.foreign_dtmf, 0);
	});

	test(`after ${FOREIGN_DTMF_SOURCES} sources the rest are told once together, then nothing more`, () => {
		const r = rig();
		for (let port = 6000; port < 6100; port++) for (let k = 0; k < 3; k++) r.key(5, "192.168.178.66", port);
		assert.deepEqual(r.got.told, ["192.168.178.66:6000", "192.168.178.66:6001", "192.168.178.66:6002", "192.168.178.66:6003", "192.168.178.66:6004 and more"]);
		assert.equal(r.rtp.counters.foreign_dtmf, 300);
	});

	test("nothing is told without a negotiated telephone-event, and the peer's own digits are not foreign", () => {
		const r = rig({ ...MEDIA, receiveDtmfPayloadType: undefined });
		r.key(1, "192.168.178.66", 5004);
		assert.deepEqual(r.got.told, []);
		const p = rig();
		p.key(1, PEER.address, PEER.port);
		assert.deepEqual(p.got.told, []);
		assert.equal(p.rtp.counters.events_received, 1);
	});
});

group("door events for DTMF from an unexpected RTP source", () => {
	function opener() {
		const clock = new FakeClock();
		const lines: string[] = [];
		const log = memoryLogger(lines);
		const relay = new RelayPulse({ write() {}, close() {} }, clock, log);
		const events = doorEventLog(() => 1_780_000_000_000 + clock.now(), undefined, clock).doorEvents;
		const door = new DoorOpener({ clock, log, relay, events, store: new MemoryStore(), pbx: () => ({ address: "192.168.178.1", port: 5060 }) });
		return { door, events, lines };
	}
	const call = (id: string): DoorCall => ({ state: "answered", peer: '"Küche" <sip:611@fritz.box>', peerAddress: "192.168.178.1", peerPort: 5060, callId: id, media: { remoteAddress: PEER.address, remotePort: PEER.port } });

	test("each told source is an ignored event with the source, the peer and the caller, never a digit", () => {
		const o = opener();
		o.door.foreignDtmf(call("c1"), { address: "192.168.178.66", port: 5004 }, false);
		const [event] = o.events.last(20);
		assert.equal(event.kind, "ignored");
		assert.equal(event.via, "rtp");
		assert.equal(event.caller, '"Küche" <sip:611@fritz.box>');
		assert.equal(event.call_id, "c1");
		assert.equal(event.reason, "DTMF from an unexpected RTP source 192.168.178.66:5004 (negotiated peer 192.168.178.20:7078)");
		assert.ok(o.lines.some((l) => l.startsWith("warn door: ignored: DTMF from an unexpected RTP source 192.168.178.66:5004")));
	});

	test(`at most ${MAX_FOREIGN_DTMF_EVENTS} such events per call, the last saying that no more are recorded; a new call starts again`, () => {
		const o = opener();
		const c1 = call("c1");
		for (let port = 5000; port < 5050; port++) o.door.foreignDtmf(c1, { address: "192.168.178.66", port }, port >= 5004);
		const first = o.events.last(50);
		assert.equal(first.length, MAX_FOREIGN_DTMF_EVENTS);
		assert.match(first[MAX_FOREIGN_DTMF_EVENTS - 1].reason, /^DTMF from further unexpected RTP sources \(last 192\.168\.178\.66:5004\); no more are recorded in this call$/);
		o.door.foreignDtmf(call("c2"), { address: "192.168.178.66", port: 5004 }, false);
		assert.equal(o.events.last(50).length, MAX_FOREIGN_DTMF_EVENTS + 1);
	});
});
