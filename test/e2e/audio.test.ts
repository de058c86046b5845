/*
 * Two-way call audio end to end: kamailio as the FRITZ!Box, the simulator registered as 620
 * with a 440 Hz tone as its microphone (`--mic tone:440`) and a WAV recording as its speaker
 * (`--speaker FILE`), and a baresip handset (611) whose microphone is a 1 kHz tone (aufile) and
 * whose sndfile module records what it receives. Each direction is measured on its own: the
 * door's speaker must hold 1 kHz and not 440 Hz, the handset's recording 440 Hz and not 1 kHz,
 * so a missing, swapped or looped-back stream fails. Once for a call from the handset to the
 * door, once for the button's ring (**610) answered by the handset.
 *
 * Then the same checks with wideband handsets (baresip's g722 module; the door has hd_voice on
 * by default): G.722 is negotiated both ways and carries the tones; handsets asking for 10 ms
 * and 30 ms packets (a=ptime) get them from the door; a 5 kHz tone from a handset's 16 kHz
 * microphone reaches the door's speaker recording through G.722; and a door whose microphone
 * is a 5 kHz tone (a rig of its own) reaches a G.722 handset with it but not a G.711 one.
 */

import { test, before, after, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_USERS, Rig, writeToneWav } from "../rig/index.js";
import { session, until, type SessionStatus } from "./call-media.js";

/** The handset's microphone tone and the door's. */
const HANDSET_HZ = 1000;
const DOOR_HZ = 440;
/** Allowed frequency error. */
const TOLERANCE = 0.02;
/** Received audio a call must carry before it is hung up (frames of 20 ms): 3.5 s. */
const CALL_FRAMES = 175;
/** The part of a recording that is measured: 2 s, ending 0.25 s before the tone stops. */
const WINDOW_S = 2;
const TRIM_END_S = 0.25;
/** The tone must have run this long without a gap (at least the window and the trim). */
const MIN_RUN_S = 2.5;
/** A 20 ms block is part of the tone when its RMS reaches this (about -36 dBFS). */
const LOUD_RMS = 500;
/** The measured window must have at least this RMS: both tones are sent at about -13 dBFS. */
const MIN_RMS = 2000;

// ---- measuring a tone ----------------------------------------------------------------------

interface Wav {
	rate: number;
	samples: Int16Array;
	/** Whether the header's data size covers every byte after it (the writer finished it). */
	complete: boolean;
}

/** Reads a 16-bit mono PCM WAV file (a reader of its own, independent of the simulator's writer). */
function readWav(path: string): Wav {
	const bytes = readFileSync(path);
	if (bytes.length < 12 || bytes.toString("ascii", 0, 4) !== "RIFF" || bytes.toString("ascii", 8, 12) !== "WAVE") throw new Error(`${path} is no WAV file`);
	let rate = 0;
	for (let at = 12; at + 8 <= bytes.length; ) {
		const id = bytes.toString("ascii", at, at + 4);
		const size = bytes.readUInt32LE(at + 4);
		const body = at + 8;
		if (id === "fmt ") {
			const format = bytes.readUInt16LE(body);
			const channels = bytes.readUInt16LE(body + 2);
			const bits = bytes.readUInt16LE(body + 14);
			rate = bytes.readUInt32LE(body + 4);
			if ((format !== 1 && format !== 0xfffe) || channels !== 1 || bits !== 16) throw new Error(`${path}: format ${format}, ${channels} channels, ${bits} bits; 16-bit mono PCM expected`);
		} else if (id === "data") {
			if (!rate) throw new Error(`${path}: data before fmt`);
			const available = bytes.length - body;
			const length = Math.min(size, available) >> 1;
			const samples = new Int16Array(length);
			for (let i = 0; i < length; i++) samples[i] = bytes.readInt16LE(body + 2 * i);
			return { rate, samples, complete: size === available };
		}
		at = body + size + (size & 1);
	}
	throw new Error(`${path}: no data chunk`);
}

interface ToneMeasurement {
	/** Frequency from the zero crossings of the window (Hz). */
	hz: number;
	/** RMS of the window (full scale 32767). */
	rms: number;
	/** Share of the window's power at a frequency (Hann-windowed Goertzel per 20 ms block, averaged): 1 for a pure tone there, near 0 far from it. */
	share(hz: number): number;
	/** Length of the steady tone the window was taken from (s). */
	runS: number;
	/** Where the window starts (s from the start of the samples). */
	startS: number;
}

