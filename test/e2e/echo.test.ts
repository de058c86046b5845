/*
 * Echo control end to end: the simulator as a door in its box (`--echo`: what its speaker plays
 * comes back into its microphone), kamailio as the FRITZ!Box and a baresip handset whose
 * microphone is espeak-ng speech. The handset calls the door and talks; the door plays the
 * speech and hears it again through the box. Each case runs twice, the setting `aec` saved
 * as 0 and as 1 before the call (whatever its default), and the handset's own recordings are
 * compared: with the canceller off its speech must come back clearly (its level against what it
 * sent, and its loudness following the speech's), with it on at least ECHO_MARGIN_DB less.
 * With near-end sound (the door's microphone also hears a tone) the tone must reach the handset
 * at its frequency and within NEAR_MARGIN_DB of its level in a call with the canceller off (and
 * within NEAR_DIP_DB in every half second): for a silent handset and for one that talks (double
 * talk). With the device's output delay in the box (`--echo-latency`, the echo 150 ms later than
 * the frame written) the canceller must find that delay (the call's `echo_delay_ms`) and take the
 * echo out by as much as without it.
 */

import { test, before, after, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_USERS, Rig, writeWav } from "../rig/index.js";
import { readWav, type Wav } from "../../modules/host/wav.js";
import { lastSession, mediaFigures, session, until, type SessionStatus } from "./call-media.js";

/** How much less of its own speech the handset must hear back with the canceller on. */
const ECHO_MARGIN_DB = 15;
/** With it off the echo must be clearly there: no more than this far below what was sent. */
const AUDIBLE_ECHO_DB = -20;
/** The door's own tone with the canceller on, against the same call with it off: its level over the call (the goal for near-end speech in double talk)... */
const NEAR_MARGIN_DB = 3;
/** ...and in every half second (a deeper dip chops the visitor's voice). */
const NEAR_DIP_DB = 6;
const DOOR_HZ = 440;
/** `--echo-latency`: the echo this much later than the frame written to the speaker (ms)... */
const LATENCY_MS = 150;
/** ...and the canceller's filter: the delay it finds may fall short of the latency by up to this (its tail covers the rest), and exceed it by at most LATE_MS. */
const TAIL_MS = 64;
const LATE_MS = 10;
/**
 * The pause between two calls, longer than the box's sound takes to die away (its latency, at
 * most 250 ms, and the path): the next call came 60 ms after the last on a fast machine, and the
 * echo of the last call's final words, still on its way through the box, came into the new
 * call with nothing in the canceller's reference, which made its first hold wrong. No one calls
 * a door again within a quarter of a second.
 */
const BETWEEN_CALLS_MS = 500;
/** Frames of 20 ms the door plays and sends before the handset hangs up: 7 s. */
const CALL_FRAMES = 350;
/** What is measured: from 2 s into the call (the canceller has had time to learn the path) to 0.5 s before its end. */
const FROM_S = 2;
const TRIM_END_S = 0.5;

const TEXT =
	"Hello, this is the door. Somebody is standing at the gate with a parcel for you. " +
	"Could you please come down and open the door, or tell me where to leave it? Thank you very much.";

// ---- measuring --------------------------------------------------------------------------------

/** Energy of 20 ms blocks of `samples`. */
function blockEnergies(samples: Int16Array, rate: number): Float64Array {
	const block = rate / 50;
	const out = new Float64Array(Math.floor(samples.length / block));
	for (let b = 0; b < out.length; b++) {
		let e = 0;
		for (let i = b * block; i < (b + 1) * block; i++) e += samples[i] * samples[i];
		out[b] = e;
	}
	return out;
}

interface EchoMeasurement {
	/** What came back against what was sent over the measured part (dB; 0 = as loud). */
	returnDb: number;
	/** Correlation of the received loudness (per 20 ms, in dB) with the sent one's at the best lag. */
	follows: number;
	lagMs: number;
}

/**
 * The handset's own speech in what it received: the energy of the received recording against
 * the sent one over the measured part, and how closely the received loudness follows the sent
 * speech's syllables (lags up to 500 ms: the network, the jitter buffers, the box).
 */
