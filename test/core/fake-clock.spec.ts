import { test, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";

test("timers fire in time order and intervals repeat", () => {
	const clock = new FakeClock();
	const seen: string[] = [];
	clock.setTimeout(() => seen.push(`b@${clock.now()}`), 200);
	clock.setTimeout(() => seen.push(`a@${clock.now()}`), 100);
	const every = clock.setInterval(() => seen.push(`i@${clock.now()}`), 150);
	clock.advance(320);
	clock.clearInterval(every);
	clock.advance(1000);
	assert.deepEqual(seen, ["a@100", "i@150", "b@200", "i@300"]);
	assert.equal(clock.pending, 0);
});
