/*
 * The door opener end to end: kamailio as the FRITZ!Box, the simulator registered as 620, a
 * baresip handset sending RFC 4733 digits, and sipp callers (613) sending SIP INFO digits or
 * naming an RTP address in their SDP from which this test sends telephone-events itself. The
 * simulator's virtual relay shows its pulses in /sipDebug (`relay_pulses`), the opener its
 * events (`door_events`).
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Rig, DEFAULT_USERS, type DumpedMessage, type Handset, type SimulatorStatus } from "../rig/index.js";
import { SIPP_USER, SIPP_PASSWORD, sippCall as sippCallOn, infoDigits, udpSocket } from "./door-callers.js";

/** The configured pulse (not the default 800, to show the setting is used). */
const PULSE_MS = 700;

let rig: Rig;

before(async () => {
	rig = await Rig.start({
		name: "e2e-door",
		kamailio: { users: { ...DEFAULT_USERS, [SIPP_USER]: SIPP_PASSWORD } },
		handsets: [{ user: "611" }],
		simulator: { settings: { door: { code: "123", pulse_ms: PULSE_MS, max_openings: 1 } } },
	});
});

after(async () => {
	await rig?.stop();
});

const sim = () => rig.simulator!;
const fromDoor = (m: DumpedMessage) => rig.fromDoor(m);
const toDoor = (m: DumpedMessage) => rig.toDoor(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Pulse {
	at: number;
	ms: number;
}
interface DoorEvent {
	kind: string;
	at: number;
	caller: string;
	via: string;
	reason: string;
	count: number;
}

const pulsesSince = (status: SimulatorStatus, since: number) => ((status.relay_pulses ?? []) as Pulse[]).filter((p) => p.at >= since);
const eventsSince = (status: SimulatorStatus, since: number) => ((status.door_events ?? []) as DoorEvent[]).filter((e) => e.at >= since);

const withLogs = <T>(body: () => Promise<T>) => rig.withLogs(body);
const sippCall = (name: string, middle: string, rtpPort: number) => sippCallOn(rig, name, middle, rtpPort);

/** Ends whatever a failed test left behind and waits for an idle door. */
async function idle(): Promise<void> {
	await rig.idle();
}

interface SessionCounters {
	audio_received?: number;
	dropped_source?: number;
	last_drop?: string;
	digits?: number;
}
const session = (status: SimulatorStatus) => (status.media as { session?: SessionCounters } | null)?.session;

/** Handset 611 calls the door and the call is up, with its audio reaching the door; `since` is when it dialled. */
async function callFrom611(): Promise<{ h611: Handset; since: number }> {
	const h611 = rig.handset("611");
	const mark = h611.mark();
	const since = Date.now();
	h611.dial("620");
	await h611.waitFor("established", { from: mark });
	await sim().waitForStatus((s) => s.call === "answered" && (session(s)?.audio_received ?? 0) > 0, { what: "the call answered, the handset's audio arriving" });
	return { h611, since };
}

/**
 * Waits until the relay has had `count` pulses since `since` and is off, then ends the call
 * (`hangup`) and waits for an idle door: with the call over no digit can count, so the pulses
 * read then are all there will be.
 */
async function settledPulses(since: number, count: number, hangup: () => void): Promise<{ status: SimulatorStatus; pulses: Pulse[] }> {
	await sim().waitForStatus((s) => pulsesSince(s, since).length >= count && s.door_relay_on === false, { timeoutMs: 8000, what: `${count} relay pulse(s)` });
	hangup();
	const status = await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
	return { status, pulses: pulsesSince(status, since) };
}

function assertOnePulse(pulses: Pulse[]): void {
	assert.equal(pulses.length, 1, `exactly one pulse, got ${JSON.stringify(pulses)}`);
	const ms = pulses[0].ms;
	assert.ok(ms >= PULSE_MS - 5 && ms <= PULSE_MS + 150, `a pulse of about ${PULSE_MS} ms, got ${ms} ms`);
}


/** RFC 4733 packets for one key press: start (marker), two updates, three end packets. */
function telephoneEvent(socket: dgram.Socket, to: { address: string; port: number }, stream: { ssrc: number; seq: number; ts: number }, digit: string): Promise<void> {
	const event = "0123456789*#ABCD".indexOf(digit);
	const packets: Buffer[] = [];
	const durations = [160, 320, 480, 640, 640, 640];
	durations.forEach((duration, i) => {
		const p = Buffer.alloc(16);
		p[0] = 0x80;
		p[1] = (i === 0 ? 0x80 : 0) | 101;
		p.writeUInt16BE(stream.seq++ & 0xffff, 2);
		p.writeUInt32BE(stream.ts >>> 0, 4);
		p.writeUInt32BE(stream.ssrc >>> 0, 8);
		p[12] = event;
		p[13] = (i >= 3 ? 0x80 : 0) | 10;
		p.writeUInt16BE(duration, 14);
		packets.push(p);
	});
	stream.ts += 1600;
	return (async () => {
		for (const p of packets) {
			socket.send(p, to.port, to.address);
			await sleep(20);
		}
	})();
}

// ---- the tests ------------------------------------------------------------------------------

test("handset 611 calls the door and keys 123 (RFC 4733): exactly one relay pulse of the configured length", { timeout: 60000 }, () =>
	withLogs(async () => {
		await idle();
		const { h611, since } = await callFrom611();
		await h611.dtmf("123");
		const { status, pulses } = await settledPulses(since, 1, () => h611.hangup());
		assertOnePulse(pulses);
		const opened = eventsSince(status, since).filter((e) => e.kind === "opened");
		assert.equal(opened.length, 1, JSON.stringify(status.door_events));
		assert.equal(opened[0].via, "rtp");
		assert.match(opened[0].caller, /611/);
	}));

for (const type of ["application/dtmf-relay", "application/dtmf"] as const) {
	test(`sipp sends 123 by SIP INFO (${type}) through the PBX: each INFO gets 200, exactly one pulse`, { timeout: 60000 }, () =>
		withLogs(async () => {
			await idle();
			const since = Date.now();
			const media = await udpSocket();
			try {
				const sipp = await sippCall(`door-info-${type.slice(12)}`, infoDigits("123", type), media.address().port);
				const { status, pulses } = await settledPulses(since, 1, () => sim().hangup());
				assertOnePulse(pulses);
				const opened = eventsSince(status, since).filter((e) => e.kind === "opened");
				assert.equal(opened.length, 1, JSON.stringify(status.door_events));
				assert.equal(opened[0].via, "info");
				assert.match(opened[0].caller, /Sipp 613/);
				// This call's INFOs (the last test's, of the other type, may lie within the second of slack).
				const infos = rig.kamailio.messages().filter((m) => m.time >= since / 1000 - 1 && toDoor(m) && m.method === "INFO" && m.header("content-type") === type);
				assert.equal(infos.length, 3, "three INFOs reached the door");
				for (const info of infos) {
					const ok = rig.kamailio.messages().find((m) => fromDoor(m) && m.status === 200 && m.callId === info.callId && m.cseq.method === "INFO" && m.cseq.seq === info.cseq.seq);
					assert.ok(ok, `the door answered INFO ${info.cseq.seq} with 200`);
				}
				const result = await sipp.done();
				assert.equal(result.code, 0, `sipp failed:\n${result.output.slice(-2000)}`);
			} finally {
				media.close();
			}
		}));
}

test("a wrong code three times (RFC 4733): no pulse, the lock-out event, and the right code is then ignored", { timeout: 60000 }, () =>
	withLogs(async () => {
		await idle();
		const { h611, since } = await callFrom611();
		await h611.dtmf("999");
		await h611.dtmf("888");
		await h611.dtmf("777");
		await h611.dtmf("123");
		// The third digit of the right code, ignored, is the last event this call can give.
		const status = await sim().waitForStatus((s) => eventsSince(s, since).some((e) => e.kind === "ignored" && e.count >= 3), { what: "the right code ignored" });
		assert.deepEqual(pulsesSince(status, since), [], "no pulse");
		const events = eventsSince(status, since);
		const kinds = events.map((e) => e.kind);
		assert.deepEqual(kinds, ["wrong_code", "wrong_code", "locked_out", "ignored"], JSON.stringify(events));
		assert.match(events[3].reason, /locked out/);
		assert.equal(events[3].count, 3, "the three digits of the right code, ignored");
		assert.deepEqual(status.door_call, { openings: 0, wrong_codes: 3, locked_out: true });
		for (const e of events) assert.equal(/123|999|888|777/.test(e.reason), false, "no digits in the events");
		h611.hangup();
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
	}));

test("telephone-events from an RTP address other than the negotiated one open nothing; from the negotiated one they do", { timeout: 60000 }, () =>
	withLogs(async () => {
		await idle();
		const since = Date.now();
		const negotiated = await udpSocket();
		const stranger = await udpSocket();
		try {
			const sipp = await sippCall("door-rtp-source", "", negotiated.address().port);
			await sim().waitForStatus((s) => s.call === "answered", { what: "the sipp call answered" });
			const ok = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.status === 200 && m.cseq.method === "INVITE" && m.time >= since / 1000 - 1, { what: "the door's 200 OK" });
			const port = Number(/m=audio (\d+) /.exec(ok.body)?.[1]);
			assert.ok(port > 0, `the door's SDP names its RTP port: ${ok.body}`);
			const door = { address: "127.0.0.1", port };

			// Another port on the same address: the PBX's and the handset's address, but not the negotiated peer.
			const foreign = { ssrc: 0x5eed0001, seq: 100, ts: 16000 };
			for (const digit of "123") await telephoneEvent(stranger, door, foreign, digit);
			// All 18 have arrived once the session counts them.
			let status = await sim().waitForStatus((s) => (session(s)?.dropped_source ?? 0) >= 18, { what: "the 18 foreign packets dropped" });
			assert.deepEqual(pulsesSince(status, since), [], "no pulse from a foreign RTP source");
			assert.deepEqual(eventsSince(status, since).filter((e) => e.kind === "opened"), []);
			// They arrived and were refused by the RTP session before any DTMF detection.
			const counters = session(status);
			assert.ok(counters, `a media session in /sipDebug: ${JSON.stringify(status.media)}`);
			assert.match(counters.last_drop ?? "", new RegExp(`not from the negotiated RTP peer: 127\\.0\\.0\\.1:${stranger.address().port}`));
			assert.equal(counters.digits ?? 0, 0, "no digit detected from them");
			// Each is a rejected attempt in door_events, once for that source, naming it, without a digit.
			const strays = eventsSince(status, since).filter((e) => /unexpected RTP source/.test(e.reason));
			assert.equal(strays.length, 1, JSON.stringify(strays));
			assert.equal(strays[0].kind, "ignored");
			assert.equal(strays[0].reason, `DTMF from an unexpected RTP source 127.0.0.1:${stranger.address().port} (negotiated peer 127.0.0.1:${negotiated.address().port})`);

			// The same packets from the negotiated address and port open the door once.
			const own = { ssrc: 0x5eed0002, seq: 500, ts: 48000 };
			for (const digit of "123") await telephoneEvent(negotiated, door, own, digit);
			const settled = await settledPulses(since, 1, () => sim().hangup());
			assertOnePulse(settled.pulses);
			status = settled.status;
			const opened = eventsSince(status, since).filter((e) => e.kind === "opened");
			assert.equal(opened.length, 1);
			assert.equal(opened[0].via, "rtp");
			const result = await sipp.done();
			assert.equal(result.code, 0, `sipp failed:\n${result.output.slice(-2000)}`);
		} finally {
			negotiated.close();
			stranger.close();
		}
	}));

