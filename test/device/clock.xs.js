/*
 * modules/device/clock.ts (as tsc -p tsconfig.device.json emits it) on the XS test host, over
 * models of the SDK's timer and time (sdk/timer.js, sdk/time.js; KLINGEL_XS_EMBEDDED=test/device/sdk):
 * the call's frame clock (rtp/frame-clock.ts) on it, its frames moved sooner by a part of a
 * millisecond, as the media session moves its playout clock by the jitter buffer's spare time.
 * Time.ticks counts whole ms, so a timer asked for 0.5 ms must not become one of 0 ms: that fires
 * at the event loop's next pass, before the frame is due, and re-armed so again and again the
 * loop spins, a new timer at each pass, until the tick changes. Prints "ok - …" / "not ok - …"
 * lines and "N passed, N failed".
 */
import { DeviceClock } from "../../build/device/modules/device/clock.js";
import { FrameClock } from "../../build/device/rtp/frame-clock.js";
import Timer from "timer";
import Time from "time";
import { check, summary } from "./xs-checks.js";

/** The most passes of the event loop in one tick that the model runs (a spinning loop would run on). */
const MAX_PASSES = 50;

const clock = new DeviceClock();
const frames = new FrameClock(clock, 20, 5);
let spun = 0;
/** `ms` ticks of the device: at each, the loop passes until no timer is due. */
function run(ms) {
	for (let i = 0; i < ms; i++) {
		Time.ticks++;
		let passes = 0;
		while (passes < MAX_PASSES && Timer.pass() > 0) passes++;
		if (passes === MAX_PASSES) spun++;
	}
}

let ran = 0;
frames.start(() => ran++);
run(1000);
frames.advance(2.5);
run(20);
const made = Timer.made, ranBefore = ran;
run(1000);
check(ran - ranBefore === 50, "a frame clock moved sooner by 2.5 ms: 50 frames a second", `${ran - ranBefore} frames`);
check(Timer.made - made <= 51 && spun === 0, "a frame clock moved sooner by 2.5 ms: one timer a frame, and the event loop never spins waiting for a frame", `${Timer.made - made} timers for 50 frames, ${spun} ticks with ${MAX_PASSES} passes of the loop`);
frames.stop();
check(Timer.pending === 0, "the frame clock stopped: no timer left", `${Timer.pending} timers`);

summary();
