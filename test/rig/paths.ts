/** Paths of the project's own files, from build/test/rig (compiled) back to the checkout. */

import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** The checkout's root (where package.json is). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** A file of the checkout by its path from the root, e.g. "test/rig/kamailio.cfg". */
export function sourcePath(path: string): string {
	return join(ROOT, path);
}