test("the door code never shows in /sipDebug or the simulator's log", () =>
	withLogs(async () => {
		const status = await sim().status();
		const text = JSON.stringify(status);
		assert.equal(/"code"/.test(text), false);
		assert.ok(Array.isArray(status.door_events));
		// Addresses and ports (of an unexpected RTP source, say) may hold any digits: left out of the search.
		const output = sim().process.output.replace(/\d{1,3}(?:\.\d{1,3}){3}:\d+/g, "ADDRESS");
		assert.equal(/door: .*123/.test(output), false, "no door log line holds the code");
	}));

test("with allow_any_src, INFO digits 1 2 3 from another port on the dialog's own Call-ID and tags open nothing; the PBX's own do", { timeout: 60000 }, () =>
	withLogs(async () => {
		await idle();
		const saved = await sim().request("POST", "/saveSIP", { allow_any_src: 1 });
		assert.equal(saved.status, 200, await saved.text());
		const since = Date.now();
		const media = await udpSocket();
		const stranger = await udpSocket();
		try {
			// The call sits idle for 6 s, then keys 123 by INFO through the PBX (CSeq 10, 11, 12).
			const sipp = await sippCall("door-info-injection", `  <pause milliseconds="6000"/>\n${infoDigits("123", "application/dtmf-relay", 10)}`, media.address().port);
			await sim().waitForStatus((s) => s.call === "answered", { what: "the sipp call answered" });
			// The dialog as the door sees it, read off the PBX's capture: what a host on the path learns.
			const invite = await rig.kamailio.waitForMessage((m) => toDoor(m) && m.method === "INVITE" && m.time >= since / 1000 - 1, { what: "the INVITE to the door" });
			const ok = await rig.kamailio.waitForMessage((m) => fromDoor(m) && m.status === 200 && m.cseq.method === "INVITE" && m.callId === invite.callId, { what: "the door's 200 OK" });
			const door = { address: "127.0.0.1", port: sim().sipPort };
			const own = stranger.address();
			const answers: string[] = [];
			stranger.on("message", (data) => answers.push(data.toString("latin1").split("\r\n")[0]));
			// CSeq numbers below those of the handset's own INFOs (10 up), which must still be taken.
			let seq = invite.cseq.seq;
			for (const digit of "123") {
				const body = `Signal=${digit}\r\nDuration=160\r\n`;
				const text = [
					`INFO sip:620@127.0.0.1:${door.port} SIP/2.0`,
					`Via: SIP/2.0/UDP 127.0.0.1:${own.port};branch=z9hG4bKinject${seq}`,
					`From: ${invite.header("from")}`,
					`To: ${ok.header("to")}`,
					`Call-ID: ${invite.callId}`,
					`CSeq: ${++seq} INFO`,
					"Max-Forwards: 70",
					"Content-Type: application/dtmf-relay",
					`Content-Length: ${body.length}`,
					"",
					body,
				].join("\r\n");
				stranger.send(Buffer.from(text, "latin1"), door.port, door.address);
				await sleep(150);
			}
			// The door has handled all three once it has answered all three.
			for (const deadline = Date.now() + 5000; answers.length < 3 && Date.now() < deadline; ) await sleep(20);
			assert.deepEqual(answers, ["SIP/2.0 200 OK", "SIP/2.0 200 OK", "SIP/2.0 200 OK"], "allow_any_src takes the INFOs into the dialog");
			let status = await sim().status();
			assert.deepEqual(pulsesSince(status, since), [], "no pulse from the injected digits");
			const refused = eventsSince(status, since).filter((e) => e.kind === "ignored" && e.reason.startsWith("INFO from"));
			assert.equal(refused.length, 1, JSON.stringify(eventsSince(status, since)));
			assert.equal(refused[0].reason, `INFO from 127.0.0.1:${own.port}, not the call's signalling peer 127.0.0.1:${rig.pbx.port}`);
			assert.equal(refused[0].count, 3);
			// The same digits through the PBX, in the same call, open the door.
			const settled = await settledPulses(since, 1, () => sim().hangup());
			assertOnePulse(settled.pulses);
			status = settled.status;
			assert.equal(eventsSince(status, since).filter((e) => e.kind === "opened").length, 1);
			const result = await sipp.done();
			assert.equal(result.code, 0, `sipp failed:\n${result.output.slice(-2000)}`);
		} finally {
			media.close();
			stranger.close();
			await sim().request("POST", "/saveSIP", { allow_any_src: 0 });
		}
	}));
