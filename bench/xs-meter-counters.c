/* The machine's allocation counters, for xs-meter.c (which sees only the public xs.h API). */

#include "xsAll.h"

double xsMeterChunkBytes(txMachine* the)
{
	return (double)the->currentChunksSize;
}

double xsMeterSlotCount(txMachine* the)
{
	return (double)the->currentHeapCount;
}
