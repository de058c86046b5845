import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { EventLog, EVENT_CAPACITY, type HomeEvent } from "../../home/events.js";
import { eventWords } from "../../home/event-words.js";

const WALL = Date.UTC(2026, 11, 4, 19, 30);
/** Half of a character outside the BMP without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function log(capacity?: number) {
	const clock = new FakeClock();
	let wall = WALL;
	const events = new EventLog({ clock, wallClock: () => wall, capacity });
	return { clock, events, setWall: (t: number) => (wall = t) };
}

group("event log", () => {
	test("keeps the last 50, newest first, with sequence numbers that only grow", () => {
		const { events, clock } = log();
		for (let i = 0; i < 120; i++) {
			clock.advance(10);
			events.record({ type: "ring", button: 1, source: "button" });
		}
		assert.equal(EVENT_CAPACITY, 50);
		assert.equal(events.size, 50);
		assert.equal(events.total, 120);
		const newest = events.newest();
		assert.equal(newest.length, 50);
		assert.equal(newest[0].seq, 120);
		assert.equal(newest[49].seq, 71);
		assert.equal(newest[0].uptime_ms, 1200);
		assert.deepEqual(events.newest(2).map((e) => e.seq), [120, 119]);
	});

	test("wall-clock time as ISO once set, null before; a throwing wall clock gives null", () => {
		const { events, setWall } = log();
		assert.equal(events.record({ type: "startup" }).time, "2026-12-04T19:30:00.000Z");
		setWall(5000);
		assert.equal(events.record({ type: "startup" }).time, null);
		const throwing = new EventLog({ clock: new FakeClock(), wallClock: () => { throw new Error("rtc"); } });
		assert.equal(throwing.record({ type: "startup" }).time, null);
	});

	test("ignored door digits of one call and reason fold into a count; the listeners hear the count", () => {
		const { events } = log(3);
		const heard: HomeEvent[] = [];
		events.listen((e) => heard.push(e));
		events.record({ type: "door_opened", peer: "611", call_id: "c1", source: "rtp" });
		for (let i = 0; i < 100; i++) events.record({ type: "door_ignored", peer: "611", call_id: "c1", source: "rtp", reason: "no answered call" });
		assert.equal(events.size, 2, "a flood cannot push the opening out");
		assert.equal(events.newest()[0].count, 100);
		assert.equal(heard.length, 101);
		assert.equal(heard[100].count, 100);
		events.record({ type: "door_ignored", peer: "611", call_id: "c2", source: "rtp", reason: "no answered call" });
		assert.equal(events.newest()[0].count, 1, "another call gets its own entry");
	});

	test("refused door codes of one call and reason fold the same way; an ignored digit between them does not join them", () => {
		const { events } = log(3);
		events.record({ type: "door_opened", peer: "611", call_id: "c1", source: "rtp" });
		for (let i = 0; i < 100; i++) events.record({ type: "door_refused", peer: "611", call_id: "c1", source: "rtp", reason: "locked out" });
		assert.equal(events.size, 2, "a flood cannot push the opening out");
		assert.equal(events.newest()[0].count, 100);
		events.record({ type: "door_ignored", peer: "611", call_id: "c1", source: "rtp", reason: "locked out" });
		events.record({ type: "door_refused", peer: "611", call_id: "c1", source: "rtp", reason: "locked out" });
		assert.deepEqual(events.newest().map((e) => [e.type, e.count]), [["door_refused", 1], ["door_ignored", 1], ["door_refused", 100]]);
	});

	test("peers and reasons are one bounded line; copies do not alias the log", () => {
		const { events } = log();
		events.record({ type: "call_started", peer: "evil\r\nX: 1" + "x".repeat(300), reason: "r".repeat(500) });
		const [event] = events.newest(1);
		assert.equal(/[\r\n]/.test(event.peer!), false);
		assert.ok(event.peer!.length <= 80 && event.reason!.length <= 160);
		event.peer = "changed";
		assert.notEqual(events.newest(1)[0].peer, "changed");
	});

	test("a peer or reason cut at its bound never splits a character in two (an emoji's half is no UTF-8)", () => {
		const { events } = log();
		// "🔔" is two UTF-16 units: at every offset one of them falls on the cut.
		for (let pad = 0; pad < 4; pad++) {
			events.record({ type: "call_started", peer: "p".repeat(70 + pad) + "🔔".repeat(20), reason: "r".repeat(150 + pad) + "🚪".repeat(20) });
			const [event] = events.newest(1);
			for (const text of [event.peer!, event.reason!]) {
				assert.equal(LONE_SURROGATE.test(text), false, `${pad}: ${JSON.stringify(text.slice(-4))}`);
				assert.ok(text.endsWith("…"));
			}
			assert.ok(event.peer!.length <= 80 && event.reason!.length <= 160);
		}
	});

	test("a listener that throws is reported and the others still hear the event", () => {
		const errors: unknown[] = [];
		const events = new EventLog({ clock: new FakeClock(), wallClock: () => WALL, onListenerError: (e) => errors.push(e) });
		let heard = 0;
		events.listen(() => { throw new Error("boom"); });
		events.listen(() => heard++);
		events.record({ type: "startup" });
		assert.equal(heard, 1);
		assert.equal(errors.length, 1);
	});

	test("a bad capacity is refused", () => {
		assert.throws(() => new EventLog({ clock: new FakeClock(), wallClock: () => 0, capacity: 0 }), /capacity/);
	});
});

group("event words", () => {
	const e = (input: Partial<HomeEvent> & { type: HomeEvent["type"] }): HomeEvent => ({ seq: 1, uptime_ms: 0, time: null, count: 1, ...input });
	test("each kind in plain words, never a code", () => {
		assert.equal(eventWords(e({ type: "ring", button: 2, source: "button" })), "Bell 2 rang");
		assert.equal(eventWords(e({ type: "ring", button: 1, source: "web" })), "Bell 1 rang (web)");
		assert.equal(eventWords(e({ type: "ring", button: 1, source: "button", reason: "a call is already answered" })), "Bell 1 pressed, not ringing: a call is already answered");
		assert.equal(eventWords(e({ type: "ring_answered", button: 1, peer: "Mobilteil 611" })), "Bell 1: answered by Mobilteil 611");
		assert.equal(eventWords(e({ type: "ring_not_answered", button: 1, reason: "nobody answered within 30 s" })), "Bell 1: not answered: nobody answered within 30 s");
		assert.equal(eventWords(e({ type: "door_opened", peer: "611", source: "rtp" })), "Door opened by 611");
		assert.equal(eventWords(e({ type: "door_opened", peer: "MQTT", source: "mqtt" })), "Door opened (remote, MQTT)");
		assert.equal(eventWords(e({ type: "door_locked_out", peer: "611", source: "info", reason: "3 wrong codes in this call" })), "Door opener locked out by 611: 3 wrong codes in this call");
		assert.equal(eventWords(e({ type: "door_ignored", peer: "611", reason: "no answered call", count: 4 })), "Door digits ignored by 611: no answered call (4 times)");
		assert.equal(eventWords(e({ type: "call_ended", peer: "611", duration_s: 12 })), "Call with 611 ended after 12 s");
		assert.equal(eventWords(e({ type: "registration_lost", reason: "the PBX at 192.168.178.1:5060 does not answer" })), "Not registered with the PBX: the PBX at 192.168.178.1:5060 does not answer");
		assert.equal(eventWords(e({ type: "registration_regained" })), "Registered with the PBX again");
		assert.equal(eventWords(e({ type: "startup" })), "Doorbell started");
	});
});
