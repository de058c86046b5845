// `npm run build:esp32s3` without the Moddable SDK: a clear message and exit 1; with one (a stand-in
// mcconfig here), mcconfig -d -m -p esp32/esp32s3 runs in the project with the project's tsc first on PATH.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = realpathSync(fileURLToPath(new URL("../../..", import.meta.url)));
const script = join(root, "scripts", "build-esp32s3.mjs");

/** Runs the script with the environment changed as given (undefined removes a variable). */
function run(changes: Record<string, string | undefined>): { status: number | null; stderr: string; stdout: string } {
	const env: Record<string, string> = {};
	for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
	for (const [name, value] of Object.entries(changes)) {
		if (value === undefined) delete env[name];
		else env[name] = value;
	}
	const r = spawnSync(process.execPath, [script], { env, encoding: "utf8" });
	return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

test("fails with a clear message when $MODDABLE is not set", () => {
	const r = run({ MODDABLE: undefined });
	assert.equal(r.status, 1);
	assert.match(r.stderr, /\$MODDABLE is not set/);
	assert.match(r.stderr, /xs-dev/);
});

test("fails when $MODDABLE is not a Moddable SDK", () => {
	const dir = mkdtempSync(join(tmpdir(), "klingel-nosdk-"));
	try {
		const r = run({ MODDABLE: dir });
		assert.equal(r.status, 1);
		assert.match(r.stderr, /not a Moddable SDK checkout/);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test("fails when mcconfig is missing, and when ESP-IDF is not set up", () => {
	const sdk = mkdtempSync(join(tmpdir(), "klingel-sdk-"));
	try {
		mkdirSync(join(sdk, "tools"));
		writeFileSync(join(sdk, "tools", "mcconfig.js"), "");
		const missing = run({ MODDABLE: sdk, PATH: "/usr/bin:/bin" });
		assert.equal(missing.status, 1);
		assert.match(missing.stderr, /mcconfig is missing/);
		const bin = join(sdk, "build", "bin", "lin", "release");
		mkdirSync(bin, { recursive: true });
		// The stand-in writes an application image where mcconfig's ESP32 build puts it.
		const out = join(sdk, "build", "bin", "esp32", "esp32s3", "debug", "klingel");
		writeFileSync(join(bin, "mcconfig"), `#!/bin/sh\nmkdir -p ${out} && printf 'klingel-image' > ${out}/xs_esp32.bin\necho "cwd=$(pwd) args=$* tsc=$(command -v tsc)"\n`);
		chmodSync(join(bin, "mcconfig"), 0o755);
		const noIdf = run({ MODDABLE: sdk, PATH: "/usr/bin:/bin", IDF_PATH: undefined });
		assert.equal(noIdf.status, 1);
		assert.match(noIdf.stderr, /\$IDF_PATH is not set/);
		const ok = run({ MODDABLE: sdk, PATH: "/usr/bin:/bin", IDF_PATH: sdk });
		assert.equal(ok.status, 0, ok.stderr);
		const line = ok.stdout.split("\n").find((l) => l.startsWith("cwd=")) ?? "";
		assert.equal(line.split(" ")[0], `cwd=${root}`);
		assert.match(line, / args=-d -m -p esp32\/esp32s3 /);
		assert.match(line, new RegExp(`tsc=${join(root, "node_modules", ".bin", "tsc").replace(/[.\\/]/g, "\\$&")}$`));
		assert.ok(ok.stdout.includes(`OTA image ${join(sdk, "build", "bin", "esp32", "esp32s3", "debug", "klingel", "xs_esp32.bin")}`), ok.stdout);
		assert.ok(ok.stdout.includes(`13 bytes, SHA-256 ${createHash("sha256").update("klingel-image").digest("hex")}`), ok.stdout);
	} finally {
		rmSync(sdk, { recursive: true, force: true });
	}
});
