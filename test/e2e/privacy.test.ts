/*
 * Privacy at the door against kamailio and a baresip handset: when 611 calls the door, the door
 * answers at once and its speaker (the simulator's --speaker recording) plays the 1400 Hz
 * privacy tone as the call begins. With auto-answer off the handset's call fails (480) and the
 * door's speaker plays the ding-dong instead; no tone, no call.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rig } from "../rig/index.js";
import { rms, toneShare } from "../lib/rtp-fixtures.js";
import { PRIVACY_HZ } from "../../rtp/chime.js";

let rig: Rig;
const recordings = mkdtempSync(join(tmpdir(), "klingel-privacy-"));
const speakerFile = join(recordings, "door-speaker.wav");

before(async () => {
	rig = await Rig.start({ name: "e2e-privacy", simulator: { args: ["--speaker", speakerFile] } });
});

after(async () => {
	await rig?.stop();
	rmSync(recordings, { recursive: true, force: true });
});

const sim = () => rig.simulator!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The speaker recording's rate (from its header) and samples (after the 44-byte header, whether or not the header is finished). */
function speakerSamples(): Int16Array & { rate?: number } {
	if (!existsSync(speakerFile)) return new Int16Array(0);
	const bytes = readFileSync(speakerFile);
	const data = bytes.subarray(44, 44 + ((bytes.length - 44) & ~1));
	const samples: Int16Array & { rate?: number } = new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
	samples.rate = bytes.readUInt32LE(24);
	return samples;
}

/** 20 ms frames from `from` on in which `hz` is loud and carries most of the power. */
function framesWith(samples: Int16Array, hz: number, from = 0, rate = recordingRate): number {
	const frame = rate / 50;
	let count = 0;
	for (let at = from; at + frame <= samples.length; at += frame) if (rms(samples, at, at + frame) > 1000 && toneShare(samples, rate, hz, at, at + frame) > 0.7) count++;
	return count;
}

/** The recording's sample rate, read from the file's header once there is one. */
let recordingRate = 8000;

test("a handset calls the door: the door's speaker plays the privacy tone when the call begins", { timeout: 60000 }, () =>
	rig.withLogs(async () => {
		const h611 = rig.handset("611");
		const before = speakerSamples().length;
		const mark = h611.mark();
		h611.dial("620");
		await h611.waitFor("established", { from: mark });
		await sim().waitForStatus((s) => s.call === "answered", { what: "the door in the call" });
		await sleep(1500);
		h611.hangup();
		await sim().waitForStatus((s) => s.call === "idle", { what: "idle after the call" });
		await sleep(500);
		const samples = speakerSamples();
		recordingRate = samples.rate ?? 8000;
		assert.ok(recordingRate === 8000 || recordingRate === 16000, `a recording at ${recordingRate} Hz`);
		assert.ok(samples.length - before >= recordingRate, `the call was recorded (${samples.length - before} samples)`);
		const tone = framesWith(samples, PRIVACY_HZ, before);
		assert.ok(tone >= 5 && tone <= 8, `one short tone at the door (${tone} frames of ${PRIVACY_HZ} Hz)`);
		// It comes at the start: within the first half second of the call's audio.
		assert.ok(framesWith(samples.subarray(before, before + recordingRate / 2), PRIVACY_HZ) >= 5, "the tone plays as the call begins");
		const status = await sim().status();
		assert.equal((status.media as { privacy_tones: number }).privacy_tones, 1);
	}));

test("auto-answer off: the handset's call is not answered (480) and the door's chime rings instead", { timeout: 60000 }, () =>
	rig.withLogs(async () => {
		const saved = await sim().request("POST", "/saveSIP", { auto_answer: 0 });
		assert.equal(saved.status, 200);
		const h611 = rig.handset("611");
		const before = speakerSamples().length;
		const dialledAt = Date.now() / 1000;
		const mark = h611.mark();
		h611.dial("620");
		const refused = await rig.kamailio.waitForMessage((m) => rig.fromDoor(m) && m.status === 480, { after: dialledAt, what: "480 from the door" });
		assert.match(refused.header("warning") ?? "", /auto-answer is off/);
		await h611.waitFor("closed", { from: mark });
		assert.equal(h611.saw("established", mark), false);
		await sleep(1500);
		const samples = speakerSamples();
		recordingRate = samples.rate ?? recordingRate;
		assert.ok(framesWith(samples, 880, before) >= 5, "the ding-dong's first note at the door");
		assert.equal(framesWith(samples, PRIVACY_HZ, before), 0, "no privacy tone");
		const status = await sim().status();
		assert.equal(status.call, "idle");
		assert.equal((status.media as { privacy_tones: number }).privacy_tones, 1, "still only the first call's tone");
	}));
