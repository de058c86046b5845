// Installs the npm dependencies when the install (node_modules/.package-lock.json, which npm
// writes) lacks a package of package-lock.json or has another version of it. Compared by content,
// not by file times: a fresh checkout or worktree, or an edit of package.json's scripts, installs
// nothing; a new or changed dependency changes package-lock.json and installs.
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function ensureNodeDeps() {
	const marker = join(root, "node_modules", ".package-lock.json");
	const worker = join(root, "node_modules/@agoric/xsnap/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker");
	const stale = !existsSync(marker) || differs(marker);
	if (!stale && existsSync(worker)) return;
	console.log("Installing npm dependencies (npm install)…");
	const result = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
	if (result.status !== 0) {
		console.error("npm install failed; see above.");
		process.exit(1);
	}
}

function differs(marker) {
	const wanted = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")).packages ?? {};
	const installed = JSON.parse(readFileSync(marker, "utf8")).packages ?? {};
	return Object.entries(wanted).some(([path, entry]) => path !== "" && (installed[path] ? installed[path].version !== entry.version : !entry.optional));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureNodeDeps();
