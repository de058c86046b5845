// Installs the npm dependencies when they are missing or older than package.json.
import { existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function ensureNodeDeps() {
	const marker = join(root, "node_modules", ".package-lock.json");
	const worker = join(root, "node_modules/@agoric/xsnap/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker");
	const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(join(root, "package.json")).mtimeMs;
	if (!stale && existsSync(worker)) return;
	console.log("Installing npm dependencies (npm install)…");
	const result = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
	if (result.status !== 0) {
		console.error("npm install failed; see above.");
		process.exit(1);
	}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureNodeDeps();
