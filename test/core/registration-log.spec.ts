/*
 * The log of a failed registration: one line a failure, from the registration itself, with the
 * reason and when it tries again. The application's line for a change of state leaves a failure
 * to it, so that the log does not say each failure twice.
 */

import { test, group, assert } from "../lib/spec.js";
import { bootApp } from "../lib/app-harness.js";

group("registration: the log", () => {
	test("a refused refresh is logged once, with the reason and the next try; registered again once", () => {
		const app = bootApp();
		app.lines.length = 0;
		app.clock.advance(60_000);
		const register = app.sent().find((m) => m.method === "REGISTER");
		assert.ok(register, "the refresh");
		app.answer(register, 403, "Forbidden");
		const failed = app.lines.filter((l) => /registration.*fail/i.test(l));
		assert.equal(failed.length, 1, failed.join("\n"));
		assert.match(failed[0], /registration failed: .*; next try in \d+ s/);
		app.clock.advance(60_000);
		assert.ok(app.acceptRegister(), "the next try");
		assert.deepEqual(app.lines.filter((l) => /registration registered/.test(l)).length, 1, app.lines.join("\n"));
	});
});
