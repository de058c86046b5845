// Imports run one way: the ports and platform shapes (modules/*.ts) at the bottom, then the core
// (sip/, hardware/; rtp/, door/, home/; config/), web/, app/, and the two entry points (main.ts on the
// device, simulator.ts on the host) at the top. The providers (modules/host/, modules/device/)
// implement the shapes and are imported by the entry points alone. Every folder below the entry
// points is portable: no Node or Moddable module. Read from the TypeScript sources, so type-only
// imports count too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** A place may import its own files and those of lower ranks; equal ranks may import each other. */
const RANK: Record<string, number> = {
	modules: 0,
	sip: 1,
	hardware: 1,
	rtp: 2,
	door: 2,
	home: 2,
	config: 3,
	web: 4,
	app: 5,
	entry: 6,
};
const PROVIDERS = new Set(["modules/host", "modules/device"]);
/** Folders that are no part of the firmware's layers. */
const OUTSIDE = new Set(["test", "bench", "scripts", "types", "build", "node_modules"]);

/** The layer a source file belongs to: an entry point, a provider, or its top folder. */
function placeOf(path: string): string {
	if (!path.includes("/")) return "entry";
	for (const provider of PROVIDERS) if (path.startsWith(provider + "/")) return provider;
	return path.slice(0, path.indexOf("/"));
}

const IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/gm;

function importsOf(source: string): string[] {
	const out: string[] = [];
	for (const m of source.matchAll(IMPORT)) out.push(m[1] ?? m[2] ?? m[3]!);
	return out;
}

/** What is wrong with the imports of these files (path from the project's root → source text). */
export function layerViolations(files: ReadonlyMap<string, string>): string[] {
	const found: string[] = [];
	for (const [path, source] of files) {
		const from = placeOf(path);
		if (from !== "entry" && !PROVIDERS.has(from) && !(from in RANK)) {
			found.push(`${path}: folder ${from}/ has no layer (add it to RANK in test/unit/layers.test.ts)`);
			continue;
		}
		for (const specifier of importsOf(source)) {
			if (!specifier.startsWith(".")) {
				if (from !== "entry" && !PROVIDERS.has(from)) found.push(`${path} imports ${specifier}: only providers and entry points use Node or Moddable modules`);
				continue;
			}
			const target = normalize(join(dirname(path), specifier));
			if (target.startsWith("..")) {
				found.push(`${path} imports ${specifier}, outside the project's source`);
				continue;
			}
			const to = placeOf(target);
			if (to === from || from === "entry") continue;
			if (PROVIDERS.has(to)) found.push(`${path} imports the provider ${target}: only entry points may`);
			else if (to === "entry") found.push(`${path} imports the entry point ${target}`);
			else if (PROVIDERS.has(from) ? to !== "modules" : RANK[to] === undefined || RANK[to]! > RANK[from]!) found.push(`${path} (${from}/) imports ${target} (${to}/), a higher layer`);
		}
	}
	return found;
}

function sources(dir: string, out: Map<string, string>): Map<string, string> {
	for (const name of readdirSync(join(root, dir)).sort()) {
		const path = dir ? `${dir}/${name}` : name;
		if (statSync(join(root, path)).isDirectory()) {
			if (!dir && (OUTSIDE.has(name) || name.startsWith("."))) continue;
			sources(path, out);
		} else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.set(path, readFileSync(join(root, path), "utf8"));
	}
	return out;
}

test("the checker finds each kind of wrong import", () => {
	const files = new Map([
		["sip/a.ts", `import { Doorbell } from "../app/doorbell.js";\nimport type { X } from "./b.js";`],
		["rtp/b.ts", `import {\n\tcreateUdp,\n} from "../modules/host/udp.js";`],
		["web/c.ts", `import { readFileSync } from "node:fs";`],
		["hardware/d.ts", `export { DoorOpener } from "../door/door-opener.js";`],
		["modules/e.ts", `import type { SipMessage } from "../sip/message.js";`],
		["modules/host/f.ts", `import { boot } from "../../app/boot.js";`],
		["config/g.ts", `const m = await import("../simulator.js");`],
		["extra/h.ts", `import type { Clock } from "../modules/ports.js";`],
	]);
	const found = layerViolations(files);
	assert.equal(found.length, 8, found.join("\n"));
	for (const path of files.keys()) assert.ok(found.some((line) => line.startsWith(path)), `${path} not reported`);
});

test("the checker lets imports run down and entry points import anything", () => {
	const files = new Map([
		["simulator.ts", `import { createUdp } from "./modules/host/udp.js";\nimport { createInterface } from "node:readline";`],
		["main.ts", `import * as nativeAudio from "./rtp/native/audio-xs.js";`],
		["app/a.ts", `import { RouteTable } from "../modules/route-table.js";\nimport { renderPage } from "../web/page.js";`],
		["config/b.ts", `import type { UaConfig } from "../sip/config.js";\nimport { DoorOpener } from "../door/door-opener.js";`],
		["modules/device/c.ts", `import UDP from "embedded:io/socket/udp";\nimport type { UdpSocket } from "../ports.js";`],
		["rtp/d.ts", `import type { NegotiatedMedia } from "../sip/sdp.js";\nimport { LAW_PCMU } from "../modules/native-audio.js";`],
	]);
	assert.deepEqual(layerViolations(files), []);
});

test("the firmware's imports run one way", () => {
	const files = sources("", new Map());
	assert.ok(existsSync(join(root, "main.ts")) && files.has("main.ts") && files.has("sip/transport.ts"), `sources not found under ${root}`);
	const found = layerViolations(files);
	assert.deepEqual(found, [], `${found.length} import(s) against the layers:\n${found.join("\n")}\n(checked ${relative(process.cwd(), root) || "."})`);
});
