/*
 * One-way audio latency through the door as it runs: the simulator process (build/simulator.js,
 * started by the test rig, registered at kamailio as the FRITZ!Box stand-in) answers a call from
 * a handset whose RTP this benchmark sends and receives itself, on 127.0.0.1 with no jitter. The
 * handset's signalling is a sipp scenario (bench/latency-caller.xml); it offers one codec and a
 * packet time, so each call measures one codec and ptime.
 *
 * Handset mic → door speaker: the handset's microphone is silent but for a click (2 ms, loud) at
 * a random time; a packet holds the sound of the ptime before it is sent, so a click at sample k
 * of n was heard n - k samples before the packet left. The door records its speaker (--speaker)
 * and notes when it wrote each frame (--audio-times, monotonic clock, comparable between the
 * processes); a sample plays when its frame is written plus its place in the frame.
 * Door mic → handset: the door's microphone (--mic) is a WAV file with clicks at known samples;
 * a frame read at time t holds the 20 ms before t. The handset notes when each packet arrives
 * and where the click is in it (it would play there with no buffer of its own).
 *
 * The parts, each measured per click:
 *   handset → door: packetisation at the handset (click → packet sent); the door's jitter buffer
 *     and frame clock (packet sent → the speaker frame with the click written; the loopback
 *     network, under 0.1 ms, is in it); the click's place in that frame.
 *   door → handset: the door's microphone frame (click → frame read); the door's packetisation
 *     and sending (frame read → packet at the handset: coding, a 30 ms packet waiting for the
 *     next frame, a 10 ms packet's second half, the network); the click's place in the packet.
 * The codec's and the 8/16 kHz converters' filter delays are inside "place in", the echo
 * canceller's block delay (on by default) inside the door's microphone rows; they are measured
 * alone through the same native code. A click lost on the way (a frame dropped or concealed) is
 * counted as missing. On the host the speaker and microphone are files:
 * there is no sound device period or output queue; the device's are named in the table.
 */

import { createSocket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rig, sourcePath, writeWav, type Simulator } from "../test/rig/index.js";
import { isLoopbackAddress } from "../modules/host/loopback-guard.js";
import { monotonicMs } from "../modules/host/frame-times.js";
import { loadNativeAudio } from "../modules/host/native-audio.js";
import { G722_STATE_SAMPLES, LAW_PCMU, RESAMPLER_STATE_SAMPLES, type NativeAudio } from "../modules/native-audio.js";

/** Clicks per call and direction, and the time between two (plus up to 40 ms at random). */
const CLICKS = 60;
const GAP_MS = 190;
const CLICK = 20000;
const CLICK_MS = 2;
/** A received sample louder than this is the click (the codecs' filters smear it a little). */
const THRESHOLD = 5000;
/** Clicks start this long after the door's first packet (the privacy beep at the answer is over). */
const SETTLE_MS = 600;
/** A click that has not come out within this is missing (less than the gap: no click is taken for another). */
const WINDOW_MS = 150;
const GOAL_MS = 60;

interface Config {
	codec: "G722" | "PCMU";
	pt: number;
	ptime: number;
}

