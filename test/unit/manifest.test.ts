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
