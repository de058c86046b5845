// Checks on the manifest that mcconfig cannot make before the device is built.
// The device reads its version from the manifest's config (mcconfig compiles it in; the SDK
// cannot read package.json): the two must say the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

test("the manifest's config.version is package.json's version", () => {
	const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { config: { version?: string } };
	assert.equal(manifest.config.version, pkg.version);
});

// mcconfig compiles the C files the manifest names and nothing else: a core file missing there
// links on Node (the Makefile's CORE_SRC) and fails only when the device's image is linked.
test("the manifest names every C file of the audio core", () => {
	const makefile = readFileSync(join(root, "rtp", "native", "Makefile"), "utf8");
	const core = /^CORE_SRC\s*:=\s*(.+)$/m.exec(makefile)?.[1].trim().split(/\s+/) ?? [];
	assert.ok(core.length > 0, "CORE_SRC not found in rtp/native/Makefile");
	const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { modules: Record<string, string | string[]> };
	const listed = new Set([manifest.modules["*"]].flat());
	const missing = core.filter((file) => !listed.has(`./rtp/native/${file.replace(/\.c$/, "")}`));
	assert.deepEqual(missing, []);
});
