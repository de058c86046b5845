/*
 * What the native benchmarks share: running the programs `make -C rtp/native` builds, and counting
 * the instructions spent inside one function of them with valgrind's callgrind (collection
 * switched on only inside that function, --toggle-collect).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Where rtp/native's Makefile puts its programs. */
export const nativeOut = join(root, "build", "native");

/** Runs a command in the project's root; its standard output, or an error with what it said. */
export function run(command: string, args: string[]): string {
	const r = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 16 << 20 });
	if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout}`);
	return r.stdout;
}

/** Instructions per frame spent inside `fn` of the native `program` run with `args` over `frames` frames. */
export function instructionsPerFrame(program: string, fn: string, args: string[], frames: number): number {
	const dir = mkdtempSync(join(tmpdir(), "klingel-callgrind-"));
	try {
		const file = join(dir, "callgrind.out");
		run("valgrind", ["--tool=callgrind", `--toggle-collect=${fn}`, `--callgrind-out-file=${file}`, join(nativeOut, program), ...args]);
		const m = /^summary:\s+(\d+)/m.exec(readFileSync(file, "utf8"));
		if (!m) throw new Error(`no summary in callgrind output of ${program}`);
		return Number(m[1]) / frames;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
