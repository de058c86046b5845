import { test, group, assert } from "../lib/spec.js";
import { MediaSession } from "../../rtp/media-session.js";
import { FakeClock } from "../lib/fake-clock.js";
import { seededRandom } from "../lib/fake-udp.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp, ToneMic, RecordingSpeaker, rms } from "../lib/rtp-fixtures.js";
import { callThroughBox } from "../lib/echo-box.js";
import { AEC_COUNT_DELAY, type NativeAudio } from "../../modules/native-audio.js";

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
		assert.deepEqual([off.echo_blocks, off.echo_passed_blocks, off.echo_restarts, off.echo_missed_references, off.echo_delay_ms], [0, 0, 0, 0, 0]);
		assert.equal(on.echo_delay_ms, 0, "the reference canceller holds nothing back");
	});

	test("the delay the canceller holds the reference back by reaches the status in ms, to a tenth, during the call and after it", () => {
		// A canceller that says it holds back 1,401 samples (87.5625 ms at 16 kHz) once it has taken a second of frames.
		const holding: NativeAudio = {
			...referenceAudio,
			echoCanceller(rate, flags) {
				const inner = referenceAudio.echoCanceller(rate, flags);
				let frames = 0;
				return {
					process: (far, mic, out) => (frames++, inner.process(far, mic, out)),
					count: (which) => (which === AEC_COUNT_DELAY && frames >= 50 ? 1401 : inner.count(which)),
					close: () => inner.close(),
				};
			},
		};
		const { door } = callThroughBox(undefined, 0, holding);
		const status = door.status();
		assert.equal(status.echo_control, true);
		assert.equal(status.echo_delay_ms, 87.6);
		door.stop();
		assert.equal(door.status().echo_delay_ms, 87.6, "tallied as the call ended");
	});

	test("no echo control unless the speaker and the microphone both run at 16 kHz", () => {
		const clock = new FakeClock();
		const socket = new MemoryUdp(40000, "127.0.0.1");
		const session = new MediaSession({ audio: referenceAudio, socket, clock, random: seededRandom(1), mic: new ToneMic(referenceAudio, 700, 16000), speaker: new RecordingSpeaker(8000) });
		assert.equal(session.status().echo_control, false);
	});
});
