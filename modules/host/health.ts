/* Simulator health for /sipDebug: the Node process's uptime and memory (no reset reason, no Wi-Fi). */

import type { HealthProbe } from "../ports.js";

export const hostHealth: HealthProbe = (collect) => {
	// Node collects only when started with --expose-gc; otherwise the figures include garbage.
	if (collect) (globalThis as { gc?: () => void }).gc?.();
	const memory = process.memoryUsage();
	return { uptime_s: Math.floor(process.uptime()), rss: memory.rss, js_heap_used: memory.heapUsed, reset_reason: "simulator start" };
};
