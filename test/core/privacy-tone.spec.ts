import { test, group, assert } from "../lib/spec.js";
import { bootApp } from "../lib/app-harness.js";
import { FakeClock } from "../lib/fake-clock.js";
import { LOCAL, PBX, inboundInvite } from "../lib/ua-harness.js";
import { referenceAudio } from "../lib/reference-audio.js";
import { MemoryUdp, RecordingSpeaker, ToneMic, toneShare, rms } from "../lib/rtp-fixtures.js";
import { PrivacyTone, INTERVAL_MS } from "../../door/privacy-tone.js";
import { PRIVACY_HZ } from "../../rtp/chime.js";
import type { UdpOptions } from "../../modules/ports.js";

/** The application with the reference audio core and a recording speaker. */
function door(sip: Record<string, string | number> = {}) {
	const speaker = new RecordingSpeaker(8000);
	const a = bootApp({
		settings: { sip },
		udp: (o: UdpOptions) => {
			const socket = new MemoryUdp(o.port ?? 0, LOCAL);
			socket.onReadable = () => o.onReadable?.(1);
			return socket;
		},
		env: { routes: { add() {} }, audio: referenceAudio, mic: new ToneMic(referenceAudio, 440), speaker },
	});
	return { ...a, speaker };
}

/** The runs of 20 ms frames that hold the privacy tone, as [first frame, frames]. */
function beeps(samples: number[]): Array<[number, number]> {
	const runs: Array<[number, number]> = [];
	for (let f = 0; (f + 1) * 160 <= samples.length; f++) {
		const from = f * 160, to = from + 160;
		const on = rms(samples, from, to) > 1000 && toneShare(samples, 8000, PRIVACY_HZ, from, to) > 0.8;
		if (!on) continue;
		const last = runs[runs.length - 1];
		if (last && last[0] + last[1] === f) last[1]++;
		else runs.push([f, 1]);
	}
	return runs;
}

group("privacy at the door", () => {
	test("PrivacyTone: a tone at start and every INTERVAL_MS, none after stop; a second start changes nothing", () => {
		const clock = new FakeClock();
		const times: number[] = [];
		const tone = new PrivacyTone(clock, () => times.push(clock.now()));
		tone.start();
		clock.advance(INTERVAL_MS / 2);
		tone.start();
		clock.advance(INTERVAL_MS * 2);
		tone.stop();
		clock.advance(INTERVAL_MS * 3);
		assert.deepEqual(times, [0, INTERVAL_MS, 2 * INTERVAL_MS]);
		assert.equal(tone.running, false);
	});

	test("a handset's call: the door's speaker plays the tone when answered and every 30 s, and stops with the call", () => {
		const d = door();
		const { request } = d.call();
		d.clock.advance(65000);
		const runs = beeps(d.speaker.samples);
		assert.equal(runs.length, 3, `tones at ${JSON.stringify(runs)}`);
		assert.ok(runs[0][0] <= 2, "the first tone comes with the answer");
		// 30 s is 1,500 frames; a tone's first frame may count or not (where the fade-in falls).
		assert.ok(Math.abs(runs[1][0] - runs[0][0] - 1500) <= 1, `30 s later (${runs[1][0] - runs[0][0]} frames)`);
		assert.ok(Math.abs(runs[2][0] - runs[1][0] - 1500) <= 1, `30 s later (${runs[2][0] - runs[1][0]} frames)`);
		for (const [, frames] of runs) assert.ok(frames >= 6 && frames <= 8, `a short tone (${frames} frames)`);
		assert.equal(d.application.doorbell.privacy.running, true);
		request("BYE", 101, "z9hG4bKbye1");
		assert.equal(d.application.doorbell.privacy.running, false);
		const status = JSON.parse(JSON.stringify(d.application.status())) as { media: { last_session: unknown; privacy_tones: number } };
		assert.equal(status.media.privacy_tones, 3);
	});

	test("the door's own ring, answered by a handset, plays no privacy tone (the visitor rang)", () => {
		const d = door();
		d.application.doorbell.press("web");
		const invite = d.sent().find((m) => m.method === "INVITE")!;
		d.answer(invite, 200, "OK", { toTag: "h1", headers: [`Contact: <sip:611@${PBX}:5060>`, "Content-Type: application/sdp"] });
		d.clock.advance(40000);
		assert.equal(d.application.doorbell.privacy.played, 0);
		assert.deepEqual(beeps(d.speaker.samples), []);
	});

	test("auto-answer off: a handset's call gets 480 and rings the door's chime; no call, no tone", () => {
		const d = door({ auto_answer: 0 });
		d.sip.deliver(inboundInvite().replace(/\r?\n/g, "\r\n"), PBX, 5060);
		const answers = d.sent();
		assert.ok(answers.some((m) => m.status === 480 && /auto-answer is off/.test(m.header("warning") ?? "")), answers.map((m) => m.status).join(","));
		assert.equal(answers.some((m) => m.status === 200), false);
		d.clock.advance(1000);
		const status = JSON.parse(JSON.stringify(d.application.status())) as { call: string; media: { chimes: number } };
		assert.equal(status.call, "idle");
		assert.equal(status.media.chimes, 1);
		assert.ok(d.speaker.frames >= 30, "the chime played at the door");
		assert.equal(d.application.doorbell.privacy.played, 0);
	});
});
