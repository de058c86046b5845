/*
 * `npm run fuzz`: the fuzzer of test/lib/fuzz.ts for a long run, on V8 (in this process) and on
 * XS (through the xsnap-worker the xs suite uses), in batches with seeds derived from one run
 * seed, so that any batch can be run again. Prints a table per engine and target: inputs,
 * accepted, unexpected exceptions, broken invariants, inputs slower than 50 ms (twice in a
 * row) and the slowest; saves each finding's input to the findings folder (`<engine>-<target>-
 * <kind>-<batch>-<index>.bin`, with its description in report.txt). Exits 1 on an exception or
 * a broken invariant; slow inputs are reported, not failed.
 *
 * On XS a slow input is run again alone and its computrons are noted (they do not depend on
 * the machine's load, as its milliseconds do).
 *
 *   npm run fuzz                               # 1,000,000 inputs on V8, 100,000 on XS
 *   npm run fuzz -- --v8 2000000 --xs 0 --seed 7 --out /tmp/findings
 *   npm run fuzz -- --replay fuzz-findings/xs-sdp-slow-3-677.bin   # one saved input, both engines
 */

import { mkdirSync, writeFileSync, appendFileSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fuzz, fuzzCheck, fuzzSeeds, batchSeed, FUZZ_TARGETS, SLOW_MS, type FuzzReport, type FuzzTarget, type Finding } from "../test/lib/fuzz.js";
import { messages } from "../test/fixtures/rfc4475-data.js";
import { XsnapWorker, projectRoot, replyWith } from "../test/lib/xsnap-client.js";

/** Each target's share of an engine's inputs. */
const SHARE: Record<FuzzTarget, number> = { sip: 0.5, sdp: 0.2, rtp: 0.3 };
const V8_BATCH = 10_000;
const XS_BATCH = 2_000;
/** Computrons one XS batch may use. */
const XS_LIMIT = 20_000_000_000;

interface Options {
	v8: number;
	xs: number;
	seed: number;
	out: string;
	/** A saved input to check again instead of a run. */
	replay?: string;
}

function parseArgs(argv: string[]): Options {
	const options: Options = { v8: 1_000_000, xs: 100_000, seed: 20261204, out: join(projectRoot(), "fuzz-findings") };
	for (let i = 0; i < argv.length; i++) {
		const value = argv[i + 1];
		const number = () => {
			const n = Number(value);
			if (!Number.isInteger(n) || n < 0) throw new Error(`${argv[i]} needs a whole number, not ${value}`);
			i++;
			return n;
		};
		if (argv[i] === "--v8") options.v8 = number();
		else if (argv[i] === "--xs") options.xs = number();
		else if (argv[i] === "--seed") options.seed = number();
		else if ((argv[i] === "--out" || argv[i] === "--replay") && value) {
			if (argv[i] === "--out") options.out = value;
			else options.replay = value;
			i++;
		} else throw new Error(`unknown option ${argv[i]} (--v8 N, --xs N, --seed N, --out DIR, --replay FILE)`);
	}
	return options;
}

/** One engine's and target's totals. */
interface Total {
	engine: "V8" | "XS";
	target: FuzzTarget;
	inputs: number;
	accepted: number;
	exceptions: number;
	invariantBreaks: number;
	slow: number;
	maxMs: number;
	seconds: number;
	/** Batches whose worker died (crash or computron limit): their inputs count as one exception each batch. */
	lostBatches: number;
	/** XS: the most computrons of a slow input run again alone (0: none was slow). */
	maxComputrons: number;
}

function newTotal(engine: "V8" | "XS", target: FuzzTarget): Total {
	return { engine, target, inputs: 0, accepted: 0, exceptions: 0, invariantBreaks: 0, slow: 0, maxMs: 0, seconds: 0, lostBatches: 0, maxComputrons: 0 };
}

function add(total: Total, report: FuzzReport): void {
	total.inputs += report.inputs;
	total.accepted += report.accepted;
	total.exceptions += report.exceptions;
	total.invariantBreaks += report.invariantBreaks;
	total.slow += report.slow;
	total.maxMs = Math.max(total.maxMs, report.maxMs);
}

class Findings {
	readonly dir: string;
	saved = 0;

	constructor(dir: string) {
		this.dir = dir;
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, "report.txt"), `# fuzz findings, ${new Date().toISOString()}\n`);
	}

	save(engine: string, batch: number, seed: number, finding: Finding): void {
		const name = `${engine.toLowerCase()}-${finding.target}-${finding.kind}-${batch}-${finding.index}.bin`;
		writeFileSync(join(this.dir, name), finding.input);
		appendFileSync(join(this.dir, "report.txt"), `${name}\tbatch seed ${seed}\t${finding.ms.toFixed(1)} ms\t${finding.detail}\n`);
		this.saved++;
	}

	note(line: string): void {
		appendFileSync(join(this.dir, "report.txt"), `${line}\n`);
	}
}

