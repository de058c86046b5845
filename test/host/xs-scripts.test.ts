// The scripts in test/device/*.xs.js on the XS test host (rtp/native/xs-host), one test each:
// the device's microphone and speaker (modules/device/audio.ts as tsc -p tsconfig.device.json
// emits it) over models of the SDK's audio drivers in test/device/sdk, and the portable code the
// device runs where a JS heap allocation per packet or frame could hide (the jitter buffer), and
// the device's Wi-Fi radio, local address and mDNS announcer over models of the SDK's ESP32
// wifi, net and mdns, its camera over a model of the SDK's ESP32 camera driver, and the names
// of its reset reasons over a model of the SDK's resetReason, and its build settings' pins over a
// model of mc/config, and its MQTT port over a model of the SDK's mqtt client, and its webhook
// port over a model of the SDK's http Request, and its web server's bounds on what a client
// sends before the body over a model of the SDK's http Server, and its clock under the call's
// frame clock over models of the SDK's timer and time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../lib/xsnap-client.js";

const root = projectRoot();
const scripts = readdirSync(join(root, "test/device")).filter((name) => name.endsWith(".xs.js")).sort();

test("the XS scripts are there", () => {
	assert.ok(["audio.xs.js", "camera.xs.js", "clock.xs.js", "http-post.xs.js", "http-server.xs.js", "jitter-buffer.xs.js", "mqtt.xs.js", "reset-reason.xs.js", "settings.xs.js", "wifi.xs.js"].every((name) => scripts.includes(name)), scripts.join(", "));
	const emitted = join(root, "build/device/modules/device/audio.js");
	assert.ok(existsSync(emitted), `${emitted} missing: npx tsc -p tsconfig.device.json`);
	const make = spawnSync("make", ["-s", "-C", "rtp/native", "xs-host"], { cwd: root, encoding: "utf8" });
	assert.equal(make.status, 0, `make -C rtp/native xs-host failed: ${make.stderr}`);
});

for (const script of scripts) {
	test(`on XS: test/device/${script}`, () => {
		const run = spawnSync(join(root, "build/native/xs-host"), [join(root, "test/device", script)], {
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
}
