import { test, group, assert } from "../lib/spec.js";
import { bootApp, MemoryStore } from "../lib/app-harness.js";
import { PBX, inboundInvite } from "../lib/ua-harness.js";

/** The application booted on fake ports, registered with the scripted PBX. */
function app(door: Record<string, string | number> = {}, store?: MemoryStore) {
	const a = bootApp({ settings: { door }, env: store ? { store } : {} });
	// What /sipDebug shows (the route itself needs a signed-in session).
	const status = () => JSON.parse(JSON.stringify(a.application.status())) as Record<string, unknown>;
	/** A handset calls the door through the PBX; returns a sender of in-dialog INFO digits. */
	const call = (options: { callId?: string; from?: { address: string; port: number } } = {}) => {
		const { ok, request } = a.call(options);
		assert.deepEqual(a.sent(), []);
		let seq = 100;
		const info = (type: string, body: string, source?: { address: string; port: number }) => {
			seq++;
			request("INFO", seq, `z9hG4bKinfo${seq}`, [`Content-Type: ${type}`], body, source);
			const answer = a.sent();
			assert.equal(answer.length, 1);
			assert.equal(answer[0].status, 200);
			a.clock.advance(150);
		};
		const bye = () => {
			seq++;
			request("BYE", seq, `z9hG4bKbye${seq}`);
			assert.equal(a.sent()[0]?.status, 200);
		};
		return { info, ok, bye };
	};
	return { ...a, status, call };
}