/**
 * Finds the longest stretch of 20 ms blocks that are all louder than LOUD_RMS and measures its
 * last WINDOW_S seconds, TRIM_END_S before its end (start-up, a chime before the call and the
 * fade-out at the end stay out of it). Undefined when there is no stretch of MIN_RUN_S.
 */
function measureTone(samples: Int16Array, rate: number): ToneMeasurement | undefined {
	const block = Math.round(rate / 50);
	let best = { start: 0, length: 0 };
	let runStart = 0;
	const blocks = Math.floor(samples.length / block);
	for (let b = 0; b <= blocks; b++) {
		let loud = false;
		if (b < blocks) {
			let sum = 0;
			for (let i = b * block; i < (b + 1) * block; i++) sum += samples[i] * samples[i];
			loud = Math.sqrt(sum / block) >= LOUD_RMS;
		}
		if (!loud) {
			if (b - runStart > best.length) best = { start: runStart, length: b - runStart };
			runStart = b + 1;
		}
	}
	const runS = (best.length * block) / rate;
	if (runS < MIN_RUN_S) return undefined;
	const end = (best.start + best.length) * block - Math.round(TRIM_END_S * rate);
	const start = end - Math.round(WINDOW_S * rate);
	const window = samples.subarray(start, end);

	let sum = 0;
	for (const s of window) sum += s * s;
	const rms = Math.sqrt(sum / window.length);

	// Rising zero crossings, each placed between its two samples by linear interpolation.
	let first = -1;
	let last = -1;
	let crossings = 0;
	for (let i = 1; i < window.length; i++) {
		const a = window[i - 1];
		const b = window[i];
		if (a < 0 && b >= 0) {
			const t = i - 1 + a / (a - b);
			if (first < 0) first = t;
			last = t;
			crossings++;
		}
	}
	const hz = crossings > 1 ? ((crossings - 1) * rate) / (last - first) : 0;

	const share = (target: number): number => {
		const n = Math.round(rate / 50);
		const hann = new Float64Array(n);
		let sumW = 0;
		let sumW2 = 0;
		for (let i = 0; i < n; i++) {
			hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
			sumW += hann[i];
			sumW2 += hann[i] * hann[i];
		}
		const k = 2 * Math.cos((2 * Math.PI * target) / rate);
		let total = 0;
		let count = 0;
		for (let at = 0; at + n <= window.length; at += n) {
			let s1 = 0;
			let s2 = 0;
			let power = 0;
			for (let i = 0; i < n; i++) {
				const x = window[at + i] * hann[i];
				power += x * x;
				const s0 = x + k * s1 - s2;
				s2 = s1;
				s1 = s0;
			}
			const magnitude2 = s1 * s1 + s2 * s2 - k * s1 * s2;
			// A sine of amplitude A gives |X|² = A²(Σw)²/4 and Σ(xw)² = A²Σw²/2: the ratio below is 1.
			total += power > 0 ? (2 * magnitude2 * sumW2) / (sumW * sumW * power) : 0;
			count++;
		}
		return count ? total / count : 0;
	};
	return { hz, rms, share, runS, startS: start / rate };
}

/**
 * Checks that `samples` carry a steady tone of `hz` (within TOLERANCE, loud enough, most of
 * the power at it) and next to nothing of `other` (the opposite direction's tone).
 * Returns the measurement; throws an AssertionError saying what is wrong.
 */
function assertTone(samples: Int16Array, rate: number, hz: number, other: number, what: string): ToneMeasurement {
	const m = measureTone(samples, rate);
	assert.ok(m, `${what}: no steady tone of ${MIN_RUN_S} s or more (${(samples.length / rate).toFixed(2)} s recorded)`);
	const described = `${what}: ${m.hz.toFixed(1)} Hz, RMS ${m.rms.toFixed(0)}, ${(100 * m.share(hz)).toFixed(1)} % of the power at ${hz} Hz, ${(100 * m.share(other)).toFixed(1)} % at ${other} Hz, steady for ${m.runS.toFixed(2)} s`;
	assert.ok(m.rms >= MIN_RMS, `${described}: too quiet (RMS under ${MIN_RMS})`);
	assert.ok(Math.abs(m.hz - hz) <= hz * TOLERANCE, `${described}: not within ${TOLERANCE * 100} % of ${hz} Hz`);
	assert.ok(m.share(hz) >= 0.8, `${described}: not mostly ${hz} Hz`);
	assert.ok(m.share(other) <= 0.05, `${described}: ${other} Hz is in it too`);
	return m;
}