function measureEcho(sent: Wav, received: Wav): EchoMeasurement {
	assert.equal(sent.sampleRate, received.sampleRate, "both recordings at one rate");
	const rate = sent.sampleRate;
	const s = blockEnergies(sent.samples, rate), r = blockEnergies(received.samples, rate);
	const from = FROM_S * 50, to = Math.min(s.length, r.length) - TRIM_END_S * 50;
	assert.ok(to - from >= 150, `${((to - from) / 50).toFixed(1)} s to measure; 3 s at least`);
	let es = 0, er = 0;
	for (let b = from; b < to; b++) {
		es += s[b];
		er += r[b];
	}
	const db = (e: Float64Array) => Array.from(e, (v) => 10 * Math.log10(v / (rate / 50) + 1));
	const sd = db(s), rd = db(r);
	let follows = -1, lag = 0;
	for (let l = 0; l <= 25; l++) {
		const n = to - from - l;
		let ms = 0, mr = 0;
		for (let b = from; b < from + n; b++) {
			ms += sd[b];
			mr += rd[b + l];
		}
		ms /= n;
		mr /= n;
		let c = 0, vs = 0, vr = 0;
		for (let b = from; b < from + n; b++) {
			c += (sd[b] - ms) * (rd[b + l] - mr);
			vs += (sd[b] - ms) ** 2;
			vr += (rd[b + l] - mr) ** 2;
		}
		const corr = vs > 0 && vr > 0 ? c / Math.sqrt(vs * vr) : 0;
		if (corr > follows) {
			follows = corr;
			lag = l * 20;
		}
	}
	return { returnDb: 10 * Math.log10((er + 1) / (es + 1)), follows, lagMs: lag };
}

/** Amplitude of a sine at `hz` in samples[from, to) (a single-bin DFT). */
function amplitudeAt(samples: Int16Array, rate: number, hz: number, from: number, to: number): number {
	let re = 0, im = 0;
	const w = (2 * Math.PI * hz) / rate;
	for (let i = from; i < to; i++) {
		re += samples[i] * Math.cos(w * i);
		im -= samples[i] * Math.sin(w * i);
	}
	return (2 * Math.hypot(re, im)) / (to - from);
}

interface ToneLevels {
	/** The strongest frequency near DOOR_HZ over the measured part (0.25 Hz steps). */
	hz: number;
	/** The tone's amplitude over the measured part, and in each 0.5 s of it. */
	level: number;
	levels: number[];
}

function measureTone(received: Wav): ToneLevels {
	const rate = received.sampleRate, samples = received.samples;
	const from = FROM_S * rate, to = samples.length - TRIM_END_S * rate;
	assert.ok(to - from >= 3 * rate, `${((to - from) / rate).toFixed(1)} s to measure; 3 s at least`);
	let hz = 0, best = -1;
	for (let f = DOOR_HZ * 0.9; f <= DOOR_HZ * 1.1; f += 0.25) {
		const a = amplitudeAt(samples, rate, f, from, from + 2 * rate);
		if (a > best) {
			best = a;
			hz = f;
		}
	}
	const levels: number[] = [];
	for (let at = from; at + rate / 2 <= to; at += rate / 2) levels.push(amplitudeAt(samples, rate, hz, at, at + rate / 2));
	return { hz, level: amplitudeAt(samples, rate, hz, from, to), levels };
}

const dB = (ratio: number) => 20 * Math.log10(ratio);

