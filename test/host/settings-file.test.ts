// The simulator's settings file as a new user writes it: a value that fails its check stops the
// start with the message naming the key (exit 2), before anything is looked up or opened, and
// the file stays as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guardReports, runSimulatorSync } from "../lib/simulator-process.js";

/** Runs the simulator over a settings file holding `text`; its exit code and output, and the directory after. */
function start(text: string): { status: number | null; stdout: string; stderr: string; file: string; files: string[]; settings: string } {
	const dir = mkdtempSync(join(tmpdir(), "klingel-settings-file-"));
	try {
		const settings = join(dir, "settings.json");
		writeFileSync(settings, text);
		const run = runSimulatorSync(settings, ["--http", "0"]);
		return { status: run.status, stdout: run.stdout, stderr: run.stderr, file: readFileSync(settings, "utf8"), files: readdirSync(dir), settings };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

for (const port of [0, 70000, "5o60"]) {
	test(`sip_port ${JSON.stringify(port)}: the start stops with the message naming sip.sip_port, exit 2, the file unchanged`, () => {
		const text = JSON.stringify({ sip: { sip_server: "127.0.0.1", sip_port: port } });
		const run = start(text);
		assert.equal(run.status, 2, run.stderr);
		assert.equal(run.stderr, `Invalid settings in ${run.settings}: setting sip.sip_port: must be a whole number from 1 to 65535 (stored: ${JSON.stringify(port)})\nNothing was changed.\n`);
		assert.equal(run.stdout, "");
		assert.equal(run.file, text);
		assert.deepEqual(run.files, ["settings.json"]);
		assert.deepEqual(guardReports(run.stderr), []);
	});
}
