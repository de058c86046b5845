import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { RelayPulse } from "../../hardware/relay-pulse.js";
import { doorEventLog } from "../lib/door-event-log.js";
import { DoorOpener, type DoorCall, type DoorSettings, type DigitVia, type DigitSource, INTER_DIGIT_TIMEOUT_MS, INFO_LATENESS_MS, isDoorCode } from "../../door/door-opener.js";
import { RecordingOut } from "../lib/recording-out.js";
import { MemoryStore } from "../lib/app-harness.js";
import { memoryLogger } from "../lib/memory-logger.js";

const PBX = "192.168.178.1";
const RTP = { address: "192.168.178.1", port: 7078 };
/** Where the PBX's signalling, and so its INFO digits, come from. */
const SIGNALLING = { address: PBX, port: 5060 };
/** A code that never shows up in times or ports of these tests, to look for it in the output. */
const SECRET = "97531";

function makeCall(overrides: Partial<DoorCall> = {}): DoorCall & { state: string } {
	return { state: "answered", peer: '"Küche" <sip:611@fritz.box>', peerAddress: PBX, peerPort: 5060, callId: "c1@door", media: { remoteAddress: RTP.address, remotePort: RTP.port }, ...overrides };
}

function rig(settings: Partial<DoorSettings> = {}, store = new MemoryStore(), hangup?: (call: DoorCall, reason: string) => void) {
	const clock = new FakeClock();
	const lines: string[] = [];
	const log = memoryLogger(lines);
	const out = new RecordingOut(clock);
	const relay = new RelayPulse(out, clock, log);
	let wall = 1_780_000_000_000;
	const { doorEvents: events, log: eventLog } = doorEventLog(() => wall + clock.now(), undefined, clock, (error) => log.error(`events: a listener threw: ${(error as Error).message}`));
	let pbx: { address: string; port: number } | undefined = { address: PBX, port: 5060 };
	const opener = new DoorOpener({ clock, log, relay, events, store, pbx: () => pbx, hangup }, { code: "123", pulseMs: 800, maxOpenings: 1, ...settings });
	const tones: string[] = [];
	opener.playTone = (kind) => tones.push(kind);
	const call = makeCall();
	const send = (digits: string, via: DigitVia = "rtp", source: DigitSource | undefined = via === "rtp" ? RTP : SIGNALLING, on: DoorCall | undefined = call, gap = 100) => {
		const outcomes: string[] = [];
		for (const d of digits) {
			outcomes.push(opener.digit(on, d, via, source));
			clock.advance(gap);
		}
		return outcomes;
	};
	return { clock, lines, out, relay, events, eventLog, opener, tones, call, send, store, setPbx: (p: typeof pbx) => (pbx = p), setWall: (w: number) => (wall = w) };
}

