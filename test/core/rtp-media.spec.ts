import { test, group, assert } from "../lib/spec.js";
import { MediaSession } from "../../rtp/media-session.js";
import { DoorAudio } from "../../rtp/door-audio.js";
import { Chime } from "../../rtp/chime.js";
import type { NativeAudio } from "../../modules/native-audio.js";
import type { NegotiatedMedia } from "../../sip/sdp.js";
import type { AudioIn, UdpOptions } from "../../modules/ports.js";
import { mediaHint } from "../../rtp/media-hint.js";
import { FakeClock } from "../lib/fake-clock.js";
import { seededRandom } from "../lib/fake-udp.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp, ToneMic, RecordingSpeaker, zeroCrossingFrequency, toneShare, rms, rtpPacket, filled } from "../lib/rtp-fixtures.js";

const quiet = { info() {}, warn() {}, error() {} };

type Codec = "PCMU" | "PCMA" | "G722";

function media(to: MemoryUdp, codec: Codec = "PCMU", ptime = 20): NegotiatedMedia {
	const pt = codec === "PCMU" ? 0 : codec === "PCMA" ? 8 : 9;
	return { remoteAddress: to.address, remotePort: to.port, payloadType: pt, codec, receivePayloadType: pt, receiveDtmfPayloadType: 101, direction: "sendrecv", ptime };
}

interface Pair {
	clock: FakeClock;
	a: MediaSession;
	b: MediaSession;
	sa: MemoryUdp;
	sb: MemoryUdp;
	micA: ToneMic;
	micB: ToneMic;
	speakerA: RecordingSpeaker;
	speakerB: RecordingSpeaker;
	chimeB: Chime;
}

/** Two sessions wired to each other in memory: A's mic plays `hzA`, B's mic `hzB`. */
function pair(options: { audio?: NativeAudio; hzA?: number; hzB?: number; micRate?: number; speakerRate?: number; codec?: Codec; ptimeA?: number } = {}): Pair {
	const audio = options.audio ?? referenceAudio;
	const clock = new FakeClock();
	const sa = new MemoryUdp(40000, "127.0.0.1"), sb = new MemoryUdp(40002, "127.0.0.2");
	sa.peer = sb;
	sb.peer = sa;
	const micA = new ToneMic(audio, options.hzA ?? 1000, options.micRate ?? 8000);
	const micB = new ToneMic(audio, options.hzB ?? 440, 8000);
	const speakerA = new RecordingSpeaker(8000), speakerB = new RecordingSpeaker(options.speakerRate ?? 8000);
	const chimeB = new Chime(audio);
	const a = new MediaSession({ audio, socket: sa, clock, random: seededRandom(11), mic: micA, speaker: speakerA });
	const b = new MediaSession({ audio, socket: sb, clock, random: seededRandom(12), mic: micB, speaker: speakerB, chime: chimeB });
	sa.onReadable = () => a.readable();
	sb.onReadable = () => b.readable();
	a.start(media(sb, options.codec, options.ptimeA));
	clock.advance(7); // the two ends are not in phase
	b.start(media(sa, options.codec));
	return { clock, a, b, sa, sb, micA, micB, speakerA, speakerB, chimeB };
}

/**
 * A 16 kHz microphone that starts as the device's does (modules/device/audio.ts over the SDK's
 * audio input): nothing for the read that starts it, then a piece every `pieceMs` (32 or 64) of
 * the clock, of which a read takes what it finds; after `silentAfterMs` it delivers no more.
 */
class StartingMic implements AudioIn {
	readonly sampleRate = 16000;
	#clock: FakeClock;
	#silentAfterMs: number;
	#pieceMs: number;
	#startedAt = -1;
	#taken = 0;

	constructor(clock: FakeClock, options: { silentAfterMs?: number; pieceMs?: number } = {}) {
		this.#clock = clock;
		this.#silentAfterMs = options.silentAfterMs ?? Infinity;
		this.#pieceMs = options.pieceMs ?? 32;
	}

