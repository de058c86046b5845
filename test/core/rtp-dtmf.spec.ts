import { test, group, assert } from "../lib/spec.js";
import { TelephoneEventDetector, writeTelephoneEvent, DTMF_DIGITS } from "../../rtp/telephone-event.js";
import { MediaSession } from "../../rtp/media-session.js";
import { answerOffer, buildOffer, parseSdp, readAnswer, type NegotiatedMedia } from "../../sip/sdp.js";
import { FakeClock } from "../lib/fake-clock.js";
import { seededRandom } from "../lib/fake-udp.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp, rtpPacket, filled } from "../lib/rtp-fixtures.js";

function event(code: number, end: boolean, duration: number): Uint8Array {
	const payload = new Uint8Array(4);
	writeTelephoneEvent(payload, 0, code, end, 10, duration);
	return payload;
}

/** The packets a sender makes for one key press: start (marker optional), updates, three end packets. */
function keyPress(code: number, timestamp: number, marker: boolean): Array<{ marker: boolean; payload: Uint8Array; timestamp: number }> {
	const out = [{ marker, payload: event(code, false, 160), timestamp }];
	for (let d = 320; d <= 800; d += 160) out.push({ marker: false, payload: event(code, false, d), timestamp });
	for (let k = 0; k < 3; k++) out.push({ marker: false, payload: event(code, true, 960), timestamp });
	return out;
}

const PEER = { address: "127.0.0.2", port: 7078 };
const MEDIA: NegotiatedMedia = { remoteAddress: PEER.address, remotePort: PEER.port, payloadType: 0, codec: "PCMU", receivePayloadType: 0, receiveDtmfPayloadType: 101, direction: "sendrecv", ptime: 20 };

function session(media: NegotiatedMedia = MEDIA): { clock: FakeClock; socket: MemoryUdp; media: MediaSession; digits: string[]; sources: string[] } {
	const clock = new FakeClock();
	const socket = new MemoryUdp(40000);
	const m = new MediaSession({ audio: referenceAudio, socket, clock, random: seededRandom(3) });
	const digits: string[] = [], sources: string[] = [];
	m.onDigit = (digit, source) => {
		digits.push(digit);
		sources.push(`${source.address}:${source.port}`);
	};
	socket.onReadable = () => m.readable();
	m.start(media);
	return { clock, socket, media: m, digits, sources };
}

