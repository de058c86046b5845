import { test, group, assert } from "../lib/spec.js";
import { bootApp } from "../lib/app-harness.js";
import { PBX, LOCAL, OFFER } from "../lib/ua-harness.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp, RecordingSpeaker, ToneMic, rtpPacket } from "../lib/rtp-fixtures.js";
import { writeTelephoneEvent } from "../../rtp/telephone-event.js";
import { RtpHeader, parseRtp } from "../../rtp/rtp-packet.js";
import type { UdpOptions } from "../../modules/ports.js";

const HANDSET_RTP = { address: PBX, port: 7078 };

/** The application on fake ports with the reference audio core, registered, in a call from a handset. */
function door(options: { busy?: number[]; sip?: Record<string, string | number> } = {}) {
	let rtp: MemoryUdp | undefined;
	const speaker = new RecordingSpeaker(8000);
	const a = bootApp({
		settings: { sip: { ...options.sip } },
		udp: (o: UdpOptions) => {
			if (options.busy?.includes(o.port ?? 0)) throw Object.assign(new Error("address in use"), { code: "EADDRINUSE" });
			const socket = new MemoryUdp(o.port ?? 0, LOCAL);
			socket.onReadable = () => o.onReadable?.(1);
			rtp = socket;
			return socket;
		},
		env: { routes: { add() {} }, audio: referenceAudio, mic: new ToneMic(referenceAudio, 440), speaker },
	});
	const { clock, application, sent } = a;
	const call = () => {
		const { ok, request } = a.call();
		const bye = () => {
			request("BYE", 101, "z9hG4bKbye1");
			sent();
		};
		/** A re-INVITE from the handset with its RTP on `port`. */
		const reinvite = (port: number) => {
			const body = OFFER.replace("m=audio 7078", `m=audio ${port}`).replace("o=- 1234 1", "o=- 1234 2");
			request("INVITE", 102, "z9hG4bKre1", ["Max-Forwards: 70", `Contact: <sip:611@${PBX}:5060>`, "Content-Type: application/sdp"], body);
			const answer = sent().find((m) => m.status === 200)!;
			request("ACK", 102, "z9hG4bKack2");
			return answer;
		};
		return { ok, bye, reinvite };
	};
	let seq = 1000;
	/** RFC 4733 key presses as a handset sends them (start with marker, three end packets). */
	const keys = (digits: string, from = HANDSET_RTP) => {
		for (const d of digits) {
			const code = "0123456789*#".indexOf(d);
			const ts = seq * 160;
			for (let k = 0; k < 5; k++) {
				const payload = new Uint8Array(4);
				writeTelephoneEvent(payload, 0, code, k >= 2, 10, 160 * (k + 1));
				rtp!.deliver(rtpPacket({ payloadType: 101, marker: k === 0, sequence: seq++, timestamp: ts, ssrc: 0x6116, payload }), from.address, from.port);
				clock.advance(20);
			}
			clock.advance(150);
		}
	};
	/** The door rings (from the web page) and the handset answers with `sdp`. */
	const ring = (sdp: string) => {
		application.doorbell.press("web");
		const invite = a.sent().find((m) => m.method === "INVITE")!;
		a.answer(invite, 200, "OK", { toTag: "h1", headers: [`Contact: <sip:611@${PBX}:5060>`], body: sdp });
		return invite;
	};
	const status = () => JSON.parse(JSON.stringify(application.status())) as { media: Record<string, unknown> & { session: Record<string, number | string> | null; last_session: Record<string, number | string> | null } };
	return { clock, application, rtp: () => rtp!, call, ring, keys, pulses: a.pulses, status, speaker, lines: a.lines };
}

function headers(socket: MemoryUdp): RtpHeader[] {
	return socket.written.map((w) => {
		const h = new RtpHeader();
		assert.equal(parseRtp(w.bytes, w.bytes.length, h), "");
		return h;
	});
}

