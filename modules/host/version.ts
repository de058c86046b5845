/* The firmware's version in the simulator: package.json's, read beside the build. */

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function packageVersion(): string {
	// build/modules/host/version.js → the project's root.
	const file = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "package.json");
	return String((JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "unknown");
}
