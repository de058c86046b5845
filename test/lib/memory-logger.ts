import type { Logger } from "../../modules/ports.js";

/** A logger that keeps its lines as "info …", "warn …", "error …", for specs that read the log. */
export function memoryLogger(lines: string[] = []): Logger & { lines: string[] } {
	return {
		lines,
		info: (m) => lines.push(`info ${m}`),
		warn: (m) => lines.push(`warn ${m}`),
		error: (m) => lines.push(`error ${m}`),
	};
}