function sine(rate: number, seconds: number, parts: Array<{ hz: number; amplitude: number }>): Int16Array {
	const out = new Int16Array(Math.round(rate * seconds));
	for (let i = 0; i < out.length; i++) {
		let v = 0;
		for (const p of parts) v += p.amplitude * Math.sin((2 * Math.PI * p.hz * i) / rate);
		out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
	}
	return out;
}

test("the tone check accepts a tone within 2 % and rejects a wrong, a mixed, a short or a silent one", () => {
	const rate = 8000;
	assert.ok(Math.abs(assertTone(sine(rate, 3, [{ hz: 1000, amplitude: 9000 }]), rate, 1000, 440, "1 kHz").hz - 1000) < 1);
	assert.ok(Math.abs(assertTone(sine(rate, 3, [{ hz: 440, amplitude: 9000 }]), rate, 440, 1000, "440 Hz").hz - 440) < 1);
	assertTone(sine(rate, 3, [{ hz: 1015, amplitude: 9000 }]), rate, 1000, 440, "1.5 % high");
	assertTone(sine(rate, 3, [{ hz: 433.5, amplitude: 9000 }]), rate, 440, 1000, "1.5 % low");
	// A 16 kHz recording is measured the same way.
	assertTone(sine(16000, 3, [{ hz: 440, amplitude: 9000 }]), 16000, 440, 1000, "440 Hz at 16 kHz");
	const rejects = (samples: Int16Array, hz: number, other: number, message: RegExp) => assert.throws(() => assertTone(samples, rate, hz, other, "x"), message);
	rejects(sine(rate, 3, [{ hz: 1000, amplitude: 9000 }]), 440, 1000, /not within 2 % of 440 Hz/);
	rejects(sine(rate, 3, [{ hz: 440, amplitude: 9000 }]), 1000, 440, /not within 2 % of 1000 Hz/);
	rejects(sine(rate, 3, [{ hz: 1025, amplitude: 9000 }]), 1000, 440, /not within 2 %/);
	rejects(sine(rate, 3, [{ hz: 429, amplitude: 9000 }]), 440, 1000, /not within 2 %/);
	// Both tones at once (a stream looped back into the other direction).
	rejects(sine(rate, 3, [{ hz: 1000, amplitude: 9000 }, { hz: 440, amplitude: 3000 }]), 1000, 440, /440 Hz is in it too|not within/);
	rejects(sine(rate, 3, [{ hz: 440, amplitude: 9000 }, { hz: 1000, amplitude: 3000 }]), 440, 1000, /1000 Hz is in it too|not within/);
	// Quiet, silent, too short.
	rejects(sine(rate, 3, [{ hz: 1000, amplitude: 1500 }]), 1000, 440, /too quiet/);
	rejects(new Int16Array(rate * 3), 1000, 440, /no steady tone/);
	rejects(sine(rate, 2, [{ hz: 1000, amplitude: 9000 }]), 1000, 440, /no steady tone/);
	// A gap in the middle leaves two runs that are each too short.
	const gapped = sine(rate, 4, [{ hz: 1000, amplitude: 9000 }]);
	gapped.fill(0, rate * 1.8, rate * 2.2);
	rejects(gapped, 1000, 440, /no steady tone/);
	// Noise is not a tone.
	let seed = 1;
	const noise = new Int16Array(rate * 3).map(() => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 16000) - 8000);
	rejects(noise, 1000, 440, /not within|not mostly/);
});

// ---- the calls -----------------------------------------------------------------------------

let rig: Rig;
let fixtures: string;
let speakerFile: string;

/** A tone only wideband audio carries (G.711 stops at 3.4 kHz). */
const HIGH_HZ = 5000;

