// The device's microphone and speaker (modules/device/audio.ts as tsc -p tsconfig.device.json
// emits it) on the XS test host, over models of the SDK's audio drivers: test/device/audio.xs.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../lib/xsnap-client.js";

const root = projectRoot();

test("device audio on XS: every sample in order through the microphone and the speaker, and no JS heap allocated per frame", () => {
	const emitted = join(root, "build/device/modules/device/audio.js");
	assert.ok(existsSync(emitted), `${emitted} missing: npx tsc -p tsconfig.device.json`);
	const make = spawnSync("make", ["-s", "-C", "rtp/native", "xs-host"], { cwd: root, encoding: "utf8" });
	assert.equal(make.status, 0, `make -C rtp/native xs-host failed: ${make.stderr}`);
	const run = spawnSync(join(root, "build/native/xs-host"), [join(root, "test/device/audio.xs.js")], {
		cwd: root,
		encoding: "utf8",
		env: { ...process.env, KLINGEL_XS_EMBEDDED: join(root, "test/device/sdk") },
	});
	const lines = run.stdout.trim().split("\n");
	const failures = lines.filter((line) => line.startsWith("not ok"));
	assert.deepEqual(failures, [], run.stdout + run.stderr);
	assert.equal(run.status, 0, run.stdout + run.stderr);
	assert.match(lines[lines.length - 1], /^[1-9]\d* passed, 0 failed$/, run.stdout);
});
