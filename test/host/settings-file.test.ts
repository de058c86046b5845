// The simulator's settings file as a new user writes it: a value that fails its check stops the
// start with the message naming the key (exit 2), before anything is looked up or opened, and
// the file stays as it was. The store over it (modules/host/json-store.ts) keeps, as the device's
// does, nothing of a write that failed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guardReports, runSimulatorSync } from "../lib/simulator-process.js";
import { JsonStore, readSettingsFile } from "../../modules/host/json-store.js";

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

test("a set or delete whose write fails throws and leaves the store as it was, in memory and in the file", () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-settings-file-"));
	try {
		const settings = join(dir, "settings.json");
		const text = `${JSON.stringify({ web: { admin: "old" }, sip: { sip_user: "620" } }, null, 2)}\n`;
		writeFileSync(settings, text);
		const store = new JsonStore(settings);
		// The temporary file the write goes through cannot be made: a directory holds its name (root may write anywhere else).
		mkdirSync(`${settings}.tmp`);
		assert.throws(() => store.set("web", "admin", "new"));
		assert.throws(() => store.set("mqtt", "host", "broker"));
		assert.throws(() => store.delete("sip", "sip_user"));
		assert.equal(store.get("web", "admin"), "old");
		assert.deepEqual(store.keys("mqtt"), []);
		assert.equal(store.get("sip", "sip_user"), "620");
		assert.equal(readFileSync(settings, "utf8"), text);
		// The next write that succeeds writes only what was set then.
		rmdirSync(`${settings}.tmp`);
		store.set("sip", "sip_target", "**9");
		assert.deepEqual(JSON.parse(readFileSync(settings, "utf8")), { web: { admin: "old" }, sip: { sip_user: "620", sip_target: "**9" } });
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test("a settings file that cannot be read (a directory, no permission) says so, not that it is no JSON", () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-settings-file-"));
	try {
		assert.throws(() => readSettingsFile(dir), (error: Error) => error.message === `${dir} cannot be read (EISDIR: illegal operation on a directory, read)`);
		writeFileSync(join(dir, "bad.json"), "{ sip: ");
		assert.throws(() => readSettingsFile(join(dir, "bad.json")), /bad\.json is not valid JSON: /);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
