/*
 * Host benchmark of the media path. (1) Packets per second through the JS path: two media
 * sessions wired in memory on a fake clock, each frame one packet sent and one received, decoded
 * and played per session, with the C core (Node addon) and with the plain JS reference codec for
 * comparison. (2) The send clock on the real event loop over loopback UDP: how far each packet's
 * arrival is from its ideal time, and whether the count drifts, idle and with the event loop
 * blocked for 35 ms every 300 ms.
 */

import dgram from "node:dgram";
import { MediaSession } from "../rtp/media-session.js";
import type { NativeAudio } from "../modules/native-audio.js";
import type { NegotiatedMedia } from "../sip/sdp.js";
import { loadNativeAudio } from "../modules/host/native-audio.js";
import { createUdp } from "../modules/host/udp.js";
import { nodeClock } from "../modules/host/clock.js";
import { nodeRandom } from "../modules/host/crypto.js";
import { ToneMic } from "../modules/host/audio.js";
import { FakeClock } from "../test/lib/fake-clock.js";
import { referenceAudio } from "../test/lib/reference-audio.js";
import { MemoryUdp, RecordingSpeaker } from "../test/lib/rtp-fixtures.js";

interface Row {
	measure: string;
	value: string;
	note: string;
}

function media(address: string, port: number): NegotiatedMedia {
	return { remoteAddress: address, remotePort: port, payloadType: 0, codec: "PCMU", receivePayloadType: 0, receiveDtmfPayloadType: 101, direction: "sendrecv", ptime: 20 };
}

/** Frames per second of wall time through two in-memory sessions (each frame: 2 packets sent, 2 received). */
function throughput(audio: NativeAudio, frames: number): number {
	const clock = new FakeClock();
	const sa = new MemoryUdp(40000, "127.0.0.1"), sb = new MemoryUdp(40002, "127.0.0.2");
	sa.keep = sb.keep = false;
	sa.peer = sb;
	sb.peer = sa;
	const speakerA = new RecordingSpeaker(16000), speakerB = new RecordingSpeaker(8000);
	speakerA.keep = speakerB.keep = false;
	const a = new MediaSession({ audio, socket: sa, clock, random: nodeRandom, mic: new ToneMic(audio, 1000, 16000), speaker: speakerA });
	const b = new MediaSession({ audio, socket: sb, clock, random: nodeRandom, mic: new ToneMic(audio, 440), speaker: speakerB });
	sa.onReadable = () => a.readable();
	sb.onReadable = () => b.readable();
	a.start(media(sb.address, sb.port));
	b.start(media(sa.address, sa.port));
	clock.advance(2000); // warm up
	const start = performance.now();
	clock.advance(frames * 20);
	const seconds = (performance.now() - start) / 1000;
	a.stop();
	b.stop();
	if (b.status().frames_played < frames) throw new Error(`only ${b.status().frames_played} frames played`);
	return frames / seconds;
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Sends for `ms` over loopback UDP and measures each arrival against its ideal time. */
async function sendClock(ms: number, block: boolean): Promise<{ late: number[]; count: number; sent: number; expected: number; skipped: number; lateMax: number }> {
	const audio = loadNativeAudio();
	const receiver = dgram.createSocket("udp4");
	await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", resolve));
	// Arrival time by frame number (from the RTP timestamp, so skipped frames leave gaps, not shifts).
	const arrivals: Array<[number, number]> = [];
	let origin = -1;
	receiver.on("message", (data) => {
		const ts = data.readUInt32BE(4);
		if (origin < 0) origin = ts;
		arrivals.push([((ts - origin) >>> 0) / 160, performance.now()]);
	});
	const socket = createUdp({ port: 0, address: "127.0.0.1" });
	const session = new MediaSession({ audio, socket, clock: nodeClock, random: nodeRandom, mic: new ToneMic(audio, 1000) });
	const startAt = nodeClock.now();
	session.start(media("127.0.0.1", receiver.address().port), startAt);
	let blocker: NodeJS.Timeout | undefined;
	if (block) {
		blocker = setInterval(() => {
			const until = performance.now() + 35;
			while (performance.now() < until) {
				// the event loop is busy
			}
		}, 300);
	}
	await new Promise((resolve) => setTimeout(resolve, ms));
	const stoppedAt = nodeClock.now();
	session.stop();
	if (blocker) clearInterval(blocker);
	await new Promise((resolve) => setTimeout(resolve, 50));
	socket.close();
	receiver.close();
	const late = arrivals.map(([frame, t]) => t - (startAt + 20 * frame));
	const status = session.status();
	return { late, count: arrivals.length, sent: status.packets_sent, expected: Math.floor((stoppedAt - startAt) / 20) + 1, skipped: status.frames_skipped, lateMax: status.send_late_max_ms };
}

export default async function rtpMedia(): Promise<{ title: string; rows: Row[] }> {
	const rows: Row[] = [];
	const native = loadNativeAudio();
	throughput(native, 2000);
	const c = throughput(native, 50000);
	rows.push({ measure: "JS path, C core: frames/s (2 sessions)", value: Math.round(c).toLocaleString("en"), note: `${(1e6 / c / 2).toFixed(1)} µs per packet sent + received + played (one session); 16 kHz mic/speaker on one side` });
	const js = throughput(referenceAudio, 10000);
	rows.push({ measure: "same with the JS reference codec", value: Math.round(js).toLocaleString("en"), note: `${(1e6 / js / 2).toFixed(1)} µs per packet: per-sample work in JS` });
	rows.push({ measure: "real-time headroom (C core)", value: `${Math.round((2 * c) / 50)} sessions`, note: "at 50 packets/s each way, on one core of this machine" });
	for (const block of [false, true]) {
		const r = await sendClock(5000, block);
		const sorted = r.late.slice().sort((a, b) => a - b);
		const median = (x: number[]) => x.slice().sort((a, b) => a - b)[x.length >> 1];
		const first = r.late.slice(0, 50), last = r.late.slice(-50);
		const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
		const label = block ? "event loop blocked 35 ms / 300 ms" : "idle event loop";
		rows.push({ measure: `send clock, ${label}: packets`, value: `${r.count} of ${r.sent} sent`, note: `${r.expected} frames were due in the 5 s (the last may be pending at the stop); skipped ${r.skipped}` });
		rows.push({ measure: `send clock, ${label}: arrival lateness p50 / p99 / max`, value: `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)} / ${sorted[sorted.length - 1].toFixed(2)} ms`, note: `vs. start + 20 ms·n; timer lateness max ${r.lateMax} ms` });
		rows.push({ measure: `send clock, ${label}: drift`, value: `${(median(last) - median(first)).toFixed(2)} ms`, note: `median lateness of the last 50 packets minus the first 50 (0 = no drift); mean ${mean(r.late).toFixed(2)} ms` });
	}
	return { title: "RTP media path (host)", rows };
}
