/*
 * The xs suite: runs every portable spec (build/test/core/*.spec.js) inside the real XS
 * engine (xsnap-worker from @agoric/xsnap, XS 13.3), one request per test, and prints one
 * line per test and a last line "N passed, N failed". Exits non-zero when a test fails, when
 * a spec file does not load, when no test is found, or when XS ran another number of tests
 * than node:test registers for test/core.
 */

import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot, replyWith, XsnapWorker, type XsMeter } from "../lib/xsnap-client.js";
import { takeTests } from "../lib/spec.js";

/** Computrons one request may use (the worker's default of 1e8 is too tight for the corpus specs). */
const COMPUTRON_LIMIT = 2_000_000_000;

interface Loaded {
	tests: Array<{ file: string; name: string }>;
	errors: Array<{ file: string; error: string }>;
}

interface Outcome {
	ok: boolean;
	error?: string;
	finished?: boolean;
}

const root = projectRoot();
/** The compiled specs; another directory may be given to try the runner itself. */
const buildCore = process.argv[2] ? resolve(process.argv[2]) : join(root, "build/test/core");
const sourceCore = process.argv[2] ? "" : join(root, "test/core");
const specModule = join(root, "build/test/lib/spec.js");

let passed = 0;
let failed = 0;
let number = 0;

function report(ok: boolean, name: string, detail = ""): void {
	number++;
	if (ok) passed++;
	else failed++;
	console.log(`${ok ? "ok" : "not ok"} ${number} - ${name}${detail && !detail.startsWith("\n") ? " " : ""}${detail}`);
}

