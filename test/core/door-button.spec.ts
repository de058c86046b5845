import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { ButtonPresses } from "../../hardware/button.js";

function rig(coolDown?: number) {
	const clock = new FakeClock();
	let presses = 0;
	const button = new ButtonPresses(clock, () => presses++, coolDown);
	return { clock, button, presses: () => presses };
}

group("door button", () => {
	test("a press and release rings once", () => {
		const r = rig();
		assert.equal(r.button.change(0), true);
		assert.equal(r.button.change(1), false);
		assert.equal(r.presses(), 1);
	});

	test("presses within the cool-down are dropped, the next one after it rings", () => {
		const r = rig(1000);
		r.button.change(0);
		r.button.change(1);
		for (let i = 0; i < 5; i++) {
			r.clock.advance(150);
			r.button.change(0);
			r.clock.advance(30);
			r.button.change(1);
		}
		assert.equal(r.presses(), 1);
		assert.equal(r.button.dropped, 5);
		r.clock.advance(1000);
		assert.equal(r.button.change(0), true);
		assert.equal(r.presses(), 2);
	});

	test("a repeated pressed level is not a new press", () => {
		const r = rig(0);
		r.button.change(0);
		r.clock.advance(5000);
		assert.equal(r.button.change(0), false);
		assert.equal(r.presses(), 1);
	});

	test("a cool-down that is not a number of ms is refused", () => {
		const clock = new FakeClock();
		assert.throws(() => new ButtonPresses(clock, () => {}, -1), /cool-down/);
		assert.throws(() => new ButtonPresses(clock, () => {}, NaN), /cool-down/);
	});
});