const CONFIGS: Config[] = [
	{ codec: "G722", pt: 9, ptime: 20 },
	{ codec: "G722", pt: 9, ptime: 10 },
	{ codec: "G722", pt: 9, ptime: 30 },
	{ codec: "PCMU", pt: 0, ptime: 20 },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handset click: when it was heard and when its packet left. */
interface SentClick {
	heard: number;
	sent: number;
}

/** A click found in a packet from the door: when the packet arrived and the click's place in it (ms). */
interface Arrival {
	arrived: number;
	place: number;
}

/** The handset's RTP: one packet every ptime, silent but for the clicks; every packet from the door decoded and searched. */
class RtpHandset {
	readonly clicks: SentClick[] = [];
	readonly arrivals: Arrival[] = [];
	door: { address: string; port: number } | undefined;
	firstPacket = 0;
	#socket = createSocket("udp4");
	#audio: NativeAudio;
	#config: Config;
	#rate: number;
	#pcm: Int16Array;
	#codes: Uint8Array;
	#packet: Uint8Array;
	#rx: Int16Array;
	#encoder = new Int16Array(G722_STATE_SAMPLES);
	#decoder = new Int16Array(G722_STATE_SAMPLES);
	#seq = 0;
	#timestamp = 0;
	#nextClick = Infinity;
	#lastFound = -Infinity;
	#timer: NodeJS.Timeout | undefined;
	#sending = false;

	constructor(audio: NativeAudio, config: Config) {
		this.#audio = audio;
		this.#config = config;
		this.#rate = config.codec === "G722" ? 16000 : 8000;
		const bytes = config.ptime * 8;
		this.#pcm = new Int16Array((this.#rate * config.ptime) / 1000);
		this.#codes = new Uint8Array(bytes);
		this.#packet = new Uint8Array(12 + bytes);
		this.#rx = new Int16Array(2 * 8 * 60);
		this.#socket.on("message", (message, from) => this.#receive(message, from.address, from.port));
	}

	bind(): Promise<number> {
		return new Promise((resolve) => this.#socket.bind(0, "127.0.0.1", () => resolve(this.#socket.address().port)));
	}

	/** Sends a packet every ptime from now on, with the clicks in them. */
	start(): void {
		this.#sending = true;
		const start = monotonicMs();
		const period = this.#config.ptime;
		let n = 0;
		const tick = () => {
			if (!this.#sending) return;
			this.#send(period);
			n++;
			this.#timer = setTimeout(tick, Math.max(0, start + (n + 1) * period - monotonicMs()));
		};
		this.#timer = setTimeout(tick, period);
	}

	/** Clicks from `at` on, CLICKS of them. */
	clickFrom(at: number): void {
		this.#nextClick = at;
	}

	stop(): void {
		this.#sending = false;
		clearTimeout(this.#timer);
	}

	close(): void {
		this.stop();
		this.#socket.close();
	}

	#send(period: number): void {
		const door = this.door;
		if (!door) return;
		const now = monotonicMs();
		const pcm = this.#pcm, n = pcm.length, rate = this.#rate;
		pcm.fill(0);
		// The packet holds the sound of [now - period, now).
		let heardAt = 0;
		if (this.#nextClick < now) {
			const width = (CLICK_MS * rate) / 1000;
			const k = Math.max(0, Math.min(n - width, Math.floor(((this.#nextClick - (now - period)) * rate) / 1000)));
			pcm.fill(CLICK, k, k + width);
			heardAt = now - ((n - k) * 1000) / rate;
			this.#nextClick = this.clicks.length + 1 < CLICKS ? now + GAP_MS + Math.random() * 40 : Infinity;
		}
		if (this.#config.codec === "G722") this.#audio.g722Encode(this.#encoder, pcm, this.#codes);
		else this.#audio.encode(LAW_PCMU, pcm, this.#codes);
		const p = this.#packet;
		p[0] = 0x80;
		p[1] = (this.#seq === 0 ? 0x80 : 0) | this.#config.pt;
		p[2] = (this.#seq >> 8) & 0xff;
		p[3] = this.#seq & 0xff;
		new DataView(p.buffer).setUint32(4, this.#timestamp >>> 0);
		new DataView(p.buffer).setUint32(8, 0x6b6c6e67);
		p.set(this.#codes, 12);
		this.#seq = (this.#seq + 1) & 0xffff;
		this.#timestamp += period * 8;
		this.#socket.send(p, door.port, door.address);
		if (heardAt) this.clicks.push({ heard: heardAt, sent: monotonicMs() });
	}

	#receive(message: Buffer, address: string, port: number): void {
		const arrived = monotonicMs();
		if (!isLoopbackAddress(address) || message.length < 12 || (message[0] & 0xc0) !== 0x80) return;
		if (!this.door) {
			this.door = { address, port };
			this.firstPacket = arrived;
		}
		const offset = 12 + 4 * (message[0] & 0x0f);
		if ((message[1] & 0x7f) !== this.#config.pt || message.length <= offset) return;
		const codes = new Uint8Array(message.buffer, message.byteOffset + offset, message.length - offset);
		const wide = this.#config.codec === "G722";
		const samples = wide ? codes.length * 2 : codes.length;
		const rx = this.#rx.subarray(0, samples);
		if (wide) this.#audio.g722Decode(this.#decoder, codes, rx);
		else this.#audio.decode(LAW_PCMU, codes, rx);
		const rate = wide ? 16000 : 8000;
		for (let k = 0; k < samples; k++) {
			if (Math.abs(rx[k]) > THRESHOLD) {
				const at = arrived + (k * 1000) / rate;
				if (at - this.#lastFound > GAP_MS / 2) this.arrivals.push({ arrived, place: (k * 1000) / rate });
				this.#lastFound = at;
				break;
			}
		}
	}
}

/** A WAV file of 16 kHz samples (the simulator's speaker recording). */
function readSamples(path: string): Int16Array {
	const bytes = readFileSync(path);
	const at = bytes.indexOf("data") + 8;
	return new Int16Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + bytes.length - ((bytes.length - at) & 1)));
}

interface PortTimes {
	rate: number;
	frames: Array<[number, number]>;
}

interface Measured {
	config: Config;
	toDoor: { total: number[]; packetisation: number[]; door: number[]; place: number[]; missing: number };
	fromDoor: { total: number[]; frame: number[]; sending: number[]; place: number[]; missing: number };
	status: Record<string, number>;
	span: [number, number];
	handset: RtpHandset;
}

/** The door's microphone: 60 s at 16 kHz, silent but for a click about every GAP_MS. Returns the clicks' first samples. */
function micClicks(path: string): number[] {
	const rate = 16000, samples = new Int16Array(60 * rate), starts: number[] = [];
	for (let at = rate / 10; at + rate < samples.length; at += Math.round(((GAP_MS + Math.random() * 40) * rate) / 1000)) {
		samples.fill(CLICK, at, at + (CLICK_MS * rate) / 1000);
		starts.push(at);
	}
	writeWav(path, samples, rate);
	return starts;
}

async function call(rig: Rig, simulator: Simulator, audio: NativeAudio, config: Config): Promise<Measured> {
	const handset = new RtpHandset(audio, config);
	const port = await handset.bind();
	const sipp = await rig.sipp({
		scenario: sourcePath("bench/latency-caller.xml"),
		remote: rig.pbx,
		keys: { rtp_ip: "127.0.0.1", rtp_port: port, pt: config.pt, codec: config.codec, ptime: config.ptime },
		timeoutS: 60,
	});
	try {
		await simulator.waitForStatus((s) => s.call === "answered", { what: "the call answered" });
		for (let i = 0; i < 100 && !handset.door; i++) await sleep(20);
		if (!handset.door) throw new Error("no RTP from the door");
		handset.start();
		handset.clickFrom(handset.firstPacket + SETTLE_MS);
		await sleep(SETTLE_MS + CLICKS * (GAP_MS + 40) + 500);
		const status = ((await simulator.status()).media as { session?: Record<string, number> } | null)?.session;
		handset.stop();
		simulator.hangup();
		const result = await sipp.done();
		if (result.code !== 0) throw new Error(`the handset's call failed (sipp ${result.code}):\n${result.output.slice(-2000)}`);
		await simulator.waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
		const span: [number, number] = [handset.firstPacket, monotonicMs()];
		const parts = () => ({ total: [] as number[], missing: 0 });
		return {
			config,
			toDoor: { ...parts(), packetisation: [], door: [], place: [] },
			fromDoor: { ...parts(), frame: [], sending: [], place: [] },
			status: status ?? {},
			span,
			handset,
		};
	} finally {
		handset.close();
		await sipp.stop();
	}
}

/** Matches the clicks with what came out, once the simulator has written its frame times. */
function analyse(m: Measured, speaker: Int16Array, times: { mic: PortTimes; speaker: PortTimes }, micStarts: number[], micLength: number): void {
	// Handset → door: the first loud sample in the speaker frames written after the packet left.
	const sp = times.speaker.frames, spRate = times.speaker.rate;
	for (const click of m.handset.clicks) {
		let found = false;
		for (let i = 0; i < sp.length && !found; i++) {
			const [t, offset] = sp[i];
			if (t < click.sent || t > click.sent + WINDOW_MS) continue;
			const end = i + 1 < sp.length ? sp[i + 1][1] : speaker.length;
			for (let s = offset; s < end; s++) {
				if (Math.abs(speaker[s]) > THRESHOLD) {
					const place = ((s - offset) * 1000) / spRate;
					m.toDoor.total.push(t + place - click.heard);
					m.toDoor.packetisation.push(click.sent - click.heard);
					m.toDoor.door.push(t - click.sent);
					m.toDoor.place.push(place);
					found = true;
					break;
				}
			}
		}
		if (!found) m.toDoor.missing++;
	}
	// Door → handset: each click the door's microphone read during the call, and the first packet with it.
	const mic = times.mic.frames, micRate = times.mic.rate;
	for (let i = 0; i + 1 < mic.length; i++) {
		const [t, offset] = mic[i];
		const n = mic[i + 1][1] - offset;
		if (t < m.span[0] + SETTLE_MS || t > m.span[1] - WINDOW_MS - 1000) continue;
		for (const start of micStarts) {
			const within = ((start - offset) % micLength + micLength) % micLength;
			if (within >= n) continue;
			const heard = t - ((n - within) * 1000) / micRate;
			const arrival = m.handset.arrivals.find((a) => a.arrived + a.place >= heard && a.arrived < heard + WINDOW_MS);
			if (!arrival) {
				m.fromDoor.missing++;
				continue;
			}
			m.fromDoor.total.push(arrival.arrived + arrival.place - heard);
			m.fromDoor.frame.push(t - heard);
			m.fromDoor.sending.push(arrival.arrived - t);
			m.fromDoor.place.push(arrival.place);
		}
	}
}

/**
 * Filter delays of the native code alone: a click through the handset's encoder and the door's
 * decoder (and the door's 8 → 16 kHz converter for G.711), or the door's 16 → 8 kHz converter
 * and encoder and the handset's decoder; the shift of the first loud sample, in ms.
 */
function filterDelays(audio: NativeAudio): Record<string, number> {
	const first = (x: Int16Array) => x.findIndex((v) => Math.abs(v) > THRESHOLD);
	const click16 = new Int16Array(320 * 4), click8 = new Int16Array(160 * 4);
	click16.fill(CLICK, 400, 432);
	click8.fill(CLICK, 200, 216);
	const g722 = () => {
		const enc = new Int16Array(G722_STATE_SAMPLES), dec = new Int16Array(G722_STATE_SAMPLES);
		const codes = new Uint8Array(click16.length / 2), out = new Int16Array(click16.length);
		audio.g722Encode(enc, click16, codes);
		audio.g722Decode(dec, codes, out);
		return ((first(out) - 400) * 1000) / 16000;
	};
	const up = () => {
		const codes = new Uint8Array(click8.length), pcm = new Int16Array(click8.length), out = new Int16Array(click16.length);
		audio.encode(LAW_PCMU, click8, codes);
		audio.decode(LAW_PCMU, codes, pcm);
		audio.upsample(new Int16Array(RESAMPLER_STATE_SAMPLES), pcm, out);
		return ((first(out) - 400) * 1000) / 16000;
	};
	const down = () => {
		const narrow = new Int16Array(click8.length), codes = new Uint8Array(click8.length), out = new Int16Array(click8.length);
		audio.downsample(new Int16Array(RESAMPLER_STATE_SAMPLES), click16, narrow);
		audio.encode(LAW_PCMU, narrow, codes);
		audio.decode(LAW_PCMU, codes, out);
		return ((first(out) - 200) * 1000) / 8000;
	};
	// The echo canceller (audio.aec 1) on 20 ms frames with a silent far end: its block delay.
	const aec = () => {
		const canceller = audio.echoCanceller(16000, 0), far = new Int16Array(320), out = new Int16Array(click16.length);
		for (let f = 0; f < 4; f++) canceller.process(far, click16.subarray(f * 320, (f + 1) * 320), out.subarray(f * 320, (f + 1) * 320));
		canceller.close();
		return ((first(out) - 400) * 1000) / 16000;
	};
	return { g722: g722(), pcmuToSpeaker: up(), micToPcmu: down(), aec: aec() };
}

function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(1));

function row(measure: string, values: number[], goal = false): Record<string, string> {
	const max = values.length ? Math.max(...values) : NaN;
	return {
		measure,
		"p50 ms": ms(percentile(values, 50)),
		"p95 ms": ms(percentile(values, 95)),
		"max ms": ms(max),
		goal: goal ? `≤ ${GOAL_MS} ms` : "",
		met: goal ? (max <= GOAL_MS ? "yes" : "NO") : "",
	};
}

export default async function audioLatency() {
	const audio = loadNativeAudio();
	const dir = mkdtempSync(join(tmpdir(), "klingel-latency-"));
	const micFile = join(dir, "mic.wav"), speakerFile = join(dir, "speaker.wav"), timesFile = join(dir, "times.json");
	const micStarts = micClicks(micFile);
	const rig = await Rig.start({
		name: "audio-latency",
		handsets: [],
		simulator: { trace: false, args: ["--mic", micFile, "--speaker", speakerFile, "--audio-times", timesFile] },
	});
	const measured: Measured[] = [];
	let simulatorStopped = false;
	try {
		const simulator = rig.simulator!;
		for (const config of CONFIGS) measured.push(await call(rig, simulator, audio, config));
		await simulator.stop();
		simulatorStopped = true;
		const times = JSON.parse(readFileSync(timesFile, "utf8")) as { mic: PortTimes; speaker: PortTimes };
		const speaker = readSamples(speakerFile);
		for (const m of measured) analyse(m, speaker, times, micStarts, 60 * 16000);
	} finally {
		if (!simulatorStopped) await rig.simulator?.stop().catch(() => undefined);
		await rig.stop();
		rmSync(dir, { recursive: true, force: true });
	}
	const filters = filterDelays(audio);
	const rows: Array<Record<string, string>> = [];
	const note = (measure: string, value = "") => rows.push({ measure, "p50 ms": value, "p95 ms": "", "max ms": "", goal: "", met: "" });
	for (const m of measured) {
		const { codec, ptime } = m.config;
		const wide = codec === "G722";
		const t = m.toDoor, f = m.fromDoor;
		rows.push(
			row(`${codec} ${ptime} ms, handset mic → door speaker (${t.total.length} clicks${t.missing ? `, ${t.missing} missing` : ""})`, t.total, true),
			row("  packetisation at the handset (click → packet sent)", t.packetisation),
			row("  door jitter buffer + frame clock (packet sent → speaker frame written)", t.door),
			row(`  place in the speaker frame (filters: ${ms(wide ? filters.g722 : filters.pcmuToSpeaker)} ms)`, t.place),
			row(`${codec} ${ptime} ms, door mic → handset (${f.total.length} clicks${f.missing ? `, ${f.missing} missing` : ""})`, f.total, true),
			row("  door microphone frame (click → 20 ms frame read)", f.frame),
			row(`  door packetisation + sending (frame read → ${ptime} ms packet at the handset)`, f.sending),
			row(`  place in the packet (filters: ${ms(wide ? filters.g722 : filters.micToPcmu)} ms)`, f.place),
		);
		const s = m.status;
		note(`  door at the call's end: jitter buffer ${s.buffer_depth_ms} ms deep (target ${s.buffer_target_ms}), clock moved ${s.playout_advanced_ms} ms sooner, underruns ${s.underruns}, frames dropped ${s.frames_dropped}, ticks late mean ${s.send_late_mean_ms} / max ${s.send_late_max_ms} ms`);
	}
	note("echo control (audio.aec, on by default; in the door mic → handset rows): its block delay with 20 ms frames", `${ms(filters.aec)}`);
	note("sound device and output queue: none on the host (files); the device adds the I2S DMA buffers, the speaker's ring (speaker_queue_ms, filled only as far as the driver takes) and the microphone driver's pieces of 32 or 64 ms (a backlog beyond 100 ms dropped)");
	return { title: "One-way audio latency through the simulator process (host, loopback, no jitter; kamailio, sipp handset with its own RTP)", rows };
}
