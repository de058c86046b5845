import { test, group, assert } from "../lib/spec.js";
import { DoorEventLog } from "../../door/door-events.js";

const base = { caller: "611", callId: "c1", via: "rtp" };

group("door event log", () => {
	test("keeps the newest entries up to its capacity, oldest first", () => {
		let t = 1_780_000_000_000;
		const log = new DoorEventLog(() => t++, 3);
		for (let i = 1; i <= 5; i++) log.add({ ...base, kind: "wrong_code", reason: `wrong ${i}` });
		assert.equal(log.size, 3);
		assert.equal(log.total, 5);
		assert.deepEqual(log.last(20).map((e) => e.reason), ["wrong 3", "wrong 4", "wrong 5"]);
		assert.deepEqual(log.last(2).map((e) => e.reason), ["wrong 4", "wrong 5"]);
		assert.deepEqual(log.last(0), []);
	});

	test("repeated ignored digits of one call and reason fold into a count; other events do not", () => {
		const log = new DoorEventLog(() => 1_780_000_000_000, 2);
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
		const log = new DoorEventLog(() => 0);
		log.add({ ...base, caller: "evil\r\nX-Injected: 1" + "x".repeat(200), kind: "ignored", reason: "r" });
		const [event] = log.last(1);
		assert.equal(/[\r\n]/.test(event.caller), false);
		assert.ok(event.caller.length <= 80);
		event.reason = "changed";
		assert.equal(log.last(1)[0].reason, "r");
	});

	test("the time is ISO once the wall clock is set, null before; a throwing wall clock gives null", () => {
		let wall: () => number = () => Date.UTC(2026, 11, 1, 19, 30);
		const log = new DoorEventLog(() => wall());
		log.add({ ...base, kind: "opened", reason: "ok" });
		assert.equal(log.last(1)[0].time, "2026-12-01T19:30:00.000Z");
		wall = () => 5000;
		log.add({ ...base, kind: "opened", reason: "ok" });
		assert.equal(log.last(1)[0].time, null);
		wall = () => {
			throw new Error("rtc");
		};
		log.add({ ...base, kind: "opened", reason: "ok" });
		assert.equal(log.last(1)[0].at, 0);
	});

	test("a bad capacity is refused", () => {
		assert.throws(() => new DoorEventLog(() => 0, 0), /capacity/);
		assert.throws(() => new DoorEventLog(() => 0, 1.5), /capacity/);
	});

	test("a Call-ID is kept to 80 characters, so a full log stays small whatever the callers send", () => {
		const log = new DoorEventLog(() => 1_780_000_000_000, 2);
		const long = "x".repeat(1400);
		for (let i = 0; i < 3; i++) log.add({ ...base, callId: long, kind: "ignored", reason: "RTP from x" });
		const [event] = log.last(1);
		assert.equal(event.call_id.length, 80);
		assert.equal(event.count, 3, "repeats of the same long Call-ID still fold");
	});
});