function finish(): never {
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

/** The compiled spec files, checked against test/core/*.spec.ts so that none is missed. */
function specFiles(): string[] {
	const compiled = existsSync(buildCore) ? readdirSync(buildCore).filter((n) => n.endsWith(".spec.js")).sort() : [];
	const sources = sourceCore && existsSync(sourceCore) ? readdirSync(sourceCore).filter((n) => n.endsWith(".spec.ts")).sort() : [];
	for (const source of sources) {
		const js = source.replace(/\.ts$/, ".js");
		if (!compiled.includes(js)) {
			report(false, `${source}: not compiled (no build/test/core/${js}; run npx tsc -p tsconfig.json)`);
		} else if (statSync(join(buildCore, js)).mtimeMs + 1000 < statSync(join(sourceCore, source)).mtimeMs) {
			console.log(`# warning: build/test/core/${js} is older than test/core/${source} (rebuild with npx tsc -p tsconfig.json)`);
		}
	}
	return compiled;
}

/** How many tests node:test registers per spec file (test/unit/core.test.ts registers each one). */
async function nodeCounts(files: string[]): Promise<Map<string, number | string>> {
	const counts = new Map<string, number | string>();
	takeTests();
	for (const file of files) {
		try {
			await import(pathToFileURL(join(buildCore, file)).href);
			counts.set(file, takeTests().length);
		} catch (error) {
			takeTests();
			counts.set(file, `does not load on Node either: ${(error as Error)?.message ?? error}`);
		}
	}
	return counts;
}

/** Script run inside XS: imports every spec file and keeps the registered tests in a global. */
function loadScript(files: string[]): string {
	return replyWith(`(async () => {
	const describe = (error) => {
		const text = error && typeof error === "object" ? \`\${error.name || "Error"}: \${error.message}\` : String(error);
		const stack = error && typeof error.stack === "string" && error.stack ? error.stack : "";
		return stack && !stack.startsWith(text) ? text + "\\n" + stack : stack || text;
	};
	globalThis.klingelDescribe = describe;
	const spec = await import(${JSON.stringify(specModule)});
	const tests = [];
	const errors = [];
	spec.takeTests();
	for (const file of ${JSON.stringify(files)}) {
		try {
			await import(${JSON.stringify(buildCore + "/")} + file);
			for (const t of spec.takeTests()) tests.push({ file, name: t.name, body: t.body });
		} catch (error) {
			spec.takeTests();
			errors.push({ file, error: describe(error) });
		}
	}
	globalThis.klingelTests = tests;
	return JSON.stringify({ tests: tests.map((t) => ({ file: t.file, name: t.name })), errors });
})()`);
}

/** Script run inside XS: runs test i and answers its outcome. */
function testScript(i: number): string {
	return replyWith(`(async () => {
	const t = globalThis.klingelTests[${i}];
	try {
		await t.body();
		return JSON.stringify({ ok: true, finished: true });
	} catch (error) {
		return JSON.stringify({ ok: false, finished: true, error: globalThis.klingelDescribe(error) });
	}
})()`);
}

function label(file: string, name: string): string {
	return `${file.replace(/\.spec\.js$/, "")}: ${name}`;
}

function indent(text: string): string {
	return text.split("\n").map((l) => `#   ${l}`).join("\n");
}

async function start(files: string[]): Promise<{ worker: XsnapWorker; loaded: Loaded }> {
	const worker = new XsnapWorker({ computronLimit: COMPUTRON_LIMIT, cwd: root, onOutput: (text) => process.stderr.write(text.replace(/^(?=.)/gm, "xs| ")) });
	const reply = await worker.evaluate(loadScript(files));
	const value = JSON.parse(reply.text) as Loaded & { scriptError?: string };
	if (value.scriptError) throw new Error(`loading the specs failed: ${value.scriptError}`);
	return { worker, loaded: value };
}

async function main(): Promise<void> {
	const files = specFiles();
	if (files.length === 0) {
		report(false, "no spec files in build/test/core (run npx tsc -p tsconfig.json first)");
		finish();
	}
	const expected = await nodeCounts(files);

	let session: { worker: XsnapWorker; loaded: Loaded };
	try {
		session = await start(files);
	} catch (error) {
		report(false, `XS could not load the specs: ${(error as Error)?.message ?? error}`);
		finish();
	}
	const { tests, errors } = session.loaded;
	for (const { file, error } of errors) report(false, `${file}: does not load on XS`, `\n${indent(error)}`);

	let totalComputrons = 0;
	for (let i = 0; i < tests.length; i++) {
		const { file, name } = tests[i];
		let outcome: Outcome;
		let meter: XsMeter | undefined;
		try {
			const reply = await session.worker.evaluate(testScript(i));
			meter = reply.meter;
			outcome = reply.bytes.length ? (JSON.parse(reply.text) as Outcome) : { ok: false, error: "did not finish: its Promise never settled (XS has no setTimeout; use the fake clock)" };
		} catch (error) {
			outcome = { ok: false, error: `${(error as Error)?.message ?? error}` };
		}
		if (meter) totalComputrons += meter.compute;
		report(outcome.ok, label(file, name), outcome.ok ? `(${meter?.compute ?? 0} computrons)` : `\n${indent(outcome.error ?? "failed")}`);
		if (session.worker.exited && i + 1 < tests.length) {
			// The worker died in that test (crash or computron limit): go on in a fresh one.
			try {
				const again = await start(files);
				if (again.loaded.tests.length !== tests.length) throw new Error("a fresh worker registered another set of tests");
				session = again;
			} catch (error) {
				for (let j = i + 1; j < tests.length; j++) report(false, label(tests[j].file, tests[j].name), `\n${indent(`not run: the worker could not be restarted: ${(error as Error)?.message ?? error}`)}`);
				break;
			}
		}
	}
	await session.worker.close();

	// The same tests as node:test runs for test/core, file by file.
	let nodeTotal = 0;
	let mismatch = false;
	for (const file of files) {
		const want = expected.get(file);
		const got = tests.filter((t) => t.file === file).length;
		if (typeof want === "number") nodeTotal += want;
		const xsFailed = errors.some((e) => e.file === file);
		if (typeof want !== "number") {
			console.log(`# ${file}: ${want}`);
			if (!xsFailed) mismatch = true;
		} else if (want !== got && !xsFailed) {
			mismatch = true;
			console.log(`# ${file}: XS registered ${got} tests, Node ${want}`);
		}
	}
	if (tests.length === 0) report(false, "no tests were registered on XS");
	if (mismatch || tests.length !== nodeTotal) report(false, `XS ran ${tests.length} tests, node:test registers ${nodeTotal} for test/core`);
	console.log(`# XS 13.3 (xsnap-worker): ${tests.length} tests from ${files.length} spec files, node:test: ${nodeTotal}; ${totalComputrons} computrons in all`);
	finish();
}

await main();
