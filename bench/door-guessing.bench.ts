/*
 * How many codes a guesser can try: the real door opener and lock-out on a fake clock, against
 * a guesser who calls again and again through the PBX. A call costs CALL_MS (dialling, the
 * answer, hanging up) and each digit DIGIT_MS; a call takes at most 3 wrong codes. Strategies:
 *   greedy  keys wrong codes whenever the door is not locked out, and waits out each lock-out;
 *   under   never starts a lock-out: keys a code only while fewer than 9 count in the window.
 * The table shows the guesses in the first hour, the most in any one hour, per hour over a day
 * (all hours from the first guess), and over a week.
 */

import { FakeClock } from "../test/lib/fake-clock.js";
import { MemoryStore } from "../test/lib/app-harness.js";
import { RelayPulse } from "../hardware/relay-pulse.js";
import { doorEventLog } from "../test/lib/door-event-log.js";
import { DoorOpener, type DoorCall } from "../door/door-opener.js";
import { LOCKOUT_THRESHOLD } from "../door/door-lockout.js";

const CALL_MS = 2000;
const DIGIT_MS = 100;
const HOUR = 3_600_000;
const PBX = { address: "127.0.0.1", port: 5060 };
const RTP = { address: "127.0.0.1", port: 7078 };

function run(strategy: "greedy" | "under", hours: number): { times: number[]; lockouts: number } {
	const clock = new FakeClock();
	const log = { info() {}, warn() {}, error() {} };
	const relay = new RelayPulse({ write() {}, close() {} }, clock, log);
	const door = new DoorOpener({ clock, log, relay, events: doorEventLog(() => 0, 10).doorEvents, store: new MemoryStore(), pbx: () => PBX }, { code: "123", pulseMs: 800, maxOpenings: 1 });
	const times: number[] = [];
	let lockouts = 0;
	let calls = 0;
	const end = hours * HOUR;
	while (clock.now() < end) {
		if (door.lockout.active) {
			clock.advance(door.lockout.remainingMs);
			continue;
		}
		if (strategy === "under" && door.lockout.recentWrong >= LOCKOUT_THRESHOLD - 1) {
			clock.advance(1000);
			continue;
		}
		clock.advance(CALL_MS);
		const call: DoorCall = { state: "answered", peer: "guesser", peerAddress: PBX.address, peerPort: PBX.port, callId: `g${++calls}`, media: { remoteAddress: RTP.address, remotePort: RTP.port } };
		for (let n = 0; n < 3 && !door.lockout.active; n++) {
			if (strategy === "under" && door.lockout.recentWrong >= LOCKOUT_THRESHOLD - 1) break;
			let outcome = "";
			for (const d of "999") {
				outcome = door.digit(call, d, "rtp", RTP);
				clock.advance(DIGIT_MS);
			}
			if (outcome === "wrong_code" || outcome === "locked_out") times.push(clock.now());
			if (door.lockout.active) lockouts++;
		}
	}
	return { times, lockouts };
}

/** The most guesses in any window of one hour. */
function busiestHour(times: number[]): number {
	let most = 0;
	let from = 0;
	for (let i = 0; i < times.length; i++) {
		while (times[i] - times[from] >= HOUR) from++;
		most = Math.max(most, i - from + 1);
	}
	return most;
}

export default function doorGuessing() {
	const rows = (["greedy", "under"] as const).map((strategy) => {
		const day = run(strategy, 24);
		const week = run(strategy, 24 * 7);
		return {
			strategy,
			"first hour": day.times.filter((t) => t < day.times[0] + HOUR).length,
			"busiest hour": busiestHour(week.times),
			"per hour, day 1": (day.times.length / 24).toFixed(1),
			"per hour, week": (week.times.length / (24 * 7)).toFixed(1),
			"lock-outs, week": week.lockouts,
			"all 1000 3-digit codes in": `${(1000 / (week.times.length / (24 * 7)) / 24).toFixed(1)} days`,
		};
	});
	return { title: "Door code guessing across calls (fake clock; a call 2 s, a digit 0.1 s, 3 codes a call)", rows };
}
