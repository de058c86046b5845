import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { FakeUdp, seededRandom } from "../lib/fake-udp.js";
import { md5 } from "../lib/md5.js";
import { inboundInvite, PBX, LOCAL } from "../lib/ua-harness.js";
import { parseSip, type SipMessage } from "../../sip/message.js";
import { buildResponse } from "../../sip/serializer.js";
import { encodeUtf8 } from "../../sip/text.js";
import { boot, type Application } from "../../app/boot.js";
import type { DigitalIn, DigitalOut, HttpHandler, KeyValueStore, Logger } from "../../modules/ports.js";

class MemoryStore implements KeyValueStore {
	#data = new Map<string, string | number>();
	constructor(values: Record<string, Record<string, string | number>>) {
		for (const ns of Object.keys(values)) for (const key of Object.keys(values[ns])) this.#data.set(`${ns}/${key}`, values[ns][key]);
	}
	get(namespace: string, key: string) {
		return this.#data.get(`${namespace}/${key}`);
	}
	set(namespace: string, key: string, value: string | number) {
		this.#data.set(`${namespace}/${key}`, value);
	}
	delete(namespace: string, key: string) {
		this.#data.delete(`${namespace}/${key}`);
	}
	keys(namespace: string) {
		const out: string[] = [];
		for (const k of this.#data.keys()) if (k.startsWith(`${namespace}/`)) out.push(k.slice(namespace.length + 1));
		return out;
	}
}

/** The application booted on fake ports, registered with the scripted PBX. */
function app(door: Record<string, string | number> = {}) {
	const clock = new FakeClock();
	const socket = new FakeUdp(5062);
	const lines: string[] = [];
	const log: Logger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
	const routes = new Map<string, HttpHandler>();
	const relayWrites: Array<[number, number]> = [];
	const relay: DigitalOut = { write: (v) => relayWrites.push([clock.now(), v]), close() {} };
	const button: DigitalIn & { onChange?: (value: number) => void } = { read: () => 1, close() {} };
	const store = new MemoryStore({ sip: { sip_user: "620", sip_password: "geheim", sip_server: PBX }, door });
	const application: Application = boot(
		{
			udp: (options) => {
				socket.onReadable = (n) => options.onReadable?.(n);
				return socket;
			},
			clock, wallClock: () => 1_780_000_000_000 + clock.now(), md5, sha256: () => "0".repeat(64), random: seededRandom(3), log,
			store, routes: { add: (method, path, handler) => routes.set(`${method} ${path}`, handler) }, button, relay,
			localAddress: () => LOCAL,
			resolve: (_host, callback) => callback(undefined, PBX),
		},
		{ sipPort: 5062 },
	);
	const sent = () => socket.take().map((s) => parseSip(encodeUtf8(s.text)));
	const register = sent().find((m) => m.method === "REGISTER")!;
	socket.deliver(buildResponse(register, 200, "OK", { toTag: "r1", headers: [`Contact: <sip:620@${LOCAL}:5062>;expires=120`] }), PBX, 5060);
	sent();
	// What /sipDebug shows (the route itself needs a signed-in session).
	const status = () => JSON.parse(JSON.stringify(application.status())) as Record<string, unknown>;
	const pulses = () => {
		const out: number[] = [];
		let start = -1;
		for (const [t, v] of relayWrites) {
			if (v === 1 && start < 0) start = t;
			else if (v === 0 && start >= 0) {
				out.push(t - start);
				start = -1;
			}
		}
		return out;
	};
	/** A handset calls the door through the PBX; returns a sender of in-dialog INFO digits. */
	const call = () => {
		socket.deliver(inboundInvite().replace(/\r?\n/g, "\r\n"), PBX, 5060);
		const ok = sent().find((m) => m.status === 200) as SipMessage;
		const to = ok.header("to")!;
		socket.deliver([`ACK sip:620@${LOCAL}:5062 SIP/2.0`, `Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKack1`, `From: "Küche" <sip:611@fritz.box>;tag=fb1`, `To: ${to}`, "Call-ID: in-call-1@192.168.178.1", "CSeq: 100 ACK", "Content-Length: 0", "", ""].join("\r\n"), PBX, 5060);
		assert.deepEqual(sent(), []);
		let seq = 100;
		const info = (type: string, body: string) => {
			seq++;
			socket.deliver(
				[`INFO sip:620@${LOCAL}:5062 SIP/2.0`, `Via: SIP/2.0/UDP ${PBX}:5060;branch=z9hG4bKinfo${seq}`, `From: "Küche" <sip:611@fritz.box>;tag=fb1`, `To: ${to}`, "Call-ID: in-call-1@192.168.178.1", `CSeq: ${seq} INFO`, `Content-Type: ${type}`, `Content-Length: ${encodeUtf8(body).length}`, "", body].join("\r\n"),
				PBX,
				5060,
			);
			const answer = sent();
			assert.equal(answer.length, 1);
			assert.equal(answer[0].status, 200);
			clock.advance(150);
		};
		return { info, ok };
	};
	return { clock, application, lines, status, pulses, relayWrites, call, button, sent };
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
});
