// `npm test`: installs what is missing, builds, and runs every suite; ends with "N passed, N failed".
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync, spawn } from "node:child_process";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { root, ensureNodeDeps } from "./ensure-node-deps.mjs";
import { ensureDebianPackages } from "./debian-packages.mjs";
import { writeFixtures } from "./fixtures.mjs";

const CI = process.env.CI === "true" || process.env.CI === "1";
// Every process of every suite inherits it: the host's senders refuse (and report) any
// destination outside 127.0.0.0/8 (modules/host/loopback-guard.ts).
process.env.KLINGEL_LOOPBACK_ONLY = "1";
const only = process.argv.slice(2); // optional suite names

ensureNodeDeps();
const missing = ensureDebianPackages();
if (missing.length && CI) {
	console.error("CI=true: nothing may be skipped, and packages are missing.");
	process.exit(1);
}

function sh(cmd, args, options = {}) {
	const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
	return r.status === 0;
}

console.log("Building (tsc)…");
if (!sh("npx", ["tsc", "-p", "tsconfig.json"])) process.exit(1);
if (existsSync(join(root, "rtp/native/Makefile"))) {
	console.log("Building the native audio addon (make -C rtp/native addon)…");
	if (!sh("make", ["-s", "-C", "rtp/native", "addon"])) process.exit(1);
}
writeFixtures();
if (existsSync(join(root, "tsconfig.device.json"))) {
	console.log("Type-checking the device code (tsc -p tsconfig.device.json)…");
	if (!sh("npx", ["tsc", "-p", "tsconfig.device.json"])) process.exit(1);
}

function files(dir, suffix) {
	const out = [];
	if (!existsSync(dir)) return out;
	for (const name of readdirSync(dir).sort()) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) out.push(...files(path, suffix));
		else if (name.endsWith(suffix)) out.push(path);
	}
	return out;
}

async function nodeSuite(dir, concurrency) {
	const list = files(join(root, "build/test", dir), ".test.js");
	if (list.length === 0) return { passed: 0, failed: 0 };
	let passed = 0, failed = 0;
	const stream = run({ files: list, concurrency });
	stream.on("test:pass", (e) => { if (e.details?.type !== "suite" && !e.skip && !e.todo) passed++; });
	stream.on("test:fail", (e) => { if (e.details?.type !== "suite") failed++; });
	await new Promise((resolve) => stream.compose(spec).on("end", resolve).pipe(process.stdout, { end: false }));
	return { passed, failed };
}

/** Runs a command whose last line is "N passed, N failed". */
function countedCommand(cmd, args, env = {}) {
	return new Promise((resolve) => {
		const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
		let last = "";
		child.stdout.on("data", (chunk) => {
			process.stdout.write(chunk);
			last = (last + chunk.toString()).split("\n").slice(-3).join("\n");
		});
		child.on("close", (code) => {
			const m = /(\d+) passed, (\d+) failed/.exec(last);
			const passed = m ? Number(m[1]) : 0;
			let failed = m ? Number(m[2]) : 0;
			if (code !== 0 && failed === 0) failed = 1;
			resolve({ passed, failed });
		});
	});
}

const suites = [
	["unit", () => nodeSuite("unit", true)],
	["xs", () => existsSync(join(root, "build/test/xs/run.js")) ? countedCommand("node", ["build/test/xs/run.js"]) : { passed: 0, failed: 0 }],
	["native", () => existsSync(join(root, "rtp/native/Makefile")) ? countedCommand("make", ["-s", "-C", "rtp/native", "test"]) : { passed: 0, failed: 0 }],
	["host", () => nodeSuite("host", true)],
	["e2e", () => nodeSuite("e2e", false)],
	["web", () => nodeSuite("web", false)],
];

let passed = 0, failed = 0;
for (const [name, body] of suites) {
	if (only.length && !only.includes(name)) continue;
	console.log(`\n=== suite: ${name}`);
	const r = await body();
	console.log(`=== ${name}: ${r.passed} passed, ${r.failed} failed`);
	passed += r.passed;
	failed += r.failed;
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
