// `npm start -- --help` and the README's table of the simulator's options say the same: every
// option of the table is in the help and the other way round, and the local SIP port's default
// is the local_port setting in both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sourcePath } from "../rig/paths.js";
import { USAGE, parseOptions } from "../../modules/host/options.js";

/** The README's rows of the simulator's options: option name → default cell, without backticks. */
function readmeOptions(): Map<string, string> {
	const readme = readFileSync(sourcePath("README.md"), "utf8");
	const section = readme.slice(readme.indexOf("## The simulator"), readme.indexOf("### With a real FRITZ!Box"));
	const rows = new Map<string, string>();
	for (const line of section.split("\n")) {
		const cells = /^\| `(--[a-z-]+)[^|]*\|.*\|([^|]*)\|$/.exec(line);
		if (cells) rows.set(cells[1], cells[2].replace(/`/g, "").trim());
	}
	return rows;
}

test("--help names every option of the README's table and no other", () => {
	const inHelp = new Set([...USAGE.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]));
	assert.deepEqual([...inHelp].sort(), [...readmeOptions().keys()].sort());
	assert.equal(parseOptions(["--help"]).help, true);
});

test("--sip-port: --help gives the README's default, the local_port setting (5062)", () => {
	assert.equal(readmeOptions().get("--sip-port"), "the local_port setting (5062)");
	const entry = /^ {2}--sip-port[\s\S]*?(?=^ {2}--)/m.exec(USAGE)?.[0].replace(/\s+/g, " ") ?? "";
	assert.match(entry, /\(default: the local_port setting \(5062\);/);
});