group("door opener in the application", () => {
	test("the relay is forced off at boot", () => {
		const a = app();
		assert.deepEqual(a.relayWrites[0], [0, 0]);
	});

	test("123 by SIP INFO dtmf-relay in a call from the PBX: one 800 ms pulse, an event in /sipDebug", () => {
		const a = app();
		const { info } = a.call();
		for (const d of "123") info("application/dtmf-relay", `Signal=${d}\r\nDuration=160\r\n`);
		a.clock.advance(2000);
		assert.deepEqual(a.pulses(), [800]);
		const status = a.status();
		const events = status.door_events as Array<Record<string, unknown>>;
		assert.equal(events.length, 1);
		assert.equal(events[0].kind, "opened");
		assert.equal(events[0].caller, "Küche");
		assert.equal(events[0].via, "info");
		assert.equal(status.door_pulse_ms, 800);
		assert.ok(a.lines.some((l) => l.startsWith("info door: opened")));
	});

	test("application/dtmf bodies and the configured pulse and code work the same", () => {
		const a = app({ code: "2580", pulse_ms: 1200 });
		const { info } = a.call();
		for (const d of "2580") info("application/dtmf", d);
		a.clock.advance(2000);
		assert.deepEqual(a.pulses(), [1200]);
	});

	test("three wrong codes by INFO: no pulse, the lock-out event, then the right code is ignored", () => {
		const a = app();
		const { info } = a.call();
		for (const d of "999888777123") info("application/dtmf-relay", `Signal=${d}`);
		a.clock.advance(2000);
		assert.deepEqual(a.pulses(), []);
		const kinds = (a.status().door_events as Array<{ kind: string; count: number }>).map((e) => `${e.kind}×${e.count}`);
		assert.deepEqual(kinds, ["wrong_code×1", "wrong_code×1", "locked_out×1", "ignored×3"]);
	});

	test("RTP digits reach the opener through onDigit: the negotiated peer opens, another source does not", () => {
		const a = app();
		a.call();
		const doorbell = a.application.doorbell;
		const current = doorbell.ua.call!;
		assert.equal(`${current.media!.remoteAddress}:${current.media!.remotePort}`, "192.168.178.1:7078");
		for (const d of "123") doorbell.onDigit!(current, d, "rtp", { address: "192.168.178.1", port: 7090 });
		a.clock.advance(1000);
		assert.deepEqual(a.pulses(), []);
		for (const d of "123") doorbell.onDigit!(current, d, "rtp", { address: "192.168.178.1", port: 7078 });
		a.clock.advance(1000);
		assert.deepEqual(a.pulses(), [800]);
	});

	test("the confirm tone goes to the doorbell's playTone when the media offers one", () => {
		const a = app();
		const tones: string[] = [];
		a.application.doorbell.playTone = (kind) => tones.push(kind);
		const { info } = a.call();
		for (const d of "123") info("application/dtmf", d);
		assert.deepEqual(tones, ["confirm"]);
	});

	test("stopping the application mid-pulse switches the relay off at once", () => {
		const a = app();
		const { info } = a.call();
		for (const d of "123") info("application/dtmf", d);
		assert.equal(a.relayWrites[a.relayWrites.length - 1][1], 1);
		a.application.stop();
		assert.equal(a.relayWrites[a.relayWrites.length - 1][1], 0);
	});

	test("while the stopping door waits for its un-REGISTER's answer (up to 32 s), a call the PBX still brings gets 480, and a code opens nothing", () => {
		const a = app();
		a.sent();
		a.application.stop();
		a.clock.advance(1000);
		a.sent();
		a.sip.deliver(inboundInvite().replace(/\r?\n/g, "\r\n"), PBX, 5060);
		assert.deepEqual(a.sent().filter((m) => m.status !== undefined && m.status >= 200).map((m) => m.status), [480]);
		assert.equal(a.application.doorbell.ua.call, undefined);
		assert.equal(a.relayWrites.some(([, v]) => v === 1), false, "the relay never energised after the stop");
	});

	test("a chattering button rings once; a press after the call rings again", () => {
		const a = app();
		for (let i = 0; i < 4; i++) {
			a.button.onChange!(0);
			a.clock.advance(40);
			a.button.onChange!(1);
			a.clock.advance(40);
		}
		const calls = new Set(a.sent().filter((m) => m.method === "INVITE").map((m) => m.header("call-id")));
		assert.equal(calls.size, 1, "retransmissions of one INVITE, not a second call");
		a.application.doorbell.ua.hangup();
		a.clock.advance(40_000); // the unanswered INVITE transaction times out (Timer B)
		assert.equal(a.application.doorbell.ua.call, undefined);
		a.sent();
		a.button.onChange!(0);
		const again = a.sent().filter((m) => m.method === "INVITE").map((m) => m.header("call-id"));
		assert.equal(again.length, 1);
		assert.equal(calls.has(again[0]), false, "a new call");
	});

	test("the code never shows in /sipDebug or the log", () => {
		const a = app({ code: "86097" });
		const { info } = a.call();
		for (const d of "86096") info("application/dtmf", d);
		for (const d of "86097") info("application/dtmf", d);
		const all = JSON.stringify(a.status()) + a.lines.join("\n");
		assert.equal(all.includes("86097"), false);
		assert.equal(all.includes("86096"), false);
		assert.deepEqual(a.pulses().length, 0, "still on");
		a.clock.advance(1000);
		assert.deepEqual(a.pulses(), [800]);
	});

	test("10 wrong codes by INFO over four calls lock the door out: the right code in the fifth call opens nothing", () => {
		const a = app();
		const keyed = ["999", "998", "997", "996", "995", "994", "993", "992", "991", "990"];
		for (let n = 0; n < 4; n++) {
			const { info, bye } = a.call({ callId: `guess-${n}@192.168.178.1` });
			for (const code of keyed.splice(0, 3)) for (const d of code) info("application/dtmf-relay", `Signal=${d}\r\nDuration=160\r\n`);
			bye();
			a.clock.advance(1000);
		}
		const { info, bye } = a.call({ callId: "right@192.168.178.1" });
		for (const d of "123") info("application/dtmf-relay", `Signal=${d}\r\nDuration=160\r\n`);
		a.clock.advance(2000);
		assert.deepEqual(a.pulses(), [], "the right code opened nothing");
		const status = a.status();
		const kinds = (status.door_events as Array<{ kind: string }>).map((e) => e.kind);
		assert.deepEqual(kinds.slice(-3), ["wrong_code", "lockout_started", "refused"]);
		assert.deepEqual((status.door_lockout as Record<string, unknown>).active, true);
		bye();
		// After the 5 minutes the right code opens again.
		a.clock.advance(5 * 60_000);
		const again = a.call({ callId: "after@192.168.178.1" });
		for (const d of "123") again.info("application/dtmf-relay", `Signal=${d}\r\nDuration=160\r\n`);
		a.clock.advance(2000);
		assert.deepEqual(a.pulses(), [800]);
	});

	test("a lock-out survives a restart of the application (same store)", () => {
		const a = app();
		for (let n = 0; n < 4; n++) {
			const { info, bye } = a.call({ callId: `guess-${n}@192.168.178.1` });
			for (const d of "999999999".slice(0, n < 3 ? 9 : 3)) info("application/dtmf", d);
			bye();
		}
		assert.equal((a.status().door_lockout as Record<string, unknown>).active, true);
		a.application.stop();
		const b = app({}, a.store);
		const { info } = b.call();
		for (const d of "123") info("application/dtmf", d);
		b.clock.advance(2000);
		assert.deepEqual(b.pulses(), []);
		const events = b.status().door_events as Array<{ kind: string; reason: string }>;
		assert.deepEqual(events.map((e) => e.kind), ["lockout_started", "refused"]);
		assert.match(events[0].reason, /in force at a restart/);
	});

	test("with allow_any_src, INFO digits from another host or another port of the PBX open nothing", () => {
		const a = bootApp({ settings: { sip: { allow_any_src: 1 } } });
		const { request } = a.call();
		const info = (seq: number, digit: string, source: { address: string; port: number }) => {
			request("INFO", seq, `z9hG4bKinfo${seq}`, ["Content-Type: application/dtmf-relay"], `Signal=${digit}\r\nDuration=160\r\n`, source);
			assert.equal(a.sent()[0]?.status, 200, "allow_any_src answers it");
			a.clock.advance(150);
		};
		let seq = 100;
		for (const d of "123") info(++seq, d, { address: "192.168.178.66", port: 5060 });
		for (const d of "123") info(++seq, d, { address: PBX, port: 5070 });
		a.clock.advance(2000);
		assert.deepEqual(a.pulses(), []);
		const reasons = (JSON.parse(JSON.stringify(a.application.status().door_events)) as Array<{ reason: string; count: number }>).map((e) => `${e.reason} ×${e.count}`);
		assert.deepEqual(reasons, [
			"INFO from 192.168.178.66:5060, not the call's signalling peer 192.168.178.1:5060 ×3",
			"INFO from 192.168.178.1:5070, not the call's signalling peer 192.168.178.1:5060 ×3",
		]);
		for (const d of "123") info(++seq, d, { address: PBX, port: 5060 });
		a.clock.advance(2000);
		assert.deepEqual(a.pulses(), [800], "the same digits from the dialog's peer open");
	});

	test("with allow_any_src, a call from the PBX's address but another port is not a PBX call", () => {
		const a = bootApp({ settings: { sip: { allow_any_src: 1 } } });
		const other = { address: PBX, port: 5070 };
		const { request } = a.call({ from: other });
		let seq = 100;
		for (const d of "123") {
			seq++;
			request("INFO", seq, `z9hG4bKinfo${seq}`, ["Content-Type: application/dtmf"], d);
			a.clock.advance(150);
		}
		a.clock.advance(2000);
		assert.deepEqual(a.pulses(), []);
		const [event] = JSON.parse(JSON.stringify(a.application.status().door_events)) as Array<{ reason: string }>;
		assert.equal(event.reason, "call not with the PBX (signalling from 192.168.178.1:5070)");
	});

	test("INFO digits delayed by lost transmissions (3.5 s between them) still open", () => {
		const a = app();
		const { info } = a.call();
		info("application/dtmf", "1");
		// The next INFO was lost three times: sent again after 0.5, 1 and 2 s (RFC 3261 Timer E).
		a.clock.advance(3500);
		info("application/dtmf", "2");
		a.clock.advance(3500);
		info("application/dtmf", "3");
		a.clock.advance(1000);
		assert.deepEqual(a.pulses(), [800]);
	});
});
