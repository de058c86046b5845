/*
 * Two more globals for the XS benchmarks, linked into a copy of xsnap-worker built from the
 * objects @agoric/xsnap's postinstall left behind (see bench/xs-worker.ts):
 *   xsMeterChunks()  bytes of chunks (strings, ArrayBuffer data, arrays' storage) in use,
 *                    counting every allocation since the last garbage collection
 *   xsMeterSlots()   slots in use, likewise
 * Between two collections the deltas of both are exactly what the code in between allocated.
 * They are installed by wrapping modInstallBase64 (-Wl,--wrap=modInstallBase64), which the
 * worker calls while it builds its globals. The counters are read in xs-meter-counters.c,
 * which sees the machine's internals.
 */

#include "xs.h"

extern void __real_modInstallBase64(xsMachine* the);
extern double xsMeterChunkBytes(xsMachine* the);
extern double xsMeterSlotCount(xsMachine* the);

static void xs_meter_chunks(xsMachine* the)
{
	xsResult = xsNumber(xsMeterChunkBytes(the));
}

static void xs_meter_slots(xsMachine* the)
{
	xsResult = xsNumber(xsMeterSlotCount(the));
}

void __wrap_modInstallBase64(xsMachine* the)
{
	__real_modInstallBase64(the);
	xsResult = xsNewHostFunction(xs_meter_chunks, 0);
	xsDefine(xsGlobal, xsID("xsMeterChunks"), xsResult, xsDontEnum);
	xsResult = xsNewHostFunction(xs_meter_slots, 0);
	xsDefine(xsGlobal, xsID("xsMeterSlots"), xsResult, xsDontEnum);
}
