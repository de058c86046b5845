import { test, group, assert } from "../lib/spec.js";
import { MediaSession } from "../../rtp/media-session.js";
import { FakeClock } from "../lib/fake-clock.js";
import { seededRandom } from "../lib/fake-udp.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp, ToneMic, RecordingSpeaker, rms } from "../lib/rtp-fixtures.js";
import { callThroughBox } from "../lib/echo-box.js";

group("echo control", () => {
	test("the handset's voice comes back from the door's box without echo control, and not with it", () => {
		const without = callThroughBox(false, 0, referenceAudio), withIt = callThroughBox(undefined, 0, referenceAudio);
		const from = 8000, to = 16000; // the second second, at 8 kHz
		const echoWithout = rms(without.heard, from, to), echoWith = rms(withIt.heard, from, to);
		assert.ok(echoWithout > 1500, `without: ${echoWithout.toFixed(0)} rms of the handset's own voice`);
		assert.ok(echoWith < echoWithout / 10, `with: ${echoWith.toFixed(0)} rms, without: ${echoWithout.toFixed(0)}`);
		const on = withIt.door.status(), off = without.door.status();
		assert.equal(on.echo_control, true);
		assert.equal(off.echo_control, false);
		// the canceller's counts: every microphone frame of 16 kHz is 2.5 blocks of 128 samples
		assert.equal(on.echo_blocks, Math.floor((on.frames_sent * 320) / 128), `${on.echo_blocks} blocks for ${on.frames_sent} frames`);
		assert.deepEqual([off.echo_blocks, off.echo_passed_blocks, off.echo_restarts, off.echo_missed_references], [0, 0, 0, 0]);
	});

	test("no echo control unless the speaker and the microphone both run at 16 kHz", () => {
		const clock = new FakeClock();
		const socket = new MemoryUdp(40000, "127.0.0.1");
		const session = new MediaSession({ audio: referenceAudio, socket, clock, random: seededRandom(1), mic: new ToneMic(referenceAudio, 700, 16000), speaker: new RecordingSpeaker(8000) });
		assert.equal(session.status().echo_control, false);
	});
});
