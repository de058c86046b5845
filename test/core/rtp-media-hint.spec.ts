import { test, group, assert } from "../lib/spec.js";
import { mediaHint } from "../../rtp/media-hint.js";

const healthy = { running: true, direction: "sendrecv", remote: "127.0.0.1:7078", packets_sent: 500, packets_received: 500, audio_received: 500, dropped_source: 0, frames_played: 500, frames_lost: 0, frames_late: 0, jitter_ms: 2, mic_short_frames: 0, last_drop: "" };

group("media hint", () => {
	test("a healthy call, no call and a call just started say nothing", () => {
		assert.equal(mediaHint(healthy), "");
		assert.equal(mediaHint(null), "");
		assert.equal(mediaHint({ ...healthy, running: false, packets_received: 0, audio_received: 0 }), "");
		assert.equal(mediaHint({ ...healthy, packets_sent: 20, packets_received: 0, audio_received: 0, frames_played: 0 }), "");
	});

	test("no RTP from the handset, RTP from another address, and hold are told apart", () => {
		assert.match(mediaHint({ ...healthy, packets_received: 0, audio_received: 0, frames_played: 0 }), /^No RTP from the handset: is the door's RTP port reachable/);
		assert.match(mediaHint({ ...healthy, packets_received: 300, audio_received: 0, dropped_source: 300, frames_played: 0, last_drop: "source 127.0.0.9:4000" }), /not from 127\.0\.0\.1:7078.*NAT.*127\.0\.0\.9:4000/);
		assert.match(mediaHint({ ...healthy, direction: "sendonly", packets_received: 0, audio_received: 0 }), /holds the call/);
	});

	test("loss, jitter, late packets and a short microphone each have their words", () => {
		assert.match(mediaHint({ ...healthy, frames_played: 400, frames_lost: 100 }), /^20 % of the handset's audio is lost/);
		assert.equal(mediaHint({ ...healthy, frames_played: 490, frames_lost: 10 }), "", "2 % loss is no fault");
		assert.match(mediaHint({ ...healthy, jitter_ms: 55.5 }), /jitter 55\.5 ms/);
		assert.match(mediaHint({ ...healthy, frames_late: 60 }), /too late to be played/);
		assert.match(mediaHint({ ...healthy, mic_short_frames: 3 }), /microphone/);
	});
});
