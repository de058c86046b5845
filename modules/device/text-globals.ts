/*
 * The portable core converts UTF-8 with the global TextDecoder and TextEncoder (modules/text.ts), as
 * on Node and the XS test host; Moddable has them as modules, which this installs as globals.
 */

import TextDecoder from "text/decoder";
import TextEncoder from "text/encoder";

export function installTextCodecs(): void {
	const g = globalThis as unknown as Record<string, unknown>;
	if (typeof g.TextDecoder !== "function") g.TextDecoder = TextDecoder;
	if (typeof g.TextEncoder !== "function") g.TextEncoder = TextEncoder;
}
