// Two media sessions against each other over real loopback UDP, with the C audio core through
// the Node addon, on the Node clock; and the simulator's WAV and tone audio ports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNativeAudio } from "../../modules/host/native-audio.js";
import { createUdp } from "../../modules/host/udp.js";
import { nodeClock } from "../../modules/host/clock.js";
import { nodeRandom } from "../../modules/host/crypto.js";
import { openMic, openSpeaker, WavMic } from "../../modules/host/audio.js";
import { parseWav, readWav, wavHeader, WavError } from "../../modules/host/wav.js";
import { MediaSession } from "../../rtp/media-session.js";
import type { NegotiatedMedia } from "../../sip/sdp.js";
import type { AudioIn, AudioOut, UdpSocket } from "../../modules/ports.js";
import { RecordingSpeaker, zeroCrossingFrequency, toneShare } from "../lib/rtp-fixtures.js";

const audio = loadNativeAudio();

async function bound(socket: UdpSocket): Promise<number> {
	for (let i = 0; i < 200 && socket.port === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
	assert.notEqual(socket.port, 0, "socket bound");
	return socket.port;
}

function media(port: number): NegotiatedMedia {
	return { remoteAddress: "127.0.0.1", remotePort: port, payloadType: 0, codec: "PCMU", receivePayloadType: 0, receiveDtmfPayloadType: 101, direction: "sendrecv", ptime: 20 };
}

async function call(micA: AudioIn, speakerB: AudioOut, micB: AudioIn, speakerA: AudioOut, ms: number): Promise<{ a: MediaSession; b: MediaSession }> {
	let a: MediaSession | undefined, b: MediaSession | undefined;
	const sa = createUdp({ port: 0, address: "127.0.0.1", onReadable: () => a?.readable() });
	const sb = createUdp({ port: 0, address: "127.0.0.1", onReadable: () => b?.readable() });
	const [pa, pb] = [await bound(sa), await bound(sb)];
	a = new MediaSession({ audio, socket: sa, clock: nodeClock, random: nodeRandom, mic: micA, speaker: speakerA });
	b = new MediaSession({ audio, socket: sb, clock: nodeClock, random: nodeRandom, mic: micB, speaker: speakerB });
	a.start(media(pb));
	b.start(media(pa));
	await new Promise((resolve) => setTimeout(resolve, ms));
	a.stop();
	b.stop();
	sa.close();
	sb.close();
	return { a, b };
}

test("a 1 kHz tone crosses real UDP through the C core and is measured within 2 %; 440 Hz the other way", async () => {
	const speakerA = new RecordingSpeaker(8000), speakerB = new RecordingSpeaker(8000);
	const { a, b } = await call(openMic("tone:1000", audio), speakerB, openMic("tone:440", audio), speakerA, 1500);
	const heardB = speakerB.samples, heardA = speakerA.samples;
	assert.ok(heardB.length > 8000, `${heardB.length} samples played`);
	const fb = zeroCrossingFrequency(heardB, 8000, 2400);
	const fa = zeroCrossingFrequency(heardA, 8000, 2400);
	assert.ok(Math.abs(fb - 1000) <= 20, `B heard ${fb.toFixed(1)} Hz`);
	assert.ok(Math.abs(fa - 440) <= 8.8, `A heard ${fa.toFixed(1)} Hz`);
	assert.ok(toneShare(heardB, 8000, 1000, 2400) > 0.8, "mostly the tone");
	const sb = b.status();
	assert.ok(sb.audio_received >= 60, `${sb.audio_received} packets received`);
	assert.equal(sb.dropped_source + sb.dropped_malformed + sb.dropped_payload_type + sb.dropped_ssrc, 0);
	assert.ok(a.status().packets_sent >= 70, `${a.status().packets_sent} sent in 1.5 s`);
});

test("--mic with a 16 kHz WAV (downsampled in C) and --speaker recording a WAV that reads back with the tone", async () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-media-"));
	try {
		const micFile = join(dir, "mic.wav"), speakerFile = join(dir, "speaker.wav");
		const samples = new Int16Array(16000);
		for (let i = 0; i < samples.length; i++) samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 1000 * i) / 16000));
		const header = wavHeader(16000, samples.byteLength);
		writeFileSync(micFile, Buffer.concat([header, new Uint8Array(samples.buffer)]));
		const mic = openMic(micFile, audio);
		assert.ok(mic instanceof WavMic);
		assert.equal(mic.sampleRate, 16000);
		const speaker = openSpeaker(speakerFile);
		await call(mic, speaker, openMic("tone:440", audio), new RecordingSpeaker(8000), 1200);
		speaker.finish();
		const halfway = readWav(speakerFile);
		assert.equal(halfway.sampleRate, 16000);
		assert.ok(halfway.samples.length > 12000, `${halfway.samples.length} samples recorded`);
		const f = zeroCrossingFrequency(halfway.samples, 16000, 4800);
		assert.ok(Math.abs(f - 1000) <= 20, `recorded ${f.toFixed(1)} Hz`);
		speaker.write(new Int16Array(160));
		speaker.close();
		assert.equal(readWav(speakerFile).samples.length, halfway.samples.length + 160, "close finishes the header");
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test("WAV files that are not 16-bit mono PCM at 8 or 16 kHz, and bad tones, are refused with the reason", () => {
	const good = (rate: number, channels = 1, bits = 16, format = 1) => {
		const h = wavHeader(rate, 4);
		const v = new DataView(h.buffer);
		v.setUint16(20, format, true);
		v.setUint16(22, channels, true);
		v.setUint16(34, bits, true);
		return new Uint8Array([...h, 1, 0, 2, 0]);
	};
	assert.deepEqual(Array.from(parseWav(good(8000)).samples), [1, 2]);
	assert.throws(() => parseWav(new TextEncoder().encode("hello, not a wav")), /not a WAV file/);
	assert.throws(() => parseWav(good(44100)), /44100 Hz; 8000 or 16000 Hz are needed/);
	assert.throws(() => parseWav(good(8000, 2)), /2 channels; mono/);
	assert.throws(() => parseWav(good(8000, 1, 8)), /8-bit samples/);
	assert.throws(() => parseWav(good(8000, 1, 16, 3)), /format 3 is not PCM/);
	assert.throws(() => parseWav(good(8000).slice(0, 30)), /fmt chunk too short/);
	assert.throws(() => parseWav(good(8000).slice(0, 36)), /no data chunk/);
	assert.throws(() => parseWav(good(8000).slice(0, 44)), /no samples/);
	assert.throws(() => readWav("/nonexistent/mic.wav"), WavError);
	assert.throws(() => openMic("tone:abc", audio), /20 to 7000 Hz/);
	assert.throws(() => openMic("tone:7500", audio), /20 to 7000 Hz/);
	const tone = openMic("tone:440", audio);
	assert.equal(tone.sampleRate, 16000);
	const frame = new Int16Array(16000);
	assert.equal(tone.read(frame), 16000);
	assert.ok(Math.abs(zeroCrossingFrequency(frame, 16000) - 440) < 2);
	const high = openMic("tone:5000", audio);
	high.read(frame);
	assert.ok(Math.abs(zeroCrossingFrequency(frame, 16000) - 5000) < 10, "a 5 kHz tone for wideband calls");
});