test("the measures: the echo's level and how it follows the speech, a tone's frequency and level", () => {
	const rate = 16000;
	// Syllables: bursts of noise of varying loudness; the echo is the same 60 ms later at -6 dB.
	let seed = 5;
	const sent = new Int16Array(rate * 6);
	for (let i = 0; i < sent.length; i++) {
		seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
		const syllable = Math.floor(i / 3000);
		const loud = syllable % 3 === 0 ? 0 : 3000 * (1 + (syllable % 5));
		sent[i] = Math.round(((seed >>> 16) / 65536 - 0.5) * loud);
	}
	const echo = new Int16Array(sent.length);
	for (let i = 960; i < echo.length; i++) echo[i] = sent[i - 960] >> 1;
	const m = measureEcho({ sampleRate: rate, samples: sent }, { sampleRate: rate, samples: echo });
	assert.ok(Math.abs(m.returnDb + 6) < 0.5, `${m.returnDb.toFixed(2)} dB`);
	assert.ok(m.follows > 0.9, `follows ${m.follows.toFixed(2)}`);
	assert.equal(m.lagMs, 60);
	// Noise of its own does not follow the speech.
	const other = new Int16Array(sent.length);
	for (let i = 0; i < other.length; i++) {
		seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
		other[i] = Math.round(((seed >>> 16) / 65536 - 0.5) * 4000);
	}
	assert.ok(measureEcho({ sampleRate: rate, samples: sent }, { sampleRate: rate, samples: other }).follows < 0.3);
	// A 440 Hz tone of amplitude 8000 with loud noise over it, 3 dB quieter in its last second.
	const tone = new Int16Array(rate * 6);
	for (let i = 0; i < tone.length; i++) tone[i] = Math.round((i < rate * 5 ? 8000 : 5657) * Math.sin((2 * Math.PI * 441 * i) / rate) + other[i]);
	const t = measureTone({ sampleRate: rate, samples: tone });
	assert.ok(Math.abs(t.hz - 441) <= 0.5, `${t.hz} Hz`);
	assert.ok(Math.abs(t.levels[0] - 8000) < 300, `${t.levels[0].toFixed(0)}`);
	assert.ok(Math.abs(dB(t.levels[t.levels.length - 1] / 8000) + 3) < 0.5, `${t.levels.map((l) => l.toFixed(0)).join(" ")}`);
	// Over 2 s to 5.5 s: 3 s at 8000 and 0.5 s at 5657.
	assert.ok(Math.abs(t.level - (3 * 8000 + 0.5 * 5657) / 3.5) < 150, `${t.level.toFixed(0)}`);
});

// ---- the calls ------------------------------------------------------------------------------

let fixtures: string;
let speech16k: string;
let speech8k: string;

before(() => {
	fixtures = mkdtempSync(join(tmpdir(), "klingel-echo-"));
	const spoken = join(fixtures, "spoken.wav");
	execFileSync("espeak-ng", ["-v", "en-us", "-s", "150", "-w", spoken, TEXT]);
	// baresip ends the call when its aufile ends: the speech again and again for a minute.
	for (const [rate, name] of [[16000, "speech-16k.wav"], [8000, "speech-8k.wav"]] as const) {
		const once = join(fixtures, `once-${rate}.wav`);
		// -D: no dither, which is random; the same speech in every run
		execFileSync("sox", ["-D", spoken, "-r", String(rate), "-c", "1", "-b", "16", once]);
		const samples = readWav(once).samples, looped = new Int16Array(rate * 60);
		for (let at = 0; at < looped.length; at += samples.length) looped.set(samples.subarray(0, looped.length - at), at);
		writeWav(join(fixtures, name), looped, rate);
	}
	speech16k = join(fixtures, "speech-16k.wav");
	speech8k = join(fixtures, "speech-8k.wav");
});

after(() => {
	if (fixtures && process.env.KLINGEL_RIG_KEEP === "1") process.stderr.write(`[echo] kept ${fixtures}\n`);
	else if (fixtures) rmSync(fixtures, { recursive: true, force: true });
});

/** The box's counts of the door's clocks ticking out of order (simulator status `echo_box`). */
interface BoxCounts {
	reads_without_play: number;
	plays_unread: number;
}
const boxCounts = (s: Record<string, unknown>) => (s.echo_box ?? { reads_without_play: 0, plays_unread: 0 }) as BoxCounts;

/**
 * Saves `aec`, then `user` calls the door and talks for CALL_FRAMES frames; returns the door's
 * media status during the call, what the handset sent and received, and what explains a
 * measurement (the box's clock counts and the finished call's media figures).
 */