before(async () => {
	fixtures = mkdtempSync(join(tmpdir(), "klingel-audio-"));
	const mic = join(fixtures, "handset-1khz.wav"), wideMic = join(fixtures, "handset-1khz-16k.wav");
	const highMic = join(fixtures, "handset-5khz-16k.wav");
	// Longer than every call of this file: baresip ends a call when its aufile runs out.
	writeToneWav(mic, HANDSET_HZ, 60, 0.3);
	writeToneWav(wideMic, HANDSET_HZ, 60, 0.3, 16000);
	writeToneWav(highMic, HIGH_HZ, 60, 0.3, 16000);
	speakerFile = join(fixtures, "door-speaker.wav");
	const users: Record<string, string> = { ...DEFAULT_USERS, "613": "mobil-613", "614": "mobil-614", "615": "mobil-615" };
	rig = await Rig.start({
		name: "e2e-audio",
		kamailio: { ringMembers: ["611", "612"], users },
		handsets: [
			{ user: "611", mic },
			{ user: "612", mic: wideMic, wideband: true },
			{ user: "613", mic, ptime: 10 },
			{ user: "614", mic: wideMic, wideband: true, ptime: 30 },
			{ user: "615", mic: highMic, wideband: true },
		],
		simulator: { args: ["--mic", `tone:${DOOR_HZ}`, "--speaker", speakerFile] },
	});
});

after(async () => {
	await rig?.stop();
	if (fixtures && process.env.KLINGEL_RIG_KEEP === "1") process.stderr.write(`[audio] kept ${fixtures}\n`);
	else if (fixtures) rmSync(fixtures, { recursive: true, force: true });
});

const sim = () => rig.simulator!;

const withLogs = <T>(body: () => Promise<T>) => rig.withLogs(body);

/** Ends whatever a failed test left behind and waits for an idle door. */
const idle = () => rig.idle();

/** What the calls so far left behind: the length of the door's speaker recording and the handset's files. */
interface Before {
	speakerSamples: number;
	handsetFiles: string[];
}

function recorded(user = "611"): Before {
	const { sent, received } = rig.handset(user).recordings();
	// The simulator writes its recording as it plays, so the file's length counts even before the header does.
	const speakerSamples = existsSync(speakerFile) ? Math.max(0, (statSync(speakerFile).size - 44) >> 1) : 0;
	return { speakerSamples, handsetFiles: [...sent, ...received] };
}

/** The audio both sides recorded during the call just ended: the door's speaker, the handset's sent and received streams. */
async function recordingsOfCall(before: Before, user = "611"): Promise<{ speaker: Wav; handsetReceived: Wav; handsetSent: Wav }> {
	// The simulator finishes its WAV header when the call ends: wait for a header that covers the file.
	const speaker = await until(() => {
		if (!existsSync(speakerFile)) return undefined;
		const wav = readWav(speakerFile);
		return wav.complete && wav.samples.length > before.speakerSamples ? wav : undefined;
	}, "finished speaker recording");
	const call = { ...speaker, samples: speaker.samples.slice(before.speakerSamples) };
	// baresip's sndfile closes its files (and writes their headers) when the call's streams end.
	const handset = rig.handset(user);
	const files = await until(() => {
		const { sent, received } = handset.recordings();
		const newSent = sent.filter((f) => !before.handsetFiles.includes(f));
		const newReceived = received.filter((f) => !before.handsetFiles.includes(f));
		if (newSent.length !== 1 || newReceived.length !== 1) return undefined;
		const sentWav = readWav(newSent[0]);
		const receivedWav = readWav(newReceived[0]);
		return sentWav.complete && receivedWav.complete && statSync(newReceived[0]).size > 44 ? { sentWav, receivedWav } : undefined;
	}, `finished recordings from handset ${user}`);
	return { speaker: call, handsetReceived: files.receivedWav, handsetSent: files.sentWav };
}

/**
 * Waits until the door has played CALL_FRAMES frames of received audio and sent as much
 * (in packets of `ptime` ms); returns the status then.
 */
async function talk(ptime = 20): Promise<SessionStatus> {
	const packets = Math.ceil((CALL_FRAMES * 20) / ptime);
	const s = await sim().waitForStatus((s) => (session(s).frames_played ?? 0) >= CALL_FRAMES && (session(s).packets_sent ?? 0) >= packets, {
		timeoutMs: 15000,
		what: `${CALL_FRAMES} frames of audio each way`,
	});
	// The tone checks run with the echo canceller in the microphone's path (audio.aec is on by
	// default): it must leave the door's 440 Hz alone while the speaker plays 1 kHz.
	assert.equal(session(s).echo_control, true, "echo control in the call");
	return session(s);
}

