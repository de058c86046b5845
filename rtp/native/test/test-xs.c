/*
 * Test-only host functions of the XS test host (test/reference-xs.js): the independent G.711
 * reference of the C tests, and a deliberately wrong binding for the GC-stress negative control.
 */
#include "klingel_audio.h"
#include "xsmc.h"

#include "reference_g711.h"

/* referenceEncode(law, sample) -> code */
void xs_test_reference_encode(xsMachine *the)
{
	int law = xsmcToInteger(xsArg(0)), x = xsmcToInteger(xsArg(1));
	xsmcSetInteger(xsResult, law ? reference_alaw_encode(x) : reference_ulaw_encode(x));
}

/* referenceDecode(law, code) -> sample */
void xs_test_reference_decode(xsMachine *the)
{
	int law = xsmcToInteger(xsArg(0)), code = xsmcToInteger(xsArg(1));
	xsmcSetInteger(xsResult, law ? reference_alaw_decode(code) : reference_ulaw_decode(code));
}

/*
 * staleEncode(law, pcm: Int16Array, codes: Uint8Array): WRONG ON PURPOSE. It takes the pcm
 * pointer, then allocates in XS (a scratch ArrayBuffer, as a careless binding might for a
 * temporary), then encodes through the pointer it took before. When the allocation runs a
 * compacting collection, pcm's bytes have moved and the pointer reads whatever is there now.
 * No argument checks: the test passes proper arrays.
 */
void xs_test_stale_encode(xsMachine *the)
{
	const int16_t *pcm;
	uint8_t *codes, *scratch;
	xsIntegerValue pcmOffset, pcmBytes, codesOffset, i;
	xsmcVars(4);
	xsmcGet(xsVar(0), xsArg(1), xsID("buffer"));
	xsmcGet(xsVar(3), xsArg(1), xsID("byteOffset"));
	pcmOffset = xsmcToInteger(xsVar(3));
	xsmcGet(xsVar(3), xsArg(1), xsID("byteLength"));
	pcmBytes = xsmcToInteger(xsVar(3));
	xsmcGet(xsVar(1), xsArg(2), xsID("buffer"));
	xsmcGet(xsVar(3), xsArg(2), xsID("byteOffset"));
	codesOffset = xsmcToInteger(xsVar(3));

	pcm = (const int16_t *)((uint8_t *)xsmcToArrayBuffer(xsVar(0)) + pcmOffset); /* taken too early */
	xsmcSetArrayBuffer(xsVar(2), NULL, pcmBytes);                                 /* allocates */
	scratch = xsmcToArrayBuffer(xsVar(2));
	for (i = 0; i < pcmBytes; i++) scratch[i] = 0x5a;
	codes = (uint8_t *)xsmcToArrayBuffer(xsVar(1)) + codesOffset;
	ka_encode(xsmcToInteger(xsArg(0)), pcm, codes, (size_t)(pcmBytes / 2));
}
