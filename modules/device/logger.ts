/* The logger port over `trace` (the serial console, or xsbug when it is connected). */

import type { Logger } from "../ports.js";

/*
 * One logger made while the module loads (preloaded, it stays in flash): a logger made at run
 * time as functions would cost a copy of their code in the XS heap each time.
 */
const TRACE_LOGGER: Logger = Object.freeze({
	info(message: string): void {
		trace(`klingel: ${message}\n`);
	},
	warn(message: string): void {
		trace(`klingel: WARN ${message}\n`);
	},
	error(message: string): void {
		trace(`klingel: ERROR ${message}\n`);
	},
});

export function traceLogger(): Logger {
	return TRACE_LOGGER;
}