async function talk(rig: Rig, user: string, aec: 0 | 1): Promise<{ status: SessionStatus; last: SessionStatus; sent: Wav; received: Wav; explained: string }> {
	const sim = rig.simulator!;
	await rig.idle();
	await new Promise((r) => setTimeout(r, BETWEEN_CALLS_MS));
	const saved = await sim.request("POST", "/saveSIP", { aec });
	assert.ok(saved.ok, `saving aec=${aec}: ${saved.status} ${await saved.text()}`);
	const handset = rig.handset(user);
	const before = handset.recordings();
	const old = [...before.sent, ...before.received];
	const mark = handset.mark();
	const counted = boxCounts(await sim.status());
	handset.dial("620");
	await handset.waitFor("established", { from: mark });
	const s = await sim.waitForStatus((s) => (session(s).frames_played ?? 0) >= CALL_FRAMES && (session(s).packets_sent ?? 0) >= CALL_FRAMES, {
		timeoutMs: 20000,
		what: `${CALL_FRAMES} frames each way`,
	});
	handset.hangup();
	await handset.waitFor("closed", { from: mark });
	const idle = await sim.waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
	const after = boxCounts(idle);
	// Diagnostics: the canceller expects each microphone frame right after the speaker's.
	const explained = `${after.reads_without_play - counted.reads_without_play} microphone frames read with no speaker frame before, ${after.plays_unread - counted.plays_unread} speaker frames with none after; ${mediaFigures(lastSession(idle))}`;
	const files = await until(() => {
		const { sent, received } = handset.recordings();
		const newSent = sent.filter((f) => !old.includes(f)), newReceived = received.filter((f) => !old.includes(f));
		if (newSent.length !== 1 || newReceived.length !== 1 || statSync(newReceived[0]).size <= 44) return undefined;
		return { sent: readWav(newSent[0]), received: readWav(newReceived[0]) };
	}, `the recordings of handset ${user}`);
	return { status: session(s), last: lastSession(idle), ...files, explained };
}

function echoCase(t: TestContext, label: string, off: EchoMeasurement, on: EchoMeasurement, explained: string): void {
	const less = off.returnDb - on.returnDb;
	const figures = `${label}: the handset's speech came back at ${off.returnDb.toFixed(1)} dB with aec 0 (loudness following it ${off.follows.toFixed(2)}, ${off.lagMs} ms later), ${on.returnDb.toFixed(1)} dB with aec 1: ${less.toFixed(1)} dB less (aec 1: ${explained})`;
	t.diagnostic(figures);
	assert.ok(off.returnDb >= AUDIBLE_ECHO_DB, `${figures}; without the canceller the echo should be within ${-AUDIBLE_ECHO_DB} dB of the speech`);
	assert.ok(off.follows >= 0.5, `${figures}; without the canceller the received sound should follow the speech`);
	assert.ok(less >= ECHO_MARGIN_DB, `${figures}; at least ${ECHO_MARGIN_DB} dB less expected`);
}

/** A rig of the door in its box (`--echo MODE`, more simulator options after) with a wideband and a narrowband handset talking. */
async function boxRig(name: string, args: string[]): Promise<Rig> {
	return Rig.start({
		name,
		kamailio: { ringMembers: ["611"] },
		handsets: [
			{ user: "611", mic: speech8k },
			{ user: "612", mic: speech16k, wideband: true },
		],
		simulator: { args },
	});
}

// The small speaker's clipping with G.722 only: the codec makes no difference to the box.
for (const [mode, calls] of [["room", [["612", "G722"], ["611", "PCMU"]]], ["clip", [["612", "G722"]]]] as const) {
	test(`--echo ${mode}: the handset hears its own speech back from the door with aec 0, at least ${ECHO_MARGIN_DB} dB less with aec 1 (${calls.map((c) => c[1]).join(", ")})`, { timeout: 150000 }, async (t) => {
		const rig = await boxRig(`e2e-echo-${mode}`, ["--echo", mode]);
		try {
			await rig.withLogs(async () => {
				for (const [user, codec] of calls) {
					const off = await talk(rig, user, 0);
					assert.equal(off.status.codec, codec);
					assert.equal(off.status.echo_control, false, "aec 0: no canceller in the call");
					const on = await talk(rig, user, 1);
					assert.equal(on.status.echo_control, true, "aec 1: the canceller runs in the call");
					echoCase(t, `${mode}, ${codec}`, measureEcho(off.sent, off.received), measureEcho(on.sent, on.received), on.explained);
				}
			});
		} finally {
			await rig.stop();
		}
	});
}

