/*
 * The XS worker the benchmarks measure with: xsnap-worker (XS 13.3 from @agoric/xsnap) relinked
 * with bench/xs-meter.c, which adds xsMeterChunks() and xsMeterSlots(). It is linked from the
 * object files the package's postinstall built, so only the small meter file is compiled here
 * (a second or two, once; kept in build/xs-meter/). Without those objects or a C compiler the
 * stock worker is used and byte counts are not available.
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { findXsnapWorker, projectRoot } from "../test/lib/xsnap-client.js";

export interface BenchWorker {
	binary: string;
	/** Whether xsMeterChunks()/xsMeterSlots() exist in it. */
	metered: boolean;
	/** Why the stock worker is used, when it is. */
	note: string;
}

/** The same defines the package's makefile (xsnap-worker.mk) compiles XS with: the machine layout must match. */
const DEFINES = [
	"-fno-common", "-DINCLUDE_XSPLATFORM", '-DXSPLATFORM="xsnapPlatform.h"', "-DXSNAP_TEST_RECORD=0",
	"-DmxLockdown=1", "-DmxMetering=1", "-DmxDebug=1", "-UmxInstrument", "-DmxNoConsole=1", "-DmxBoundsCheck=1",
	"-DmxParse=1", "-DmxRun=1", "-DmxSloppy=1", "-DmxSnapshot=1", "-DmxRegExpUnicodePropertyEscapes=1",
	"-DmxStringNormalize=1", "-DmxMinusZero=1", "-D__has_builtin(x)=1",
];

export function benchWorker(root = projectRoot()): BenchWorker {
	const stock = findXsnapWorker(root);
	if (!stock) throw new Error("xsnap-worker is missing: run npm install (the @agoric/xsnap postinstall builds it)");
	const pkg = join(root, "node_modules/@agoric/xsnap");
	const objects = join(pkg, "xsnap-native/xsnap/build/tmp/lin/release/xsnap-worker");
	const source = join(root, "bench/xs-meter.c");
	const out = join(root, "build/xs-meter");
	const binary = join(out, "xsnap-worker-meter");
	if (!existsSync(objects) || !existsSync(source)) return { binary: stock, metered: false, note: "the xsnap-worker object files are gone; bytes not measured" };
	const counters = join(root, "bench/xs-meter-counters.c");
	const built = existsSync(binary) ? statSync(binary).mtimeMs : 0;
	if (built && [source, counters, stock].every((f) => !existsSync(f) || statSync(f).mtimeMs <= built)) {
		return { binary, metered: true, note: "" };
	}
	mkdirSync(out, { recursive: true });
	const includes = [join(pkg, "moddable/xs/includes"), join(pkg, "moddable/xs/platforms"), join(pkg, "moddable/xs/sources"), join(pkg, "xsnap-native/xsnap/sources")].map((d) => `-I${d}`);
	const meterObjects: string[] = [];
	for (const file of [source, join(root, "bench/xs-meter-counters.c")]) {
		const object = join(out, file.replace(/^.*\//, "").replace(/\.c$/, ".o"));
		const compile = spawnSync("cc", [file, ...DEFINES, ...includes, "-O2", "-w", "-c", "-o", object], { encoding: "utf8" });
		if (compile.status !== 0) return { binary: stock, metered: false, note: `cc failed: ${(compile.stderr || compile.error?.message || "").trim().split("\n").find((l) => /error/.test(l)) ?? ""}` };
		meterObjects.push(object);
	}
	const list = readdirSync(objects).filter((n) => n.endsWith(".o")).map((n) => join(objects, n));
	const link = spawnSync("cc", ["-rdynamic", ...list, ...meterObjects, "-Wl,--wrap=modInstallBase64", "-ldl", "-lm", "-lpthread", "-o", binary], { encoding: "utf8" });
	if (link.status !== 0) return { binary: stock, metered: false, note: `linking failed: ${(link.stderr || link.error?.message || "").trim().split("\n")[0]}` };
	return { binary, metered: true, note: "" };
}