	read(target: Int16Array): number {
		const now = this.#clock.now();
		if (this.#startedAt < 0) {
			this.#startedAt = now;
			return 0;
		}
		const pieces = Math.floor((Math.min(now, this.#startedAt + this.#silentAfterMs) - this.#startedAt) / this.#pieceMs);
		const n = Math.min(target.length, pieces * this.#pieceMs * 16 - this.#taken);
		for (let i = 0; i < n; i++) target[i] = (this.#taken + i) % 32 < 16 ? 8000 : -8000; // 500 Hz
		this.#taken += n;
		return n;
	}

	close(): void {}
}

/** A session whose microphone `mic` makes, talking with one whose microphone is a tone; the status after `ms`. */
function micCall(mic: (clock: FakeClock) => AudioIn, ms: number) {
	const clock = new FakeClock();
	const sa = new MemoryUdp(40000, "127.0.0.1"), sb = new MemoryUdp(40002, "127.0.0.2");
	sa.peer = sb;
	sb.peer = sa;
	const a = new MediaSession({ audio: referenceAudio, socket: sa, clock, random: seededRandom(11), mic: mic(clock), speaker: new RecordingSpeaker(16000) });
	const b = new MediaSession({ audio: referenceAudio, socket: sb, clock, random: seededRandom(12), mic: new ToneMic(referenceAudio, 440, 8000), speaker: new RecordingSpeaker(8000) });
	sa.onReadable = () => a.readable();
	sb.onReadable = () => b.readable();
	a.start(media(sb));
	b.start(media(sa));
	clock.advance(ms);
	const status = a.status();
	a.stop();
	b.stop();
	return status;
}

function within(measured: number, expected: number, share: number, what: string): void {
	assert.ok(Math.abs(measured - expected) <= expected * share, `${what}: ${measured.toFixed(1)} Hz, expected ${expected} Hz ±${share * 100} %`);
}

/** A NativeAudio that notes every distinct object it is handed. */
function counting(inner: NativeAudio): { audio: NativeAudio; objects: unknown[] } {
	const objects: unknown[] = [];
	const note = (...args: unknown[]) => {
		for (const a of args) if (typeof a === "object" && a !== null && objects.indexOf(a) < 0) objects.push(a);
	};
	return {
		objects,
		audio: {
			encode: (law, pcm, codes) => (note(pcm, codes), inner.encode(law, pcm, codes)),
			decode: (law, codes, pcm) => (note(codes, pcm), inner.decode(law, codes, pcm)),
			mix: (out, sources, gains) => (note(out, sources, gains, ...sources), inner.mix(out, sources, gains)),
			toneInit: (state, f, rate, amplitude) => (note(state), inner.toneInit(state, f, rate, amplitude)),
			toneFill: (state, out) => (note(state, out), inner.toneFill(state, out)),
			downsample: (state, input, output) => (note(state, input, output), inner.downsample(state, input, output)),
			upsample: (state, input, output) => (note(state, input, output), inner.upsample(state, input, output)),
			g722Encode: (state, pcm, codes) => (note(state, pcm, codes), inner.g722Encode(state, pcm, codes)),
			g722Decode: (state, codes, pcm) => (note(state, codes, pcm), inner.g722Decode(state, codes, pcm)),
			echoCanceller: (rate, flags) => {
				const canceller = inner.echoCanceller(rate, flags);
				note(canceller);
				return { process: (far, mic, out) => (note(far, mic, out), canceller.process(far, mic, out)), count: (which) => canceller.count(which), close: () => canceller.close() };
			},
			// The datagram is the socket's (new for each packet); the target is ours.
			copyBytes: (source, target) => (note(target), inner.copyBytes(source, target)),
		},
	};
}

group("media session", () => {
	test("a 1 kHz tone from one side's mic plays on the other's speaker, and 440 Hz the other way (PCMU)", () => {
		const p = pair();
		p.clock.advance(2000);
		const heard = p.speakerB.samples;
		assert.ok(heard.length >= 99 * 160, `${heard.length} samples played`);
		within(zeroCrossingFrequency(heard, 8000, 4000), 1000, 0.02, "B hears");
		within(zeroCrossingFrequency(p.speakerA.samples, 8000, 4000), 440, 0.02, "A hears");
		assert.ok(rms(heard, 4000) > 5000, "at full level");
		const s = p.b.status();
		assert.equal(s.frames_lost, 0);
		assert.ok(s.buffer_target_ms === 20, `target ${s.buffer_target_ms} ms`);
		p.a.stop();
		p.b.stop();
	});

	test("A-law, a 16 kHz microphone (downsampled) and a 16 kHz speaker (upsampled) keep the frequency", () => {
		const p = pair({ codec: "PCMA", micRate: 16000, speakerRate: 16000 });
		p.clock.advance(2000);
		assert.equal(p.micA.targets[0].length, 320, "20 ms at 16 kHz read from the mic");
		within(zeroCrossingFrequency(p.speakerB.samples, 16000, 8000), 1000, 0.02, "B hears at 16 kHz");
		assert.ok(toneShare(p.speakerB.samples, 16000, 1000, 8000) > 0.8, "mostly the tone");
		p.a.stop();
		p.b.stop();
	});

	test("G.722: a 5 kHz tone from a 16 kHz mic reaches a 16 kHz speaker, which PCMU removes", () => {
		const wide = pair({ codec: "G722", hzA: 5000, micRate: 16000, speakerRate: 16000 });
		wide.clock.advance(2000);
		const heard = wide.speakerB.samples;
		assert.ok(heard.length >= 99 * 320, `${heard.length} samples played`);
		within(zeroCrossingFrequency(heard, 16000, 8000), 5000, 0.02, "B hears 5 kHz");
		assert.ok(toneShare(heard, 16000, 5000, 8000) > 0.8, "mostly the tone");
		assert.ok(rms(heard, 8000) > 5000, `at full level (${rms(heard, 8000).toFixed(0)})`);
		within(zeroCrossingFrequency(wide.speakerA.samples, 8000, 4000), 440, 0.02, "A (an 8 kHz speaker) hears 440 Hz");
		assert.equal(wide.b.status().codec, "G722");
		assert.equal(wide.sa.written[10].bytes.length, 12 + 160, "160 bytes per 20 ms");
		assert.equal(wide.sa.written[10].bytes[1] & 0x7f, 9, "payload type 9");
		wide.a.stop();
		wide.b.stop();
		const narrow = pair({ codec: "PCMU", hzA: 5000, micRate: 16000, speakerRate: 16000 });
		narrow.clock.advance(2000);
		assert.ok(rms(narrow.speakerB.samples, 8000) < 300, `5 kHz through PCMU: rms ${rms(narrow.speakerB.samples, 8000).toFixed(0)}`);
		narrow.a.stop();
		narrow.b.stop();
	});

	for (const [ptime, codec] of [[10, "PCMA"], [30, "G722"], [60, "PCMU"]] as const) {
		test(`a=ptime ${ptime} (${codec}): packets of ${ptime} ms with consecutive timestamps, the tone unbroken`, () => {
			const p = pair({ codec, ptimeA: ptime, micRate: codec === "G722" ? 16000 : 8000, speakerRate: codec === "G722" ? 16000 : 8000 });
			p.clock.advance(3000);
			const sent = p.sa.written.map((w) => w.bytes);
			assert.ok(Math.abs(sent.length - 3000 / ptime) <= 3, `${sent.length} packets in 3 s`);
			for (let i = 1; i < sent.length; i++) {
				assert.equal(sent[i].length, 12 + ptime * 8, `packet ${i}: ${sent[i].length} bytes`);
				const ts = (b: Uint8Array) => ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
				const seq = (b: Uint8Array) => (b[2] << 8) | b[3];
				assert.equal((ts(sent[i]) - ts(sent[i - 1])) >>> 0, ptime * 8, `timestamp step at packet ${i}`);
				assert.equal((seq(sent[i]) - seq(sent[i - 1])) & 0xffff, 1, `sequence step at packet ${i}`);
			}
			const rate = codec === "G722" ? 16000 : 8000;
			const heard = p.speakerB.samples;
			within(zeroCrossingFrequency(heard, rate, rate), 1000, 0.02, "B hears the tone");
			for (let at = rate; at + rate / 50 <= heard.length; at += rate / 50) assert.ok(rms(heard, at, at + rate / 50) > 2000, `frame at ${at} is not silent`);
			assert.equal(p.b.status().frames_lost, 0);
			p.a.stop();
			p.b.stop();
		});
	}

	test("a new a=ptime in a re-INVITE: packets of its length from then on, timestamps consecutive within each", () => {
		const p = pair();
		const ts = (b: Uint8Array) => ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
		let from = 0;
		for (const ptime of [20, 60, 10, 40, 20]) {
			if (ptime !== 20 || from > 0) p.a.update(media(p.sb, "PCMU", ptime));
			p.clock.advance(1000);
			const sent = p.sa.written.slice(from).map((w) => w.bytes);
			from = p.sa.written.length;
			assert.ok(Math.abs(sent.length - 1000 / ptime) <= 2, `a=ptime ${ptime}: ${sent.length} packets in 1 s`);
			for (let i = 0; i < sent.length; i++) assert.equal(sent[i].length, 12 + ptime * 8, `a=ptime ${ptime}, packet ${i}: ${sent[i].length} bytes`);
			for (let i = 2; i < sent.length; i++) assert.equal((ts(sent[i]) - ts(sent[i - 1])) >>> 0, ptime * 8, `a=ptime ${ptime}: timestamp step at packet ${i}`);
			assert.equal(p.a.status().ptime_ms, ptime);
		}
		within(zeroCrossingFrequency(p.speakerB.samples, 8000, p.speakerB.samples.length - 8000), 1000, 0.02, "B hears the tone after the changes");
		p.a.stop();
		p.b.stop();
	});

	for (const [from, to] of [["G722", "PCMU"], ["PCMU", "G722"]] as const) {
		test(`a re-INVITE from ${from} to ${to} with frames waiting: none of them is decoded as ${to}, no burst of noise at the speaker`, () => {
			const p = pair({ codec: from, micRate: 16000, speakerRate: 16000 });
			p.clock.advance(1000);
			const peak = (from_: number, to_: number) => {
				let most = 0;
				for (let i = from_; i < to_; i++) most = Math.max(most, Math.abs(p.speakerB.samples[i]));
				return most;
			};
			// Both ends switch at the same moment (the answer to A's re-INVITE), while B holds what A sent last.
			for (let ms = 0; ms < 20 && p.b.jitter.depth === 0; ms++) p.clock.advance(1);
			assert.ok(p.b.jitter.depth >= 1, `B holds ${p.b.jitter.depth} frames`);
			const before = peak(0, p.speakerB.samples.length);
			const at = p.speakerB.samples.length;
			p.a.update(media(p.sb, to));
			p.b.update(media(p.sa, to));
			p.clock.advance(1000);
			const after = peak(at, p.speakerB.samples.length);
			assert.ok(after < before * 1.25, `peak ${after} after the switch, ${before} before`);
			within(zeroCrossingFrequency(p.speakerB.samples, 16000, p.speakerB.samples.length - 8000), 1000, 0.02, "B hears the tone after the switch");
			p.a.stop();
			p.b.stop();
		});
	}

	for (const change of ["a re-INVITE to another peer", "a new SSRC from the same peer"] as const) {
		test(`G.722, ${change}: the new stream is decoded from a fresh decoder, with no burst of noise at the speaker`, () => {
			// A loud tone first; then a quiet one from another sender, whose encoder starts afresh.
			const p = pair({ codec: "G722", hzA: 5000, micRate: 16000, speakerRate: 16000 });
			p.clock.advance(1000);
			p.a.stop();
			const peer = change === "a re-INVITE to another peer";
			if (!peer) p.clock.advance(1100); // the old SSRC quiet for longer than SSRC_TAKEOVER_MS
			const sc = peer ? new MemoryUdp(40004, "127.0.0.3") : new MemoryUdp(p.sa.port, p.sa.address);
			p.sa.peer = undefined;
			sc.peer = p.sb;
			p.sb.peer = sc;
			const c = new MediaSession({ audio: referenceAudio, socket: sc, clock: p.clock, random: seededRandom(13), mic: new ToneMic(referenceAudio, 1000, 16000, 3000), speaker: new RecordingSpeaker(16000) });
			sc.onReadable = () => c.readable();
			if (peer) p.b.update(media(sc, "G722"));
			const at = p.speakerB.samples.length;
			c.start(media(p.sb, "G722"));
			p.clock.advance(1000);
			const heard = p.speakerB.samples;
			let peak = 0;
			for (let i = at; i < heard.length; i++) peak = Math.max(peak, Math.abs(heard[i]));
			assert.ok(peak < 10000, `peak ${peak} at the speaker for a tone of 3000`);
			assert.equal(p.b.status().ssrc_changes, peer ? 0 : 1);
			within(zeroCrossingFrequency(heard, 16000, heard.length - 8000), 1000, 0.02, "B hears the new tone");
			c.stop();
			p.b.stop();
		});
	}

	test("a re-INVITE to another codec between a 10 ms packet's halves: the second half, coded with the old codec, is not sent with the new payload type", () => {
		const p = pair({ codec: "G722", ptimeA: 10, micRate: 16000, speakerRate: 16000 });
		const ts = (b: Uint8Array) => ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
		p.clock.advance(1000);
		// Just after a frame's first half left (frames are due every 20 ms from A's start at 0).
		p.clock.advance(20 - (p.clock.now() % 20) + 1);
		const origin = ts(p.sa.written[0].bytes), from = p.sa.written.length;
		assert.equal((ts(p.sa.written[from - 1].bytes) - origin) % 160, 0, "the last packet sent is a first half");
		p.a.update(media(p.sb, "PCMU", 10));
		p.clock.advance(100);
		const after = p.sa.written.slice(from).map((w) => w.bytes);
		assert.ok(after.length >= 8, `${after.length} packets after the switch`);
		for (const b of after) assert.equal(b[1] & 0x7f, 0, "PCMU's payload type");
		assert.equal((ts(after[0]) - origin) % 160, 0, "the first packet after the switch starts a frame");
		p.a.stop();
		p.b.stop();
	});

	test("lost packets are concealed: no silent frame while one in ten packets is lost", () => {
		const p = pair();
		p.sa.filter = (_bytes, index) => index % 10 !== 5;
		p.clock.advance(3000);
		const s = p.b.status();
		assert.ok(s.frames_lost >= 12, `${s.frames_lost} frames lost`);
		const heard = p.speakerB.samples;
		for (let at = 8000; at + 160 <= heard.length; at += 160) assert.ok(rms(heard, at, at + 160) > 2000, `frame at ${at} is not silent`);
		within(zeroCrossingFrequency(heard, 8000, 8000), 1000, 0.02, "still the tone");
		p.a.stop();
		p.b.stop();
	});

	test("the chime is mixed with the call audio; the call goes on at 50 frames a second meanwhile", () => {
		const p = pair();
		p.clock.advance(500);
		const before = p.speakerB.frames;
		const start = p.speakerB.samples.length;
		p.chimeB.start();
		p.clock.advance(400);
		assert.equal(p.speakerB.frames - before, 20, "20 frames in 400 ms");
		const window = p.speakerB.samples.slice(start + 160, start + 2400);
		assert.ok(toneShare(window, 8000, 880, 0, window.length) > 0.1, "ding (880 Hz) heard");
		assert.ok(toneShare(window, 8000, 1000, 0, window.length) > 0.1, "call audio (1 kHz) heard");
		p.clock.advance(1000);
		assert.equal(p.chimeB.playing, false, "the chime ends by itself");
		p.a.stop();
		p.b.stop();
	});

	test("a queued tone reaches the caller, mixed into the outgoing audio", () => {
		const p = pair({ hzB: 0 });
		p.clock.advance(500);
		const start = p.speakerA.samples.length;
		assert.ok(p.b.tone(1400, 300));
		assert.ok(p.b.tone(0, 100));
		p.clock.advance(600);
		const heard = p.speakerA.samples.slice(start + 400, start + 2000);
		within(zeroCrossingFrequency(heard, 8000), 1400, 0.02, "A hears the tone");
		assert.ok(rms(p.speakerA.samples, start + 3600, start + 4000) < 100, "then the pause");
		p.a.stop();
		p.b.stop();
	});

	// G.722 in the specs' TypeScript codec is slow under XS's meter: 250 packets there.
	for (const [codec, packets] of [["PCMU", 1000], ["G722", 250]] as const)
	test(`steady state makes no new buffers: the same objects carry ${packets} packets each way (${codec})`, () => {
		const c = counting(referenceAudio);
		const p = pair({ audio: c.audio, micRate: 16000, speakerRate: 16000, codec });
		p.sa.keep = false;
		p.sb.keep = false;
		p.clock.advance(200);
		p.chimeB.start();
		p.b.tone(1200, 100);
		p.clock.advance(800); // warm up, the chime and the tone included
		const objects = c.objects.length;
		const speakerBuffers = p.speakerB.buffers.length;
		const sentA = p.a.status().packets_sent;
		const written: unknown[] = [];
		const write = p.sa.write.bind(p.sa);
		p.sa.write = (data, address, port) => {
			if (written.indexOf(data) < 0) written.push(data);
			write(data, address, port);
		};
		p.chimeB.start();
		p.b.tone(1200, 100);
		p.clock.advance(packets * 20);
		assert.equal(p.a.status().packets_sent - sentA, packets);
		assert.ok(p.b.status().frames_played >= packets);
		assert.equal(c.objects.length, objects, "no new buffer reached the audio core");
		assert.equal(written.length, 1, "one packet buffer for every send");
		// G.711 to a 16 kHz speaker always writes the upsampler's output; G.722 writes the decoded
		// frame itself, or its mix with the chime.
		assert.equal(p.speakerB.buffers.length, speakerBuffers, "no new speaker frame");
		assert.equal(speakerBuffers, codec === "G722" ? 2 : 1, "speaker frames");
		assert.equal(p.micA.targets.length, 1, "one mic frame");
		p.a.stop();
		p.b.stop();
	});
	test("the playout clock moves toward the peer's packets once they have shown their phase; the frame clock stays", () => {
		// A ticks at 0, 20, ...; B at 7, 27, .... A's packets wait 7 ms at B, B's wait 13 ms at A.
		const p = pair();
		const playedAt: number[] = [], sentAt: number[] = [];
		const speak = p.speakerA.write.bind(p.speakerA);
		p.speakerA.write = (samples) => (playedAt.push(p.clock.now()), speak(samples));
		const readB = p.sb.onReadable;
		p.sb.onReadable = () => (sentAt.push(p.clock.now()), readB?.());
		p.clock.advance(3000);
		const a = p.a.status(), b = p.b.status();
		// Each plays 4 ms ahead of its frame clock from the start (A at 16, 36, ...; B at 3, 23, ...)
		// and keeps the jitter buffer's 4 ms margin (no jitter here): A's frames waited 9 ms, so A
		// moves 9 - 4 ms sooner; B's waited 3 ms, less than the margin, so B stays.
		assert.equal(a.playout_advanced_ms, 5);
		assert.equal(b.playout_advanced_ms, 0);
		assert.equal(a.underruns + b.underruns, 0);
		assert.equal(a.frames_lost + b.frames_lost, 0);
		// A plays 4 ms after B's packets come (27, 47, ... mod 20 = 7, so 11), and still sends at its own 0, 20, ...
		assert.deepEqual(playedAt.slice(-3).map((t) => t % 20), [11, 11, 11]);
		assert.deepEqual(sentAt.slice(-3).map((t) => t % 20), [0, 0, 0]);
		assert.ok(playedAt.length >= 149, `${playedAt.length} frames played in 3 s`);
	});
});

group("door audio", () => {
	function factory(busy: number[] = []): { udp: (o: UdpOptions) => MemoryUdp; sockets: MemoryUdp[] } {
		const sockets: MemoryUdp[] = [];
		return {
			sockets,
			udp: (o) => {
				if (busy.includes(o.port ?? 0)) throw Object.assign(new Error("address in use"), { code: "EADDRINUSE" });
				const s = new MemoryUdp(o.port ?? 0);
				s.onReadable = () => o.onReadable?.(1);
				sockets.push(s);
				return s;
			},
		};
	}

	test("a microphone that starts as the device's (nothing at first, then 32 or 64 ms pieces) comes short in no frame after its start, and the hint is quiet; one that stops delivering is counted and named", () => {
		for (const pieceMs of [32, 64]) {
			const working = micCall((clock) => new StartingMic(clock, { pieceMs }), 3000);
			assert.equal(working.mic_short_frames, 0, `pieces of ${pieceMs} ms: the start's short reads are the microphone starting`);
			assert.equal(mediaHint(working), "");
		}
		const stopping = micCall((clock) => new StartingMic(clock, { silentAfterMs: 1000 }), 3000);
		assert.ok(stopping.mic_short_frames >= 90, `${stopping.mic_short_frames} short frames after the microphone stopped at 1 s`);
		assert.match(mediaHint(stopping), /microphone/);
	});

	test("the RTP port moves to the next free even port and the status shows it", () => {
		const f = factory([40000, 40002]);
		const door = new DoorAudio({ audio: referenceAudio, udp: f.udp, clock: new FakeClock(), random: seededRandom(1), log: quiet, rtpPort: 40000 });
		door.open();
		assert.equal(door.port.port, 40004);
		assert.deepEqual(door.status().rtp_port_busy, [40000, 40002]);
		const odd = new DoorAudio({ audio: referenceAudio, udp: factory().udp, clock: new FakeClock(), random: seededRandom(1), log: quiet, rtpPort: 41001 });
		odd.open();
		assert.equal(odd.port.port, 41002, "RTP on an even port");
	});

	test("the chime plays with no call and the local clock stops when it ends; datagrams without a call are read and counted", () => {
		const clock = new FakeClock();
		const speaker = new RecordingSpeaker(16000);
		const f = factory();
		const door = new DoorAudio({ audio: referenceAudio, udp: f.udp, clock, random: seededRandom(1), log: quiet, speaker });
		door.open();
		door.ring();
		clock.advance(2000);
		assert.equal(speaker.frames, 35, "34 frames of ding-dong, then the clock stops");
		assert.equal(clock.pending, 0);
		within(zeroCrossingFrequency(speaker.samples, 16000, 0, 5000), 880, 0.02, "ding");
		within(zeroCrossingFrequency(speaker.samples, 16000, 5600, 10000), 660, 0.02, "dong");
		f.sockets[0].deliver(rtpPacket({ sequence: 1, timestamp: 1, payload: filled(160, 0xff) }), "127.0.0.9", 5004);
		assert.equal(door.idleDatagrams, 1);
		assert.equal(f.sockets[0].queued, 0);
		const mute = new DoorAudio({ audio: referenceAudio, udp: factory().udp, clock, random: seededRandom(1), log: quiet });
		mute.ring();
		assert.equal(mute.status().chime_playing, false, "no speaker, no chime");
		assert.equal(clock.pending, 0);
	});

	test("a call gets a session with the digits handler, the chime goes on into it, and the call's counters stay after it ended", () => {
		const clock = new FakeClock();
		const speaker = new RecordingSpeaker(8000);
		const f = factory();
		const door = new DoorAudio({ audio: referenceAudio, udp: f.udp, clock, random: seededRandom(1), log: quiet, speaker });
		door.open();
		door.ring();
		clock.advance(100);
		const digits: string[] = [];
		const peer = new MemoryUdp(7078, "127.0.0.2");
		f.sockets[0].peer = peer;
		door.startCall(media(peer), clock.now(), (digit) => digits.push(digit));
		clock.advance(1000);
		assert.equal(speaker.frames, 6 + 51, "local frames 0-100 ms, then the call's frames 0-1100 ms");
		assert.equal(door.chime.playing, false);
		const payload = new Uint8Array([5, 0x80, 0, 160]);
		f.sockets[0].deliver(rtpPacket({ payloadType: 101, sequence: 9, timestamp: 99, payload }), "127.0.0.2", 7078);
		assert.deepEqual(digits, ["5"]);
		assert.ok((door.status().session as { packets_sent: number }).packets_sent >= 50);
		door.endCall();
		assert.equal(clock.pending, 0);
		assert.equal((door.status().last_session as { digits: number }).digits, 1);
		assert.equal(door.status().session, null);
	});
});