test(`--echo room --echo-latency ${LATENCY_MS}: the canceller finds the delay (${LATENCY_MS - TAIL_MS} to ${LATENCY_MS + LATE_MS} ms) and the handset hears its own speech at least ${ECHO_MARGIN_DB} dB less with aec 1 (G722)`, { timeout: 150000 }, async (t) => {
	const rig = await boxRig("e2e-echo-latency", ["--echo", "room", "--echo-latency", String(LATENCY_MS)]);
	try {
		await rig.withLogs(async () => {
			const off = await talk(rig, "612", 0);
			assert.equal(off.status.codec, "G722");
			assert.equal(off.status.echo_control, false, "aec 0: no canceller in the call");
			const on = await talk(rig, "612", 1);
			assert.equal(on.status.echo_control, true, "aec 1: the canceller runs in the call");
			const delay = on.last.echo_delay_ms;
			t.diagnostic(`the canceller's delay at the call's end: ${delay} ms (the box's latency ${LATENCY_MS} ms)`);
			echoCase(t, `room with ${LATENCY_MS} ms latency, G722`, measureEcho(off.sent, off.received), measureEcho(on.sent, on.received), on.explained);
			assert.ok(typeof delay === "number" && delay >= LATENCY_MS - TAIL_MS && delay <= LATENCY_MS + LATE_MS, `the canceller's delay ${delay} ms; ${LATENCY_MS - TAIL_MS} to ${LATENCY_MS + LATE_MS} expected`);
		});
	} finally {
		await rig.stop();
	}
});

/**
 * Who calls the door with the canceller on: silent 613 (the canceller alone with the door's
 * sound), then 612 talking (double talk: the echo of its speech on top of the tone).
 */
const NEAR_CASES = [["613", "handset silent"], ["612", "handset talking"]] as const;

test(`near-end sound: the door's ${DOOR_HZ} Hz microphone tone in its box reaches the handset at its frequency and within ${NEAR_MARGIN_DB} dB of its level with aec 1 (${NEAR_CASES.map((c) => c[1]).join(", ")})`, { timeout: 150000 }, async (t) => {
	const silence16k = join(fixtures, "silence-16k.wav");
	writeWav(silence16k, new Int16Array(16000 * 60), 16000);
	const rig = await Rig.start({
		name: "e2e-echo-near",
		kamailio: { ringMembers: ["612"], users: { ...DEFAULT_USERS, "613": "mobil-613" } },
		handsets: [
			{ user: "612", mic: speech16k, wideband: true },
			{ user: "613", mic: silence16k, wideband: true },
		],
		simulator: { args: ["--echo", "room", "--mic", `tone:${DOOR_HZ}`] },
	});
	try {
		await rig.withLogs(async () => {
			const off = await talk(rig, "612", 0);
			const reference = measureTone(off.received);
			const level = reference.level;
			const described = `aec 0, handset talking: ${reference.hz.toFixed(2)} Hz at amplitude ${level.toFixed(0)}`;
			t.diagnostic(described);
			assert.ok(Math.abs(reference.hz - DOOR_HZ) <= DOOR_HZ * 0.02, `${described}: the tone did not reach the handset`);
			assert.ok(level > 3000, `${described}: the tone is too quiet`);
			for (const [user, what] of NEAR_CASES) {
				const on = await talk(rig, user, 1);
				assert.equal(on.status.echo_control, true);
				const heard = measureTone(on.received);
				const worst = heard.levels.reduce((w, l) => (Math.abs(dB(l / level)) > Math.abs(dB(w / level)) ? l : w));
				const figures = `aec 1, ${what}: ${heard.hz.toFixed(2)} Hz, ${dB(heard.level / level).toFixed(1)} dB against aec 0 over the call, per 0.5 s ${heard.levels.map((l) => dB(l / level).toFixed(1)).join(" ")} dB (${on.explained})`;
				t.diagnostic(figures);
				assert.ok(Math.abs(heard.hz - DOOR_HZ) <= DOOR_HZ * 0.02, `${figures}: not within 2 % of ${DOOR_HZ} Hz`);
				assert.ok(Math.abs(dB(heard.level / level)) <= NEAR_MARGIN_DB, `${figures}: the tone's level moved by more than ${NEAR_MARGIN_DB} dB`);
				assert.ok(Math.abs(dB(worst / level)) <= NEAR_DIP_DB, `${figures}: a half second moved by ${dB(worst / level).toFixed(1)} dB`);
			}
		});
	} finally {
		await rig.stop();
	}
});