group("door opener", () => {
	test("a door code is 1 to 16 keys of 0-9, * and #: every character and every length", () => {
		const pattern = /^[0-9*#]{1,16}$/;
		for (let c = 0; c < 0x3100; c++) {
			const key = String.fromCharCode(c);
			assert.equal(isDoorCode(key), pattern.test(key), `isDoorCode(0x${c.toString(16)})`);
			assert.equal(isDoorCode("1" + key + "#"), pattern.test("1" + key + "#"), `isDoorCode(1, 0x${c.toString(16)}, #)`);
		}
		for (let n = 0; n <= 18; n++) assert.equal(isDoorCode("*".repeat(n)), n >= 1 && n <= 16, `${n} keys`);
	});

	test("123 by RFC 4733 from the negotiated peer opens: one pulse of 800 ms, a confirm tone and an event", () => {
		const r = rig();
		assert.deepEqual(r.send("123"), ["entered", "entered", "opened"]);
		r.clock.advance(2000);
		assert.deepEqual(r.out.pulses(), [[200, 1000]]);
		assert.deepEqual(r.tones, ["confirm"]);
		const [event] = r.events.last(20);
		assert.equal(event.kind, "opened");
		assert.equal(event.caller, '"Küche" <sip:611@fritz.box>');
		assert.equal(event.via, "rtp");
		assert.equal(event.call_id, "c1@door");
		assert.match(event.reason, /800 ms/);
		assert.equal(event.time, new Date(1_780_000_000_200).toISOString());
		assert.ok(r.lines.some((l) => /^info door: opened: .*caller ".*Küche.*" via rtp/.test(l)));
	});

	test("the same by SIP INFO opens (no RTP source needed)", () => {
		const r = rig();
		assert.deepEqual(r.send("123", "info"), ["entered", "entered", "opened"]);
		r.clock.advance(1000);
		assert.equal(r.out.pulses().length, 1);
		assert.equal(r.events.last(1)[0].via, "info");
	});

	test("the configured pulse length and code are used", () => {
		const r = rig({ code: "4711", pulseMs: 1500 });
		r.send("123");
		assert.equal(r.out.pulses().length, 0, "123 is only a partial entry of a four-digit code");
		r.clock.advance(3000);
		r.send("4711");
		r.clock.advance(2000);
		assert.equal(r.out.pulses().length, 1);
		const [[on, off]] = r.out.pulses();
		assert.equal(off - on, 1500);
	});

	test("at most one opening per call by default; further codes are ignored with a reason", () => {
		const r = rig();
		r.send("123");
		r.clock.advance(1000);
		assert.deepEqual(r.send("123"), ["ignored", "ignored", "ignored"]);
		r.clock.advance(1000);
		assert.equal(r.out.pulses().length, 1);
		const last = r.events.last(20);
		assert.equal(last.length, 2, "the three ignored digits fold into one event");
		assert.equal(last[1].kind, "ignored");
		assert.equal(last[1].count, 3);
		assert.match(last[1].reason, /already opened 1 time in this call \(limit 1\)/);
	});

	test("max_openings 2 allows a second opening in the same call, not a third", () => {
		const r = rig({ maxOpenings: 2 });
		r.send("123");
		r.clock.advance(1000);
		r.send("123");
		r.clock.advance(1000);
		r.send("123");
		r.clock.advance(1000);
		assert.equal(r.out.pulses().length, 2);
		assert.deepEqual(r.tones, ["confirm", "confirm"]);
	});

	test("a new call starts afresh: its own opening allowance and wrong-code count", () => {
		const r = rig();
		r.send("123");
		r.clock.advance(1000);
		r.call.state = "ended";
		const second = makeCall({ callId: "c2@door" });
		assert.deepEqual(r.send("123", "rtp", RTP, second), ["entered", "entered", "opened"]);
		r.clock.advance(1000);
		assert.equal(r.out.pulses().length, 2);
	});

	test("three wrong codes lock the call: reject tone, lock-out event, the right code is then ignored", () => {
		const r = rig();
		assert.deepEqual(r.send("999"), ["entered", "entered", "wrong_code"]);
		assert.deepEqual(r.send("124"), ["entered", "entered", "wrong_code"]);
		assert.deepEqual(r.tones, [], "no tone before the third");
		assert.deepEqual(r.send("321"), ["entered", "entered", "locked_out"]);
		assert.deepEqual(r.tones, ["reject"]);
		assert.deepEqual(r.send("123"), ["ignored", "ignored", "ignored"]);
		r.clock.advance(2000);
		assert.equal(r.out.pulses().length, 0);
		const kinds = r.events.last(20).map((e) => `${e.kind} ${e.reason}`);
		assert.deepEqual(kinds, [
			"wrong_code 1 of 3 in this call",
			"wrong_code 2 of 3 in this call",
			"locked_out 3 wrong codes in this call: further digits in it are ignored",
			"ignored locked out after 3 wrong codes",
		]);
		// The log line and the home's words name the outcome once, the count in the reason.
		const said = r.lines.filter((l) => /wrong code/.test(l));
		assert.equal(said.length, 4, r.lines.join("\n"));
		for (const line of said) assert.equal(line.match(/wrong code/g)?.length, 1, line);
	});

	test("a wrong code after a good one still counts, and lock-out survives the inter-digit timeout", () => {
		const r = rig({ maxOpenings: 5 });
		r.send("123");
		r.send("000");
		r.send("000");
		r.send("000");
		r.clock.advance(10_000);
		assert.deepEqual(r.send("123"), ["ignored", "ignored", "ignored"]);
		r.clock.advance(1000);
		assert.equal(r.out.pulses().length, 1);
	});

	test("a pause of more than 2 s between digits drops the partial entry", () => {
		const r = rig();
		r.send("12");
		r.clock.advance(INTER_DIGIT_TIMEOUT_MS); // 100 ms after the last digit already passed: now 2.1 s
		assert.deepEqual(r.send("3"), ["entered"], "the 3 starts a new entry instead of completing 123");
		assert.deepEqual(r.send("23"), ["entered", "wrong_code"], "3 2 3 is a complete wrong entry");
		assert.equal(r.out.pulses().length, 0);
		assert.ok(r.lines.some((l) => l.includes("entry of 2 digits dropped after a pause")));
	});

	test("a pause of exactly 2 s still continues the entry", () => {
		const r = rig();
		r.opener.digit(r.call, "1", "rtp", RTP);
		r.clock.advance(2000);
		r.opener.digit(r.call, "2", "rtp", RTP);
		r.clock.advance(2000);
		assert.equal(r.opener.digit(r.call, "3", "rtp", RTP), "opened");
	});

	test("SIP INFO digits may come later by the retransmission time: 4 lost transmissions (7.5 s) still complete the entry", () => {
		assert.equal(INFO_LATENESS_MS, 7500, "T1 + 2·T1 + 4·T1 + T2 of RFC 3261 (0.5 + 1 + 2 + 4 s)");
		const r = rig();
		r.opener.digit(r.call, "1", "info", SIGNALLING);
		// The INFO of the 2 was lost twice (sent again after 0.5 and 1 s), and the handset's 250 ms gap.
		r.clock.advance(1750);
		r.opener.digit(r.call, "2", "info", SIGNALLING);
		// The 200 OK of the 2 lost twice, then the INFO of the 3 twice: 3 s more.
		r.clock.advance(INTER_DIGIT_TIMEOUT_MS + INFO_LATENESS_MS);
		assert.equal(r.opener.digit(r.call, "3", "info", SIGNALLING), "opened");
		const s = rig();
		s.opener.digit(s.call, "1", "info", SIGNALLING);
		s.opener.digit(s.call, "2", "info", SIGNALLING);
		s.clock.advance(INTER_DIGIT_TIMEOUT_MS + INFO_LATENESS_MS + 1);
		assert.equal(s.opener.digit(s.call, "3", "info", SIGNALLING), "entered", "a longer pause still drops the entry");
		assert.ok(s.lines.some((l) => l.includes("entry of 2 digits dropped after a pause of more than 9.5 s")));
		const t = rig();
		t.opener.digit(t.call, "1", "rtp", RTP);
		t.opener.digit(t.call, "2", "rtp", RTP);
		t.clock.advance(INTER_DIGIT_TIMEOUT_MS + 1);
		assert.equal(t.opener.digit(t.call, "3", "rtp", RTP), "entered", "RFC 4733 digits keep the 2 s pause: RTP is not retransmitted");
	});

	test("an INFO digit from another address or port than the call's signalling peer is ignored", () => {
		const r = rig();
		assert.deepEqual(r.send("123", "info", { address: "192.168.178.66", port: 5060 }), ["ignored", "ignored", "ignored"]);
		assert.deepEqual(r.send("123", "info", { address: PBX, port: 5061 }), ["ignored", "ignored", "ignored"]);
		for (const d of "123") assert.equal(r.opener.digit(r.call, d, "info"), "ignored");
		const reasons = r.events.last(20).map((e) => `${e.reason} ×${e.count}`);
		assert.deepEqual(reasons, [
			"INFO from 192.168.178.66:5060, not the call's signalling peer 192.168.178.1:5060 ×3",
			"INFO from 192.168.178.1:5061, not the call's signalling peer 192.168.178.1:5060 ×3",
			"INFO digit without a source address ×3",
		]);
		assert.deepEqual(r.send("123", "info"), ["entered", "entered", "opened"]);
	});

	test("the PBX check compares the port too: a call from the PBX's address but another port cannot open", () => {
		const r = rig();
		const other = makeCall({ peerPort: 5070 });
		assert.deepEqual(r.send("123", "info", { address: PBX, port: 5070 }, other), ["ignored", "ignored", "ignored"]);
		assert.deepEqual(r.send("123", "rtp", RTP, other), ["ignored", "ignored", "ignored"]);
		assert.match(r.events.last(1)[0].reason, /call not with the PBX \(signalling from 192\.168\.178\.1:5070\)/);
	});

	test("* clears the entry without counting; # ends a short entry as a wrong code", () => {
		const r = rig();
		assert.deepEqual(r.send("12*123"), ["entered", "entered", "cleared", "entered", "entered", "opened"]);
		const s = rig();
		assert.deepEqual(s.send("#12#"), ["cleared", "entered", "entered", "wrong_code"]);
		assert.deepEqual(s.send("1*#"), ["entered", "cleared", "cleared"], "# after * has nothing to end");
		assert.equal(s.events.last(20).filter((e) => e.kind === "wrong_code").length, 1);
	});

	test("a code with * and # (a FRITZ!Fon's door key sends #9): those are keys of the code, by RFC 4733 and SIP INFO", () => {
		const r = rig({ code: "#9" });
		assert.deepEqual(r.send("#9"), ["entered", "opened"]);
		const s = rig({ code: "#9" });
		assert.deepEqual(s.send("#9", "info"), ["entered", "opened"]);
		const t = rig({ code: "*1#", maxOpenings: 2 });
		assert.deepEqual(t.send("*1#"), ["entered", "entered", "opened"]);
		assert.deepEqual(t.send("*12"), ["entered", "entered", "wrong_code"], "* no longer clears: it is a key of this code");
	});

	test("entries never overlap: a stray key before the door key costs one wrong code, the door key again opens", () => {
		const r = rig({ code: "#9" });
		assert.deepEqual(r.send("5#9"), ["entered", "wrong_code", "entered"], "5# is one guess; 9 starts the next entry");
		r.clock.advance(2100);
		assert.deepEqual(r.send("#9"), ["entered", "opened"], "after the pause the door key works");
		assert.equal(r.events.last(20).filter((e) => e.kind === "wrong_code").length, 1);
	});

	test("each guess costs one wrong code however the keys are grouped: 3 per call, then the call is locked", () => {
		const r = rig({ code: "#9" });
		// Six keys are three two-key guesses ("12", "#1", "#8"); the overlapping "2#" and "1#" are never tried.
		assert.deepEqual(r.send("12#1#8"), ["entered", "wrong_code", "entered", "wrong_code", "entered", "locked_out"]);
		assert.deepEqual(r.tones, ["reject"]);
		assert.deepEqual(r.send("#9"), ["ignored", "ignored"]);
		assert.equal(r.out.pulses().length, 0);
	});

	test("one key codes and 16 key codes work; a short code is warned about in the status", () => {
		const one = rig({ code: "7" });
		assert.deepEqual(one.send("7"), ["opened"]);
		assert.match(String(one.opener.status().door_warning), /only 1 key: a guesser needs few tries/);
		const long = rig({ code: "0123456789*#0123" });
		const outcomes = long.send("0123456789*#0123");
		assert.equal(outcomes[15], "opened");
		assert.equal(long.opener.status().door_warning, null);
	});

	test("hang up after opening: the call is ended that long after the door opened, not before; a call already over is left alone", () => {
		const hangups: string[] = [];
		const r = rig({ hangupAfterMs: 3000 }, undefined, (_call, reason) => hangups.push(reason));
		r.send("123");
		r.clock.advance(2999 - 200);
		assert.deepEqual(hangups, []);
		r.clock.advance(300);
		assert.deepEqual(hangups, ["hung up 3 s after the door opened"]);
		const s = rig({ hangupAfterMs: 3000 }, undefined, (_call, reason) => hangups.push(reason));
		s.send("123");
		s.call.state = "ended";
		s.clock.advance(5000);
		assert.equal(hangups.length, 1);
	});

	test("letters A-D are entry characters (never part of a digit code, so a wrong code)", () => {
		const r = rig();
		assert.deepEqual(r.send("12A"), ["entered", "entered", "wrong_code"]);
	});

	test("RTP digits from another address or port are ignored with the source in the reason", () => {
		const r = rig();
		assert.deepEqual(r.send("123", "rtp", { address: RTP.address, port: 7079 }), ["ignored", "ignored", "ignored"]);
		assert.deepEqual(r.send("123", "rtp", { address: "192.168.178.66", port: 7078 }), ["ignored", "ignored", "ignored"]);
		for (const d of "123") assert.equal(r.opener.digit(r.call, d, "rtp"), "ignored");
		r.clock.advance(1000);
		assert.equal(r.out.pulses().length, 0);
		const reasons = r.events.last(20).map((e) => `${e.reason} ×${e.count}`);
		assert.deepEqual(reasons, [
			"RTP from 192.168.178.1:7079, not the negotiated peer 192.168.178.1:7078 ×3",
			"RTP from 192.168.178.66:7078, not the negotiated peer 192.168.178.1:7078 ×3",
			"RTP digit without a source address ×3",
		]);
		// Foreign digits do not disturb the real handset's entry either.
		assert.deepEqual(r.send("123"), ["entered", "entered", "opened"]);
	});

	test("foreign RTP digits between the handset's digits do not break or complete its entry", () => {
		const r = rig();
		r.send("1");
		r.send("9", "rtp", { address: "127.0.0.9", port: 4000 });
		r.send("2");
		r.send("9", "rtp", { address: "127.0.0.9", port: 4000 });
		assert.deepEqual(r.send("3"), ["opened"]);
	});

	test("digits outside an answered call are ignored", () => {
		const r = rig();
		assert.equal(r.opener.digit(undefined, "1", "rtp", RTP), "ignored");
		for (const state of ["calling", "ringing", "ending", "ended"]) {
			r.call.state = state;
			assert.deepEqual(r.send("123"), ["ignored", "ignored", "ignored"], state);
		}
		r.call.state = "answered";
		assert.deepEqual(r.send("123"), ["entered", "entered", "opened"], "earlier digits left nothing behind");
		assert.match(r.events.last(20)[0].reason, /no answered call/);
	});

	test("a call whose signalling is not from the PBX cannot open, nor can any call before the PBX is known", () => {
		const r = rig();
		const stranger = makeCall({ peerAddress: "192.168.178.77" });
		assert.deepEqual(r.send("123", "info", { address: "192.168.178.77", port: 5060 }, stranger), ["ignored", "ignored", "ignored"]);
		assert.match(r.events.last(1)[0].reason, /call not with the PBX \(signalling from 192\.168\.178\.77:5060\)/);
		r.setPbx(undefined);
		assert.deepEqual(r.send("123"), ["ignored", "ignored", "ignored"]);
		r.clock.advance(1000);
		assert.equal(r.out.pulses().length, 0);
	});

	test("a call without negotiated media takes INFO digits but not RTP digits", () => {
		const r = rig();
		const noMedia = makeCall({ media: undefined });
		assert.deepEqual(r.send("12", "rtp", RTP, noMedia), ["ignored", "ignored"]);
		assert.deepEqual(r.send("123", "info", SIGNALLING, noMedia), ["entered", "entered", "opened"]);
	});

	test("max_openings 0 or an invalid code disables the opener", () => {
		for (const settings of [{ maxOpenings: 0 }, { code: "" }, { code: "12345678901234567" }, { code: "12a4" }, { code: "1 2" }]) {
			const r = rig(settings);
			assert.deepEqual(r.send("123"), ["ignored", "ignored", "ignored"], JSON.stringify(settings));
			assert.match(r.events.last(1)[0].reason, /door opener disabled/);
		}
	});

	test("bad digit values are ignored, never thrown", () => {
		const r = rig();
		for (const bad of ["", "12", "x", "\n", "a", undefined, 5, null]) assert.equal(r.opener.digit(r.call, bad as string, "rtp", RTP), "ignored");
		assert.equal(r.opener.digit(r.call, "1", "smoke" as DigitVia, RTP), "ignored");
		assert.match(r.events.last(20)[0].reason, /not a DTMF digit/);
	});

	test("the code and the entered digits never appear in logs or events", () => {
		const r = rig({ code: SECRET, maxOpenings: 2 });
		r.send("97530"); // wrong, one off
		r.send(SECRET);
		r.send("86420", "rtp", { address: "127.0.0.2", port: 9 });
		r.send(SECRET);
		r.clock.advance(2000);
		r.send(SECRET);
		assert.equal(r.out.pulses().length, 2);
		const everything = JSON.stringify(r.events.last(50)) + "\n" + r.lines.join("\n");
		for (const secret of [SECRET, "97530", "86420"]) assert.equal(everything.includes(secret), false, `${secret} leaked: ${everything}`);
	});

	test("a throwing tone, event listener or relay listener cannot stop the pulse from ending", () => {
		const r = rig();
		r.opener.playTone = () => {
			throw new Error("no media session");
		};
		r.eventLog.listen(() => {
			throw new Error("ui gone");
		});
		r.relay.listen(() => {
			throw new Error("led broke");
		});
		assert.deepEqual(r.send("123"), ["entered", "entered", "opened"]);
		r.clock.advance(1000);
		assert.deepEqual(r.out.pulses(), [[200, 1000]]);
		assert.ok(r.lines.some((l) => l.includes("no media session")));
		assert.ok(r.lines.some((l) => l.includes("ui gone")));
	});

	test("new settings apply to the next digit and drop an entry in progress", () => {
		const r = rig();
		r.send("12");
		r.opener.settings = { code: "555", pulseMs: 300, maxOpenings: 1 };
		assert.deepEqual(r.send("3"), ["entered"]);
		assert.deepEqual(r.send("555"), ["entered", "wrong_code", "entered"], "3 5 5 is wrong; the last 5 begins anew");
		assert.deepEqual(r.send("55"), ["entered", "opened"]);
		r.clock.advance(1000);
		const [[on, off]] = r.out.pulses();
		assert.equal(off - on, 300);
	});

	test("status: the last 20 events, the settings and the call's counts, never the code", () => {
		const r = rig({ code: SECRET });
		// Earlier calls' events: a stray digit each (wrong codes would lock the door out).
		for (let i = 0; i < 24; i++) r.send("0", "rtp", { address: "192.168.178.66", port: 7078 }, makeCall({ callId: `other${i}` }));
		r.send("00000");
		r.send("00000");
		r.send("00000");
		const status = r.opener.status();
		const events = status.door_events as unknown[];
		assert.equal(events.length, 20);
		assert.equal(status.door_events_total, 27);
		assert.equal(status.door_pulse_ms, 800);
		assert.equal(status.door_enabled, true);
		assert.deepEqual(status.door_call, { openings: 0, wrong_codes: 3, locked_out: true });
		assert.equal(JSON.stringify(status).includes(SECRET), false);
		r.call.state = "ended";
		assert.equal(r.opener.status().door_call, null);
	});

	test("an event before the wall clock is set has time null", () => {
		const r = rig();
		r.setWall(-1_000_000);
		r.send("123");
		const [event] = r.events.last(1);
		assert.equal(event.time, null);
		assert.equal(event.at, 0);
	});
});
