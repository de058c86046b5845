// Turns the RFC 4475 torture messages from ../shared/rfc4475 into a module the specs import
// on Node and on XS alike (build/test/fixtures/rfc4475-data.js).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./ensure-node-deps.mjs";

export const corpusDir = join(root, "..", "shared", "rfc4475");

export function writeFixtures() {
	const out = join(root, "build/test/fixtures");
	mkdirSync(out, { recursive: true });
	if (!existsSync(join(corpusDir, "verdicts.tsv"))) {
		throw new Error(`The RFC 4475 corpus is missing: expected ${corpusDir}/verdicts.tsv (shared/ beside the project)`);
	}
	const lines = readFileSync(join(corpusDir, "verdicts.tsv"), "utf8").trim().split("\n");
	const columns = lines[0].split("\t");
	const messages = lines.slice(1).map((line) => {
		const row = Object.fromEntries(line.split("\t").map((v, i) => [columns[i], v]));
		let bytes = readFileSync(join(corpusDir, `${row.name}.dat`));
		// The archived baddn lacks the empty line that ends its header section.
		if (row.name === "baddn") bytes = Buffer.concat([bytes, Buffer.from("\r\n")]);
		return { ...row, data: bytes.toString("latin1") };
	});
	writeFileSync(join(out, "rfc4475-data.js"), `export const messages = ${JSON.stringify(messages)};\n`);
}

if (process.argv[1] && process.argv[1].endsWith("fixtures.mjs")) writeFixtures();
