// Runs the portable core specs (test/core/*.spec.ts) under node:test; test/xs/ runs the same specs on XS.
import { test } from "node:test";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { takeTests } from "../lib/spec.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "core");
for (const name of readdirSync(dir).filter((n) => n.endsWith(".spec.js")).sort()) {
	await import(pathToFileURL(join(dir, name)).href);
	for (const t of takeTests()) test(`${name.replace(/\.spec\.js$/, "")}: ${t.name}`, t.body);
}