group("media in the application", () => {
	test("an answered call offers the bound RTP port and sends 20 ms packets to the handset's SDP address", () => {
		const d = door();
		const { ok } = d.call();
		assert.match(ok.body, /m=audio 40000 RTP\/AVP 8 101/);
		d.clock.advance(1000);
		const rtp = d.rtp();
		const h = headers(rtp);
		assert.ok(h.length >= 50 && h.length <= 51, `${h.length} packets in a second`);
		assert.equal(h[0].payloadType, 8, "PCMA, the handset's first choice");
		assert.equal(h[0].marker, true);
		for (const w of rtp.written) assert.equal(`${w.address}:${w.port}`, "192.168.178.1:7078");
		const media = d.status().media;
		assert.equal(media.rtp_port, 40000);
		assert.equal(media.session!.codec, "PCMA");
		assert.equal(media.session!.remote, "192.168.178.1:7078");
	});

	test("a taken RTP port: the next free even one is bound and offered in the SDP", () => {
		const d = door({ busy: [40000, 40002] });
		const { ok } = d.call();
		assert.match(ok.body, /m=audio 40004 /);
		assert.deepEqual(d.status().media.rtp_port_busy, [40000, 40002]);
	});

	test("the rtp_port setting is used", () => {
		const d = door({ sip: { rtp_port: 41000 } });
		const { ok } = d.call();
		assert.match(ok.body, /m=audio 41000 /);
	});

	test("123 by RFC 4733 from the negotiated peer opens once and plays the confirm tone; from another port it does nothing", () => {
		const d = door();
		d.call();
		d.clock.advance(100);
		d.keys("123", { address: PBX, port: 7080 });
		d.clock.advance(3000);
		assert.deepEqual(d.pulses(), []);
		const dropped = d.status().media.session!;
		assert.equal(dropped.dropped_source, 15);
		assert.match(String(dropped.last_drop), /192\.168\.178\.1:7080/);
		const before = d.rtp().written.length;
		d.keys("123");
		d.clock.advance(2000);
		assert.deepEqual(d.pulses(), [800]);
		assert.equal(d.status().media.session!.digits, 3);
		// The confirm beeps are in the packets after the third digit: A-law silence is 0xd5 throughout.
		const after = d.rtp().written.slice(before);
		const loud = after.filter((w) => w.bytes.subarray(12).some((b) => b !== 0xd5 && b !== 0x55 && b !== 0xd4 && b !== 0x54));
		assert.ok(loud.length >= 5, `${loud.length} packets carry a tone`);
	});

	test("the door's call answered with its own telephone-event number (96): the handset's keys come with the door's 101 and open", () => {
		const d = door();
		const invite = d.ring(OFFER.replace("m=audio 7078 RTP/AVP 8 0 101", "m=audio 7078 RTP/AVP 0 96").replace("a=rtpmap:8 PCMA/8000\r\n", "").replace(/101 /g, "96 "));
		assert.match(invite.body, /m=audio 40000 RTP\/AVP (9 )?0 8 101\r\n/);
		d.clock.advance(100);
		d.keys("123");
		d.clock.advance(2000);
		assert.deepEqual(d.pulses(), [800]);
		const session = d.status().media.session!;
		assert.equal(session.digits, 3);
		assert.equal(session.dropped_payload_type, 0);
	});

	test("DTMF from another RTP source is a door event naming the source and the caller; a flood of sources cannot push an opening out", () => {
		const d = door();
		d.call();
		d.clock.advance(100);
		d.keys("123");
		d.clock.advance(2000);
		assert.deepEqual(d.pulses(), [800]);
		d.keys("123", { address: PBX, port: 7080 });
		for (let port = 9000; port < 9200; port += 2) d.keys("9", { address: "192.168.178.66", port });
		const s = d.status() as unknown as { door_events: Array<{ kind: string; reason: string; caller: string; via: string }>; media: { session: Record<string, number> } };
		const foreign = s.door_events.filter((e) => /unexpected RTP source/.test(e.reason));
		assert.deepEqual(foreign.map((e) => e.reason), [
			"DTMF from an unexpected RTP source 192.168.178.1:7080 (negotiated peer 192.168.178.1:7078)",
			"DTMF from an unexpected RTP source 192.168.178.66:9000 (negotiated peer 192.168.178.1:7078)",
			"DTMF from an unexpected RTP source 192.168.178.66:9002 (negotiated peer 192.168.178.1:7078)",
			"DTMF from an unexpected RTP source 192.168.178.66:9004 (negotiated peer 192.168.178.1:7078)",
			"DTMF from further unexpected RTP sources (last 192.168.178.66:9006); no more are recorded in this call",
		]);
		for (const e of foreign) {
			assert.equal(e.caller, "Küche");
			assert.equal(e.via, "rtp");
		}
		assert.ok(s.door_events.some((e) => e.kind === "opened"), "the opening is still in door_events");
		assert.equal(s.media.session.foreign_dtmf, 15 + 100 * 5);
		assert.deepEqual(d.pulses(), [800], "nothing opened from elsewhere");
	});

	test("the call's end stops its media; the counters stay for /sipDebug", () => {
		const d = door();
		const { bye } = d.call();
		d.clock.advance(500);
		bye();
		const count = d.rtp().written.length;
		d.clock.advance(1000);
		assert.equal(d.rtp().written.length, count, "nothing sent after BYE");
		const media = d.status().media;
		assert.equal(media.session, null);
		assert.ok(Number(media.last_session!.packets_sent) >= 25);
	});

	test("a re-INVITE with new media moves the session to the new peer", () => {
		const d = door();
		const { reinvite } = d.call();
		d.clock.advance(100);
		const session = d.application.doorbell.media!.session!;
		const answer = reinvite(7090);
		assert.match(answer.body, /m=audio 40000 /);
		d.clock.advance(100);
		assert.equal(d.application.doorbell.media!.session, session, "the same session");
		assert.equal(d.rtp().written[d.rtp().written.length - 1].port, 7090);
	});

	test("the button plays the chime at the door", () => {
		const d = door();
		d.application.doorbell.press("button");
		d.clock.advance(1000);
		assert.ok(d.speaker.frames >= 34, `${d.speaker.frames} chime frames`);
		assert.equal(d.status().media.chimes, 1);
		d.application.doorbell.press("web");
		assert.equal(d.status().media.chimes, 1, "not for a ring from the web page");
	});
});
