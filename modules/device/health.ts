/*
 * Device health for /sipDebug and /health: uptime from the clock port, free memory and the XS heaps from
 * Moddable's `instrumentation` (present in builds with instrumentation, such as the debug
 * build; a release build reports none of them), the reset reason from the ESP32's `resetReason`
 * module (a stand-in on lin) and the Wi-Fi signal from `net`.
 */

import Instrumentation from "instrumentation";
import resetReason from "./reset-reason.js";
import Net from "net";
import Debug from "debug";
import type { Clock, Health, HealthProbe } from "../ports.js";

/** The counters read, by the names the SDK's instrumentation gives them. */
type Counter = "System Free Memory" | "XS Slot Heap Used" | "XS Chunk Heap Used";

/** The instrumentation index of a counter, or undefined when this build has none. */
function indexOf(name: Counter): number | undefined {
	try {
		const index = Instrumentation.map(name);
		return typeof index === "number" && index > 0 ? index : undefined;
	} catch {
		return undefined;
	}
}

export function deviceHealth(clock: Clock): HealthProbe {
	const free = indexOf("System Free Memory");
	const slots = indexOf("XS Slot Heap Used");
	const chunk = indexOf("XS Chunk Heap Used");
	// The reason does not change while the firmware runs: read once.
	let reason: string | undefined;
	try {
		reason = resetReason();
	} catch {
		reason = undefined;
	}
	return (collect) => {
		// A collection first makes the heap figures the live ones (what the firmware really keeps).
		if (collect) Debug.gc();
		const health: Health = { uptime_s: Math.floor(clock.now() / 1000) };
		const value = (index: number | undefined) => (index === undefined ? undefined : Instrumentation.get(index));
		const freeHeap = value(free), slotsUsed = value(slots), chunkUsed = value(chunk);
		if (freeHeap !== undefined) health.free_heap = freeHeap;
		if (slotsUsed !== undefined) health.xs_slots_used = slotsUsed;
		if (chunkUsed !== undefined) health.xs_chunk_used = chunkUsed;
		if (reason) health.reset_reason = reason;
		const rssi = Net.get("RSSI");
		if (typeof rssi === "number" && rssi < 0) health.wifi_rssi = rssi;
		return health;
	};
}
