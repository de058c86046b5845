/* The logger port over `trace` (the serial console, or xsbug when it is connected). */

import type { Logger } from "../ports.js";

export function traceLogger(): Logger {
	return {
		info: (message) => trace(`klingel: ${message}\n`),
		warn: (message) => trace(`klingel: WARN ${message}\n`),
		error: (message) => trace(`klingel: ERROR ${message}\n`),
	};
}
