// Turns the RFC 4475 torture messages from ../shared/rfc4475 into a module the specs import
// on Node and on XS alike (build/test/fixtures/rfc4475-data.js).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./ensure-node-deps.mjs";

// RFC4475_DIR names another place (e.g. for a git worktree that is not beside shared/).
export const corpusDir = process.env.RFC4475_DIR || join(root, "..", "shared", "rfc4475");

/**
 * The corpus's SDP bodies name media addresses of 192.0.2.0/24 (TEST-NET-1): a door that takes
 * such an INVITE sends RTP there, off this machine. Tests keep every packet on 127.0.0.0/8, so
 * each `c=`/`o=` address of a body gets its first octet replaced by 127 (192.0.2.5 becomes
 * 127.0.2.5): the same length, so every Content-Length stays as the RFC has it.
 */
export function loopbackMedia(name, text) {
	const head = text.indexOf("\r\n\r\n");
	if (head < 0) return text;
	const body = text.slice(head).replace(/^([co]=.*IN IP4 )(\d{1,3})(\.\d{1,3}\.\d{1,3}\.\d{1,3})(?=[\r\n/ ]|$)/gm, (line, start, first, rest) => {
		if (first === "127") return line;
		if (first.length !== 3) throw new Error(`${name}: media address ${first}${rest} cannot become a loopback address of the same length`);
		return `${start}127${rest}`;
	});
	if (body.length !== text.length - head) throw new Error(`${name}: the media rewrite changed the body's length`);
	return text.slice(0, head) + body;
}

export function writeFixtures() {
	const out = join(root, "build/test/fixtures");
	mkdirSync(out, { recursive: true });
	if (!existsSync(join(corpusDir, "verdicts.tsv"))) {
		throw new Error(`The RFC 4475 corpus is missing: expected ${corpusDir}/verdicts.tsv (shared/ beside the project, or RFC4475_DIR)`);
	}
	const lines = readFileSync(join(corpusDir, "verdicts.tsv"), "utf8").trim().split("\n");
	const columns = lines[0].split("\t");
	const messages = lines.slice(1).map((line) => {
		const row = Object.fromEntries(line.split("\t").map((v, i) => [columns[i], v]));
		let bytes = readFileSync(join(corpusDir, `${row.name}.dat`));
		// The archived baddn lacks the empty line that ends its header section.
		if (row.name === "baddn") bytes = Buffer.concat([bytes, Buffer.from("\r\n")]);
		return { ...row, data: loopbackMedia(row.name, bytes.toString("latin1")) };
	});
	writeFileSync(join(out, "rfc4475-data.js"), `export const messages = ${JSON.stringify(messages)};\n`);
}

if (process.argv[1] && process.argv[1].endsWith("fixtures.mjs")) writeFixtures();