group("telephone-event", () => {
	test("one key press is one digit: the repeated end packets and updates are de-duplicated by timestamp", () => {
		const d = new TelephoneEventDetector();
		const seen: string[] = [];
		for (const p of keyPress(1, 8000, true)) {
			const digit = d.feed(p.payload, 0, 4, p.timestamp);
			if (digit) seen.push(digit);
		}
		assert.deepEqual(seen, ["1"]);
		assert.equal(d.repeats, 7, "8 packets, 1 event");
	});

	test("digits are found without the marker bit, and the same key twice is two digits", () => {
		const d = new TelephoneEventDetector();
		const seen: string[] = [];
		let ts = 1000;
		for (const code of [1, 1, 2, 3]) {
			for (const p of keyPress(code, ts, false)) {
				const digit = d.feed(p.payload, 0, 4, p.timestamp);
				if (digit) seen.push(digit);
			}
			ts += 1600;
		}
		assert.deepEqual(seen, ["1", "1", "2", "3"]);
	});

	test("a late packet of the last key, reordered behind the next key's start, is no digit (the code 12 stays 12)", () => {
		const d = new TelephoneEventDetector();
		const one = keyPress(1, 1000, true), two = keyPress(2, 2600, true);
		const late = one.pop()!; // its third end packet arrives after the next key began
		const seen: string[] = [];
		for (const p of [...one, two[0], late, ...two.slice(1)]) {
			const digit = d.feed(p.payload, 0, 4, p.timestamp);
			if (digit) seen.push(digit);
		}
		assert.deepEqual(seen, ["1", "2"]);
		assert.equal(d.events, 2);
		// Across the timestamp's wrap at 2^32 as well.
		const w = new TelephoneEventDetector();
		const before = keyPress(3, 0xfffff800, false), after = keyPress(4, 0x200, false);
		const wrapped: string[] = [];
		for (const p of [...before.slice(0, -1), after[0], before[before.length - 1], ...after.slice(1)]) {
			const digit = w.feed(p.payload, 0, 4, p.timestamp);
			if (digit) wrapped.push(digit);
		}
		assert.deepEqual(wrapped, ["3", "4"]);
	});

	test("another key with the same timestamp is a key press; a timestamp far behind is a sender that started over", () => {
		const d = new TelephoneEventDetector();
		const seen: string[] = [];
		// A sender whose RTP clock stood still between two keys (it sent no audio).
		for (const p of [...keyPress(1, 5000, true), ...keyPress(2, 5000, true)]) {
			const digit = d.feed(p.payload, 0, 4, p.timestamp);
			if (digit) seen.push(digit);
		}
		// Its clock started over, 10 s back.
		for (const p of keyPress(3, (5000 - 80000) >>> 0, true)) {
			const digit = d.feed(p.payload, 0, 4, p.timestamp);
			if (digit) seen.push(digit);
		}
		assert.deepEqual(seen, ["1", "2", "3"]);
	});

	test("codes 0-15 are 0-9 * # A-D; other events and short payloads are skipped", () => {
		const d = new TelephoneEventDetector();
		let all = "";
		for (let code = 0; code < 16; code++) all += d.feed(event(code, true, 800), 0, 4, code * 1000);
		assert.equal(all, "0123456789*#ABCD");
		assert.equal(all, DTMF_DIGITS);
		assert.equal(d.feed(event(16, false, 160), 0, 4, 99000), "", "flash");
		assert.equal(d.ignored, 1);
		assert.equal(d.feed(event(5, false, 160), 0, 3, 100000), "");
		assert.equal(d.malformed, 1);
	});

	test("a media session reports digits from baresip-style streams: PCMU interleaved with events, with and without marker", () => {
		const s = session();
		let seq = 100, audioTs = 50000;
		const send = (pt: number, marker: boolean, ts: number, payload: Uint8Array) =>
			s.socket.deliver(rtpPacket({ payloadType: pt, marker, sequence: seq++, timestamp: ts, ssrc: 0x5eed, payload }), PEER.address, PEER.port);
		const codes = [1, 2, 3, 11, 10];
		for (let k = 0; k < codes.length; k++) {
			const eventTs = audioTs;
			for (const p of keyPress(codes[k], eventTs, k % 2 === 0)) {
				send(0, false, audioTs, filled(160, 0xff));
				audioTs += 160;
				send(101, p.marker, p.timestamp, p.payload);
				s.clock.advance(20);
			}
		}
		assert.deepEqual(s.digits, ["1", "2", "3", "#", "*"]);
		assert.deepEqual(s.sources, ["127.0.0.2:7078", "127.0.0.2:7078", "127.0.0.2:7078", "127.0.0.2:7078", "127.0.0.2:7078"]);
		const status = s.media.status();
		assert.equal(status.digits, 5);
		assert.ok(status.frames_played > 30, `audio kept playing: ${status.frames_played}`);
		assert.equal(status.dropped_payload_type, 0);
		s.media.stop();
	});

	test("events from another address or port, or with a payload type that was not negotiated, are no digits", () => {
		const s = session();
		let seq = 1;
		const press = (code: number, ts: number, address: string, port: number, pt = 101) => {
			for (const p of keyPress(code, ts, true)) s.socket.deliver(rtpPacket({ payloadType: pt, marker: p.marker, sequence: seq++, timestamp: p.timestamp, ssrc: 77, payload: p.payload }), address, port);
		};
		press(1, 1000, "127.0.0.3", PEER.port);
		press(2, 2000, PEER.address, PEER.port + 2);
		press(3, 3000, PEER.address, PEER.port, 96);
		assert.deepEqual(s.digits, []);
		const status = s.media.status();
		assert.equal(status.dropped_source, 16);
		assert.equal(status.dropped_payload_type, 8);
		assert.match(status.last_drop, /payload type/);
		press(4, 4000, PEER.address, PEER.port);
		assert.deepEqual(s.digits, ["4"]);
		s.media.stop();
	});

	test("the door's offer answered with other numbers (0 and 96): the peer's events come with the offer's 101 and are digits; 96 is none", () => {
		assert.match(buildOffer({ address: "127.0.0.1", port: 40000, sessionId: 1, sessionVersion: 1 }), /RTP\/AVP 0 8 101\r\n/);
		const answer = ["v=0", "o=- 1 1 IN IP4 127.0.0.2", "s=-", "c=IN IP4 127.0.0.2", "t=0 0", "m=audio 7078 RTP/AVP 0 96", "a=rtpmap:0 PCMU/8000", "a=rtpmap:96 telephone-event/8000", "a=fmtp:96 0-15", ""].join("\r\n");
		const media = readAnswer(parseSdp(answer)) as NegotiatedMedia;
		assert.deepEqual([media.payloadType, media.receivePayloadType, media.receiveDtmfPayloadType], [0, 0, 101]);
		// PCMU under a number of the peer's: sent with it, taken with the offer's 0.
		const dynamic = readAnswer(parseSdp(answer.replace("RTP/AVP 0 96", "RTP/AVP 97 96").replace("rtpmap:0 ", "rtpmap:97 "))) as NegotiatedMedia;
		assert.deepEqual([dynamic.payloadType, dynamic.receivePayloadType, dynamic.codec], [97, 0, "PCMU"]);
		const s = session(media);
		let seq = 1;
		const press = (code: number, ts: number, pt: number) => {
			for (const p of keyPress(code, ts, true)) s.socket.deliver(rtpPacket({ payloadType: pt, marker: p.marker, sequence: seq++, timestamp: p.timestamp, ssrc: 77, payload: p.payload }), PEER.address, PEER.port);
		};
		press(1, 1000, 101);
		press(2, 2000, 101);
		press(3, 3000, 96);
		assert.deepEqual(s.digits, ["1", "2"]);
		assert.equal(s.media.status().dropped_payload_type, 8, "96 is the peer's own number: it receives with it, the door does not");
		s.media.stop();
	});

	test("answering an offer with telephone-event 96, the door's answer reuses 96 and takes 96: the numbers of its SDP", () => {
		const offer = ["v=0", "o=- 1 1 IN IP4 127.0.0.2", "s=-", "c=IN IP4 127.0.0.2", "t=0 0", "m=audio 7078 RTP/AVP 8 96", "a=rtpmap:8 PCMA/8000", "a=rtpmap:96 telephone-event/8000", ""].join("\r\n");
		const answer = answerOffer(parseSdp(offer), { address: "127.0.0.1", port: 40000, sessionId: 1, sessionVersion: 1 });
		assert.ok("sdp" in answer);
		assert.match(answer.sdp, /m=audio 40000 RTP\/AVP 8 96\r\n/);
		const { payloadType, receivePayloadType, receiveDtmfPayloadType } = answer.media;
		assert.deepEqual([payloadType, receivePayloadType, receiveDtmfPayloadType], [8, 8, 96]);
	});

	test("without a negotiated telephone-event type, PT 101 is dropped, and PCMU is never taken for an event", () => {
		const s = session({ ...MEDIA, receiveDtmfPayloadType: undefined });
		for (const p of keyPress(5, 1000, true)) s.socket.deliver(rtpPacket({ payloadType: 101, sequence: 1, timestamp: p.timestamp, payload: p.payload }), PEER.address, PEER.port);
		// A PCMU packet whose first payload byte looks like event 5.
		s.socket.deliver(rtpPacket({ payloadType: 0, sequence: 2, timestamp: 1000, payload: filled(160, 5) }), PEER.address, PEER.port);
		assert.deepEqual(s.digits, []);
		assert.equal(s.media.status().dropped_payload_type, 8);
		s.media.stop();
	});
});