function checkBothWays(t: TestContext, label: string, r: Awaited<ReturnType<typeof recordingsOfCall>>, user = "611"): void {
	// The handset's own microphone, as it sent it: if this fails, the rig's aufile is at fault, not the door.
	assertTone(r.handsetSent.samples, r.handsetSent.rate, HANDSET_HZ, DOOR_HZ, `${label}: what handset ${user} sent`);
	const speaker = assertTone(r.speaker.samples, r.speaker.rate, HANDSET_HZ, DOOR_HZ, `${label}: the door's speaker recording`);
	const handset = assertTone(r.handsetReceived.samples, r.handsetReceived.rate, DOOR_HZ, HANDSET_HZ, `${label}: what handset ${user} received`);
	t.diagnostic(
		`door speaker ${speaker.hz.toFixed(2)} Hz (RMS ${speaker.rms.toFixed(0)}, ${(100 * speaker.share(HANDSET_HZ)).toFixed(1)} % at ${HANDSET_HZ} Hz, steady ${speaker.runS.toFixed(2)} s of ${(r.speaker.samples.length / r.speaker.rate).toFixed(2)} s)`,
	);
	t.diagnostic(
		`handset ${user} received ${handset.hz.toFixed(2)} Hz (RMS ${handset.rms.toFixed(0)}, ${(100 * handset.share(DOOR_HZ)).toFixed(1)} % at ${DOOR_HZ} Hz, steady ${handset.runS.toFixed(2)} s of ${(r.handsetReceived.samples.length / r.handsetReceived.rate).toFixed(2)} s)`,
	);
}

test("handset 611 calls the door: 1 kHz from the handset in the door's speaker recording, 440 Hz from the door in the handset's", { timeout: 45000 }, (t) =>
	withLogs(async () => {
		await idle();
		const h611 = rig.handset("611");
		const before = recorded();
		const mark = h611.mark();
		h611.dial("620");
		await h611.waitFor("established", { from: mark });
		await sim().waitForStatus((s) => s.call === "answered", { what: "the call answered" });
		await talk();
		h611.hangup();
		await h611.waitFor("closed", { from: mark });
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
		checkBothWays(t, "call to the door", await recordingsOfCall(before));
	}));

test("the button rings **610, handset 611 answers: 1 kHz into the door's speaker recording, 440 Hz into the handset's", { timeout: 45000 }, (t) =>
	withLogs(async () => {
		await idle();
		const h611 = rig.handset("611");
		const before = recorded();
		const mark = h611.mark();
		await sim().press();
		await h611.waitFor("incoming", { from: mark });
		h611.answer();
		await h611.waitFor("established", { from: mark });
		await sim().waitForStatus((s) => s.call === "answered", { what: "the call answered" });
		await talk();
		sim().hangup();
		await h611.waitFor("closed", { from: mark });
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
		checkBothWays(t, "ring answered", await recordingsOfCall(before));
	}));

/** Handset `user` calls the door and talks; returns the door's media status during the call and the recordings. */
async function callTheDoor(user: string, ptime = 20): Promise<{ status: SessionStatus; recordings: Awaited<ReturnType<typeof recordingsOfCall>> }> {
	await idle();
	const handset = rig.handset(user);
	const before = recorded(user);
	const mark = handset.mark();
	handset.dial("620");
	await handset.waitFor("established", { from: mark });
	await sim().waitForStatus((s) => s.call === "answered", { what: "the call answered" });
	const status = await talk(ptime);
	handset.hangup();
	await handset.waitFor("closed", { from: mark });
	await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
	return { status, recordings: await recordingsOfCall(before, user) };
}

test("G.722: wideband handset 612 calls the door: G722 both ways, 1 kHz into the door's 16 kHz recording, 440 Hz into the handset's", { timeout: 45000 }, (t) =>
	withLogs(async () => {
		const { status, recordings } = await callTheDoor("612");
		assert.equal(status.codec, "G722");
		assert.equal(recordings.speaker.rate, 16000);
		assert.equal(recordings.handsetReceived.rate, 16000, "the handset decoded 16 kHz audio");
		checkBothWays(t, "G.722 call to the door", recordings, "612");
	}));

test("G.722: the button rings **610, wideband handset 612 answers: the tones both ways", { timeout: 45000 }, (t) =>
	withLogs(async () => {
		await idle();
		const h612 = rig.handset("612");
		const before = recorded("612");
		const mark = h612.mark();
		await sim().press();
		await h612.waitFor("incoming", { from: mark });
		h612.answer();
		await h612.waitFor("established", { from: mark });
		await sim().waitForStatus((s) => s.call === "answered", { what: "the call answered" });
		const status = await talk();
		assert.equal(status.codec, "G722", "the door offered G722 first and the handset took it");
		sim().hangup();
		await h612.waitFor("closed", { from: mark });
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
		checkBothWays(t, "G.722 ring answered", await recordingsOfCall(before, "612"), "612");
	}));