function counts(total: number): Record<FuzzTarget, number> {
	return { sip: Math.ceil(total * SHARE.sip), sdp: Math.ceil(total * SHARE.sdp), rtp: Math.ceil(total * SHARE.rtp) };
}

function progress(total: Total, goal: number): void {
	if (process.stdout.isTTY) process.stdout.write(`\r${total.engine} ${total.target}: ${total.inputs.toLocaleString("en")} / ${goal.toLocaleString("en")} `);
}

function runV8(options: Options, findings: Findings): Total[] {
	const seeds = fuzzSeeds(messages);
	const totals: Total[] = [];
	const goal = counts(options.v8);
	for (const target of FUZZ_TARGETS) {
		const total = newTotal("V8", target);
		const started = performance.now();
		for (let batch = 0; total.inputs < goal[target]; batch++) {
			const seed = batchSeed(options.seed, batch);
			const report = fuzz({ target, seed, count: Math.min(V8_BATCH, goal[target] - total.inputs), seeds: seeds[target], now: () => performance.now() });
			add(total, report);
			for (const finding of report.findings) findings.save("V8", batch, seed, finding);
			progress(total, goal[target]);
		}
		total.seconds = (performance.now() - started) / 1000;
		totals.push(total);
	}
	if (process.stdout.isTTY) process.stdout.write("\r\x1b[K");
	return totals;
}

/** Loads the fuzzer and the seeds into a fresh worker. */
async function xsWorker(root: string): Promise<XsnapWorker> {
	const worker = new XsnapWorker({ computronLimit: XS_LIMIT, cwd: root, onOutput: (text) => process.stderr.write(text.replace(/^(?=.)/gm, "xs| ")) });
	const reply = await worker.evaluate(
		replyWith(`(async () => {
	const f = await import(${JSON.stringify(join(root, "build/test/lib/fuzz.js"))});
	const { messages } = await import(${JSON.stringify(join(root, "build/test/fixtures/rfc4475-data.js"))});
	globalThis.klingelFuzz = { fuzz: f.fuzz, check: f.fuzzCheck, seeds: f.fuzzSeeds(messages) };
	return "ok";
})()`),
	);
	if (reply.text !== "ok") throw new Error(`the fuzzer does not load on XS: ${reply.text}`);
	return worker;
}

function hex(bytes: Uint8Array): string {
	return Buffer.from(bytes).toString("hex");
}

/** One input checked alone on XS: its outcome and computrons. */
async function xsCheck(worker: XsnapWorker, target: FuzzTarget, input: Uint8Array, index: number): Promise<{ outcome: string; detail: string; computrons: number }> {
	const reply = await worker.evaluate(
		replyWith(`(() => {
	const hex = ${JSON.stringify(hex(input))};
	const bytes = new Uint8Array(hex.length / 2);
	for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
	return JSON.stringify(globalThis.klingelFuzz.check(${JSON.stringify(target)}, bytes, ${index}));
})()`),
	);
	return { ...(JSON.parse(reply.text) as { outcome: string; detail: string }), computrons: reply.meter.compute };
}

/** The script of one XS batch: its report, each finding's input as hex. */
function xsBatch(target: FuzzTarget, seed: number, count: number): string {
	return replyWith(`(() => {
	const { fuzz, seeds } = globalThis.klingelFuzz;
	const report = fuzz({ target: ${JSON.stringify(target)}, seed: ${seed}, count: ${count}, seeds: seeds[${JSON.stringify(target)}], now: () => Date.now() });
	const hex = (bytes) => Array.prototype.map.call(bytes, (b) => (b < 16 ? "0" : "") + b.toString(16)).join("");
	report.findings = report.findings.map((f) => ({ ...f, input: hex(f.input) }));
	return JSON.stringify(report);
})()`);
}

