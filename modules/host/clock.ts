import type { Clock } from "../ports.js";

/** The Clock port on Node: performance.now() and the event loop's timers. */
export const nodeClock: Clock = {
	now: () => performance.now(),
	setTimeout: (callback, ms) => setTimeout(callback, ms),
	clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
	setInterval: (callback, ms) => setInterval(callback, ms),
	clearInterval: (id) => clearInterval(id as NodeJS.Timeout),
};