for (const [user, ptime, codec] of [["613", 10, "PCMU"], ["614", 30, "G722"]] as const) {
	test(`a=ptime:${ptime} (${codec}): handset ${user} gets ${ptime} ms packets from the door, the tones pass both ways`, { timeout: 45000 }, (t) =>
		withLogs(async () => {
			const { status, recordings } = await callTheDoor(user, ptime);
			assert.equal(status.codec, codec);
			assert.equal(status.ptime_ms, ptime, "the door sends the packet time the handset asked for");
			// Packets sent against 20 ms frames played: the packets really are ptime long.
			const ratio = ((status.packets_sent ?? 0) * ptime) / ((status.frames_played ?? 1) * 20);
			assert.ok(ratio > 0.85 && ratio < 1.15, `${status.packets_sent} packets of ${ptime} ms for ${status.frames_played} frames of 20 ms`);
			checkBothWays(t, `ptime ${ptime}`, recordings, user);
		}));
}

test(`${HIGH_HZ / 1000} kHz from wideband handset 615's microphone reaches the door's speaker through G.722`, { timeout: 45000 }, (t) =>
	withLogs(async () => {
		const { status, recordings } = await callTheDoor("615");
		assert.equal(status.codec, "G722");
		const heard = assertTone(recordings.speaker.samples, recordings.speaker.rate, HIGH_HZ, DOOR_HZ, "G.722: the door's speaker recording");
		t.diagnostic(`door speaker ${heard.hz.toFixed(1)} Hz at RMS ${heard.rms.toFixed(0)}`);
	}));

test(`a door with a ${HIGH_HZ / 1000} kHz microphone: G.722 handset 612 hears it, G.711 handset 611 does not`, { timeout: 90000 }, async (t) => {
	const wideSilence = join(fixtures, "silence-16k.wav");
	writeToneWav(wideSilence, 1000, 60, 0, 16000);
	const high = await Rig.start({
		name: "e2e-audio-5khz",
		kamailio: { ringMembers: ["611"] },
		// baresip's aufile wants the codec's rate: a 16 kHz (silent) microphone for G.722.
		handsets: [{ user: "611" }, { user: "612", wideband: true, mic: wideSilence }],
		simulator: { args: ["--mic", `tone:${HIGH_HZ}`] },
	});
	try {
		await high.withLogs(async () => {
			for (const user of ["612", "611"]) {
				const handset = high.handset(user);
				const before = handset.recordings().received;
				const mark = handset.mark();
				handset.dial("620");
				await handset.waitFor("established", { from: mark });
				const s = await high.simulator!.waitForStatus((s) => (session(s).packets_sent ?? 0) >= CALL_FRAMES, { timeoutMs: 15000, what: `${CALL_FRAMES} packets to ${user}` });
				handset.hangup();
				await handset.waitFor("closed", { from: mark });
				const wav = await until(() => {
					const fresh = handset.recordings().received.filter((f) => !before.includes(f));
					if (fresh.length !== 1) return undefined;
					const w = readWav(fresh[0]);
					return w.complete && w.samples.length > 0 ? w : undefined;
				}, `the recording of handset ${user}`);
				if (user === "612") {
					assert.equal(session(s).codec, "G722");
					assert.equal(wav.rate, 16000);
					const m = assertTone(wav.samples, wav.rate, HIGH_HZ, DOOR_HZ, "G.722: what handset 612 received");
					t.diagnostic(`G.722: handset 612 received ${m.hz.toFixed(1)} Hz at RMS ${m.rms.toFixed(0)}`);
				} else {
					assert.equal(session(s).codec, "PCMU");
					let sum = 0;
					for (const v of wav.samples) sum += v * v;
					const rms = Math.sqrt(sum / Math.max(1, wav.samples.length));
					t.diagnostic(`G.711: handset 611 received RMS ${rms.toFixed(0)} over ${(wav.samples.length / wav.rate).toFixed(2)} s`);
					assert.equal(measureTone(wav.samples, wav.rate), undefined, "G.711 carried a steady tone");
					assert.ok(rms < LOUD_RMS / 2, `G.711: RMS ${rms.toFixed(0)}; the ${HIGH_HZ} Hz tone should be gone`);
				}
			}
		});
	} finally {
		await high.stop();
	}
});
