// The door's events as door/door-events.ts keeps them: once, in the doorbell's event log, read
// back in the door's shape.
import { test, group, assert } from "../lib/spec.js";
import { doorEventLog } from "../lib/door-event-log.js";

const base = { caller: "611", callId: "c1", via: "rtp" };

group("door event log", () => {
	test("keeps the newest entries up to the event log's capacity, oldest first", () => {
		let t = 1_780_000_000_000;
		const { doorEvents: log, log: all } = doorEventLog(() => t++, 3);
		for (let i = 1; i <= 5; i++) log.add({ ...base, kind: "wrong_code", reason: `wrong ${i}` });
		assert.equal(all.size, 3);
		assert.equal(log.total, 5);
		assert.deepEqual(log.last(20).map((e) => e.reason), ["wrong 3", "wrong 4", "wrong 5"]);
		assert.deepEqual(log.last(2).map((e) => e.reason), ["wrong 4", "wrong 5"]);
		assert.deepEqual(log.last(0), []);
	});

	test("each door event is kept once, in the event log, with its kind; other events are left out of the door's list", () => {
		const { doorEvents, log } = doorEventLog(() => 1_780_000_000_000);
		const heard: string[] = [];
		log.listen((event) => heard.push(event.type));
		doorEvents.add({ ...base, kind: "opened", reason: "code accepted" });
		log.record({ type: "registration_lost", reason: "no answer" });
		doorEvents.add({ kind: "lockout_started", caller: "", callId: "", via: "", reason: "10 wrong codes" });
		doorEvents.add({ kind: "locked_out", caller: "611", callId: "c1", via: "info", reason: "3 wrong codes" });
		assert.deepEqual(heard, ["door_opened", "registration_lost", "door_lockout_started", "door_locked_out"]);
		assert.equal(log.size, 4, "nothing is kept twice");
		assert.deepEqual(doorEvents.last(10).map((e) => e.kind), ["opened", "lockout_started", "locked_out"]);
		const [opened] = doorEvents.last(10);
		assert.deepEqual({ ...opened }, { kind: "opened", at: 1_780_000_000_000, time: "2026-05-28T20:26:40.000Z", caller: "611", call_id: "c1", via: "rtp", reason: "code accepted", count: 1 });
	});

	test("repeated ignored digits of one call and reason fold into a count; other events do not", () => {
		const { doorEvents: log } = doorEventLog(() => 1_780_000_000_000, 2);
		log.add({ ...base, kind: "opened", reason: "ok" });
		for (let i = 0; i < 500; i++) log.add({ ...base, kind: "ignored", reason: "RTP from x" });
		const [opened, ignored] = log.last(20);
		assert.equal(opened.kind, "opened", "a flood of stray digits cannot push the opening out");
		assert.equal(ignored.count, 500);
		log.add({ ...base, callId: "c2", kind: "ignored", reason: "RTP from x" });
		assert.equal(log.last(1)[0].count, 1, "another call gets its own entry");
		log.add({ ...base, kind: "wrong_code", reason: "wrong" });
		log.add({ ...base, kind: "wrong_code", reason: "wrong" });
		assert.deepEqual(log.last(2).map((e) => e.count), [1, 1]);
	});

	test("callers are one bounded line; copies do not alias the log", () => {
		const { doorEvents: log } = doorEventLog(() => 0);
		log.add({ ...base, caller: "evil\r\nX-Injected: 1" + "x".repeat(200), kind: "ignored", reason: "r" });
		const [event] = log.last(1);
		assert.equal(/[\r\n]/.test(event.caller), false);
		assert.ok(event.caller.length <= 80);
		event.reason = "changed";
		assert.equal(log.last(1)[0].reason, "r");
	});

	test("the time is ISO once the wall clock is set, null before; a throwing wall clock gives null", () => {
		let wall: () => number = () => Date.UTC(2026, 11, 1, 19, 30);
		const { doorEvents: log } = doorEventLog(() => wall());
		log.add({ ...base, kind: "opened", reason: "ok" });
		assert.equal(log.last(1)[0].time, "2026-12-01T19:30:00.000Z");
		assert.equal(log.last(1)[0].at, Date.UTC(2026, 11, 1, 19, 30));
		wall = () => 5000;
		log.add({ ...base, kind: "opened", reason: "ok" });
		assert.equal(log.last(1)[0].time, null);
		assert.equal(log.last(1)[0].at, 0);
		wall = () => {
			throw new Error("rtc");
		};
		log.add({ ...base, kind: "opened", reason: "ok" });
		assert.equal(log.last(1)[0].at, 0);
	});

	test("a Call-ID is kept to 80 characters, so a full log stays small whatever the callers send", () => {
		const { doorEvents: log } = doorEventLog(() => 1_780_000_000_000, 2);
		const long = "x".repeat(1400);
		for (let i = 0; i < 3; i++) log.add({ ...base, callId: long, kind: "ignored", reason: "RTP from x" });
		const [event] = log.last(1);
		assert.equal(event.call_id.length, 80);
		assert.equal(event.count, 3, "repeats of the same long Call-ID still fold");
	});
});
