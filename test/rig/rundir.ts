/*
 * A temporary directory per rig for configs, logs and recordings. Removed when the rig stops,
 * unless KLINGEL_RIG_KEEP=1 (then its path is printed so the logs can be read).
 */

import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class RunDir {
	readonly path: string;

	constructor(name: string) {
		this.path = mkdtempSync(join(tmpdir(), `klingel-${name.replace(/[^A-Za-z0-9-]/g, "-")}-`));
	}

	/** A path inside; `dir` creates it as a directory. */
	file(...parts: string[]): string {
		return join(this.path, ...parts);
	}

	dir(...parts: string[]): string {
		const path = join(this.path, ...parts);
		mkdirSync(path, { recursive: true });
		return path;
	}

	remove(): void {
		if (process.env.KLINGEL_RIG_KEEP === "1") {
			process.stderr.write(`[rig] kept ${this.path}\n`);
			return;
		}
		rmSync(this.path, { recursive: true, force: true });
	}
}