function fromHex(hex: string): Uint8Array {
	const out = new Uint8Array(hex.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
	return out;
}

async function runXs(options: Options, findings: Findings): Promise<Total[]> {
	const root = projectRoot();
	let worker = await xsWorker(root);
	const totals: Total[] = [];
	const goal = counts(options.xs);
	try {
		for (const target of FUZZ_TARGETS) {
			const total = newTotal("XS", target);
			const started = performance.now();
			for (let batch = 0; total.inputs < goal[target]; batch++) {
				const seed = batchSeed(options.seed, batch);
				const count = Math.min(XS_BATCH, goal[target] - total.inputs);
				try {
					const reply = await worker.evaluate(xsBatch(target, seed, count));
					const report = JSON.parse(reply.text) as FuzzReport & { findings: Array<Finding & { input: string }>; scriptError?: string };
					if (report.scriptError) throw new Error(report.scriptError);
					add(total, report);
					for (const found of report.findings) {
						const finding = { ...found, input: fromHex(found.input) };
						if (finding.kind === "slow") {
							const alone = await xsCheck(worker, target, finding.input, finding.index);
							finding.detail += `; alone: ${alone.computrons.toLocaleString("en")} computrons`;
							total.maxComputrons = Math.max(total.maxComputrons, alone.computrons);
						}
						findings.save("XS", batch, seed, finding);
					}
				} catch (error) {
					// The worker died or the batch threw outside the fuzzer: the batch is one exception, replayable by its seed.
					total.inputs += count;
					total.exceptions++;
					total.lostBatches++;
					findings.note(`xs-${target} batch ${batch} (seed ${seed}, ${count} inputs): ${(error as Error)?.message ?? error}`);
					if (worker.exited) worker = await xsWorker(root);
				}
				progress(total, goal[target]);
			}
			total.seconds = (performance.now() - started) / 1000;
			totals.push(total);
		}
	} finally {
		await worker.close();
	}
	if (process.stdout.isTTY) process.stdout.write("\r\x1b[K");
	return totals;
}

function table(totals: Total[]): string {
	const rows = [["engine", "target", "inputs", "accepted", "exceptions", "invariant breaks", `slow (> ${SLOW_MS} ms)`, "slowest ms", "seconds"]];
	for (const t of totals) {
		const slow = String(t.slow) + (t.maxComputrons ? ` (alone ≤ ${t.maxComputrons.toLocaleString("en")} computrons)` : "");
		rows.push([t.engine, t.target.toUpperCase(), t.inputs.toLocaleString("en"), t.accepted.toLocaleString("en"), String(t.exceptions) + (t.lostBatches ? ` (${t.lostBatches} lost batches)` : ""), String(t.invariantBreaks), slow, t.maxMs.toFixed(1), t.seconds.toFixed(1)]);
	}
	return rows.map((r) => `| ${r.join(" | ")} |`).join("\n").replace(/\n/, `\n|${rows[0].map(() => " --- ").join("|")}|\n`);
}

/** Checks one saved input (named `<engine>-<target>-…`) on V8 and alone on XS. */
async function replay(file: string): Promise<number> {
	const target = basename(file).split("-")[1] as FuzzTarget;
	if (!FUZZ_TARGETS.includes(target)) throw new Error(`${file}: the name says no target (sip, sdp or rtp after the engine)`);
	const input = new Uint8Array(readFileSync(file));
	const index = Number(basename(file).replace(/\.bin$/, "").split("-").pop()) || 0;
	const started = performance.now();
	const v8 = fuzzCheck(target, input, index);
	console.log(`V8: ${v8.outcome}${v8.detail ? `: ${v8.detail}` : ""} (${(performance.now() - started).toFixed(1)} ms)`);
	const worker = await xsWorker(projectRoot());
	try {
		const xs = await xsCheck(worker, target, input, index);
		console.log(`XS: ${xs.outcome}${xs.detail ? `: ${xs.detail}` : ""} (${xs.computrons.toLocaleString("en")} computrons)`);
		return v8.outcome === "exception" || v8.outcome === "invariant" || xs.outcome === "exception" || xs.outcome === "invariant" ? 1 : 0;
	} finally {
		await worker.close();
	}
}

async function main(): Promise<void> {
	let options: Options;
	try {
		options = parseArgs(process.argv.slice(2));
	} catch (error) {
		console.error((error as Error).message);
		process.exit(2);
	}
	if (options.replay) process.exit(await replay(options.replay));
	const findings = new Findings(options.out);
	console.log(`fuzz: seed ${options.seed}, ${options.v8.toLocaleString("en")} inputs on V8 and ${options.xs.toLocaleString("en")} on XS; findings in ${options.out}`);
	const totals: Total[] = [];
	if (options.v8 > 0) totals.push(...runV8(options, findings));
	if (options.xs > 0) totals.push(...(await runXs(options, findings)));
	console.log(table(totals));
	const all = (key: "inputs" | "exceptions" | "invariantBreaks" | "slow") => totals.reduce((n, t) => n + t[key], 0);
	console.log(`\n${all("inputs").toLocaleString("en")} inputs: ${all("exceptions")} unexpected exceptions, ${all("invariantBreaks")} broken invariants, ${all("slow")} slow inputs; ${findings.saved} saved in ${options.out}`);
	findings.note(table(totals));
	process.exit(all("exceptions") + all("invariantBreaks") > 0 ? 1 : 0);
}

await main();
