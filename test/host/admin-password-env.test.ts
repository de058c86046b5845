// KLINGEL_ADMIN_PASSWORD outside the admin password's rule (8 to 64 characters, no control
// characters) stops the simulator with one line that names the variable and the rule, as a bad
// option or settings file does, and stores nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guardReports, runSimulatorSync } from "../lib/simulator-process.js";

const cases: Array<{ what: string; password: string; rule: string }> = [
	{ what: "too short", password: "short", rule: "must be at least 8 characters" },
	{ what: "too long", password: "x".repeat(65), rule: "must be at most 64 characters" },
	{ what: "with a tab", password: "bell\tpassword", rule: "must not hold control characters" },
];

for (const { what, password, rule } of cases) {
	test(`KLINGEL_ADMIN_PASSWORD ${what}: one line that names it and the rule, exit 2, nothing stored`, () => {
		const dir = mkdtempSync(join(tmpdir(), "klingel-admin-env-"));
		try {
			const settings = join(dir, "settings.json");
			const text = JSON.stringify({ sip: { sip_server: "127.0.0.1", sip_port: 9 } });
			writeFileSync(settings, text);
			const run = runSimulatorSync(settings, ["--http", "0"], { env: { KLINGEL_ADMIN_PASSWORD: password } });
			assert.equal(run.status, 2, run.stderr);
			assert.equal(run.stderr, `KLINGEL_ADMIN_PASSWORD ${rule}; nothing was stored.\n`);
			assert.equal(run.stdout, "");
			assert.equal(readFileSync(settings, "utf8"), text);
			assert.deepEqual(readdirSync(dir), ["settings.json"]);
			assert.deepEqual(guardReports(run.stderr), []);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
}
