/*
 * One-way audio latency through the door's media path on the host: two media sessions (the
 * door's code, host providers: Node's clock and UDP on 127.0.0.1, the C core through the addon),
 * one as the handset, one as the door, on the real event loop with no jitter. A click (2 ms,
 * loud) is put into one side's microphone at a known time; the other side's speaker port
 * reports when it was handed the click. Measured both ways, for G.711 and G.722, 20 ms packets.
 *
 * The time of a click: a microphone frame read at time t holds the 20 ms of sound before t, so
 * sample k of n was heard at t - (n - k) / rate. A speaker frame written at time t starts to play
 * then, so sample j plays at t + j / rate. Parts:
 *   packetisation    click heard → its frame coded and sent (waiting for the frame to fill)
 *   jitter buffer    packet sent → frame handed to the speaker (network, playout delay, tick)
 *   in the frame     the click's place in the speaker frame
 * The device adds its audio queues (I2S DMA buffers of the microphone and the speaker's ring,
 * filled only as far as the speaker asks); the host ports have none.
 */

import { MediaSession } from "../rtp/media-session.js";
import type { AudioIn, AudioOut, UdpSocket } from "../modules/ports.js";
import type { NegotiatedMedia } from "../sip/sdp.js";
import { loadNativeAudio } from "../modules/host/native-audio.js";
import { createUdp } from "../modules/host/udp.js";
import { nodeClock } from "../modules/host/clock.js";
import { nodeRandom } from "../modules/host/crypto.js";

const CLICKS = 40;
/** The click: 2 ms at a high level (a single sample would be smeared below the threshold by the low-pass filters). */
const CLICK = 20000;
const CLICK_SAMPLES = 32;

/** A silent microphone that puts a click at the times asked for. */
class ClickMic implements AudioIn {
	readonly sampleRate = 16000;
	/** When the next click is to be heard (performance.now() ms), and when the last one was. */
	next = Infinity;
	heardAt = 0;
	sentAt = 0;
	read(target: Int16Array): number {
		target.fill(0);
		const now = performance.now();
		const n = target.length, start = now - (n * 1000) / this.sampleRate;
		if (this.next <= now && this.next > start - 1000) {
			const k = Math.max(0, Math.min(n - CLICK_SAMPLES, Math.floor(((this.next - start) * this.sampleRate) / 1000)));
			target.fill(CLICK, k, Math.min(n, k + CLICK_SAMPLES));
			this.heardAt = now - ((n - k) * 1000) / this.sampleRate;
			this.sentAt = now;
			this.next = Infinity;
		}
		return n;
	}
	close(): void {}
}

/** A speaker port that notes when a click is handed to it. */
class ClickSpeaker implements AudioOut {
	readonly sampleRate = 16000;
	writtenAt = 0;
	playsAt = 0;
	write(samples: Int16Array): void {
		for (let j = 0; j < samples.length; j++) {
			if (samples[j] > CLICK / 4) {
				const now = performance.now();
				this.writtenAt = now;
				this.playsAt = now + (j * 1000) / this.sampleRate;
				return;
			}
		}
	}
	close(): void {}
}

function media(socket: UdpSocket, codec: "PCMU" | "G722"): NegotiatedMedia {
	return { remoteAddress: "127.0.0.1", remotePort: socket.port, payloadType: codec === "PCMU" ? 0 : 9, codec, direction: "sendrecv", ptime: 20 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Parts {
	total: number[];
	packetisation: number[];
	jitterBuffer: number[];
	inFrame: number[];
}

async function measure(codec: "PCMU" | "G722"): Promise<{ toDoor: Parts; fromDoor: Parts }> {
	const audio = loadNativeAudio();
	const parts = (): Parts => ({ total: [], packetisation: [], jitterBuffer: [], inFrame: [] });
	const result = { toDoor: parts(), fromDoor: parts() };
	const sockets: UdpSocket[] = [];
	const sessions: MediaSession[] = [];
	const mics = [new ClickMic(), new ClickMic()], speakers = [new ClickSpeaker(), new ClickSpeaker()];
	for (let i = 0; i < 2; i++) {
		let session: MediaSession | undefined;
		const socket = createUdp({ port: 0, address: "127.0.0.1", onReadable: () => session?.readable() });
		session = new MediaSession({ audio, socket, clock: nodeClock, random: nodeRandom, mic: mics[i], speaker: speakers[i] });
		sockets.push(socket);
		sessions.push(session);
	}
	await sleep(50); // bound: the ports are known
	sessions[0].start(media(sockets[1], codec));
	await sleep(7); // not in phase
	sessions[1].start(media(sockets[0], codec));
	await sleep(500);
	for (let c = 0; c < CLICKS; c++) {
		for (const [from, to, into] of [[0, 1, result.toDoor], [1, 0, result.fromDoor]] as const) {
			const mic = mics[from], speaker = speakers[to];
			speaker.writtenAt = 0;
			// A click at a random place within the frames (the clocks are not aligned to it).
			mic.next = performance.now() + 5 + Math.random() * 20;
			await sleep(150);
			if (!speaker.writtenAt) throw new Error(`click ${c} (${from} → ${to}) never reached the speaker`);
			into.total.push(speaker.playsAt - mic.heardAt);
			into.packetisation.push(mic.sentAt - mic.heardAt);
			into.jitterBuffer.push(speaker.writtenAt - mic.sentAt);
			into.inFrame.push(speaker.playsAt - speaker.writtenAt);
		}
	}
	for (const s of sessions) s.stop();
	await sleep(50);
	for (const s of sockets) s.close();
	return result;
}

const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
const max = (x: number[]) => Math.max(...x);

export default async function audioLatency() {
	const rows: Array<Record<string, string>> = [];
	for (const codec of ["PCMU", "G722"] as const) {
		const r = await measure(codec);
		for (const [label, p] of [["handset mic → door speaker", r.toDoor], ["door mic → handset speaker", r.fromDoor]] as const) {
			const total = mean(p.total);
			rows.push(
				{ measure: `${codec}, ${label}: one-way (mean / max of ${CLICKS} clicks)`, value: `${total.toFixed(1)} / ${max(p.total).toFixed(1)} ms`, goal: "≤ 60 ms", met: total <= 60 ? "yes" : "NO" },
				{ measure: `  packetisation (click → packet sent)`, value: `${mean(p.packetisation).toFixed(1)} / ${max(p.packetisation).toFixed(1)} ms`, goal: "", met: "" },
				{ measure: `  jitter buffer (sent → speaker frame: network, playout delay, tick)`, value: `${mean(p.jitterBuffer).toFixed(1)} / ${max(p.jitterBuffer).toFixed(1)} ms`, goal: "", met: "" },
				{ measure: `  place in the speaker frame`, value: `${mean(p.inFrame).toFixed(1)} / ${max(p.inFrame).toFixed(1)} ms`, goal: "", met: "" },
			);
		}
	}
	rows.push({ measure: "audio queues (device only: I2S DMA, speaker ring)", value: "not on the host", goal: "", met: "" });
	return { title: "One-way audio latency through the media path (host, loopback, no jitter, 20 ms packets)", rows };
}
