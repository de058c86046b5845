/*
 * What the scripts of test/device share: their "ok - …" / "not ok - …" lines and the last line,
 * "N passed, N failed", that test/host/xs-scripts.test.ts reads; and the JS heap a piece of work
 * allocates, from the XS test host's counters.
 */
let passed = 0, failed = 0;

export function check(ok, name, detail) {
	if (ok) passed++;
	else failed++;
	print(`${ok ? "ok" : "not ok"} - ${name}${ok ? "" : `: ${detail}`}`);
}

/** Slots and chunk bytes allocated while `run` runs (no collection in between: peak slots count too). */
export function allocations(run) {
	gc();
	const slots = heapSlots(), chunks = heapChunkBytes();
	heapPeakReset();
	run();
	const peak = heapPeakSlots(), after = heapSlots();
	return { slots: Math.max(peak, after) - slots, chunks: heapChunkBytes() - chunks };
}

/** The last line; a failure also ends the script with an error. */
export function summary() {
	print(`${passed} passed, ${failed} failed`);
	if (failed) throw new Error(`${failed} failed`);
}
