/*
 * Test-only host functions of the XS test host (test/reference-xs.js): the independent G.711
 * reference of the C tests, and a deliberately wrong binding for the GC-stress negative control.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "klingel_audio.h"
#include "xsmc.h"

#include "aec_state.h"
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

/*
 * The binding's native blocks (audio-xs.c built with KA_STATE_ALLOC=test_state_alloc): how many
 * were allocated and freed, and the bytes held now. Each block's size is kept in a header before
 * it (16 bytes, so that the block keeps malloc's alignment). A block freed twice is a glibc
 * abort, never a passing count.
 */
#define STATE_HEADER 16
static double stateAllocated, stateFreed, stateBytes;

void *test_state_alloc(size_t bytes)
{
	uint8_t *block = malloc(STATE_HEADER + bytes);
	if (!block) return NULL;
	memcpy(block, &bytes, sizeof bytes);
	stateAllocated++;
	stateBytes += (double)bytes;
	return block + STATE_HEADER;
}

void test_state_free(void *data)
{
	size_t bytes;
	uint8_t *block;
	if (!data) return;
	block = (uint8_t *)data - STATE_HEADER;
	memcpy(&bytes, block, sizeof bytes);
	stateFreed++;
	stateBytes -= (double)bytes;
	free(block);
}

/* nativeBlocks() -> [allocated, freed, bytes held] since the start */
void xs_test_native_blocks(xsMachine *the)
{
	const double figures[3] = { stateAllocated, stateFreed, stateBytes };
	int i;
	xsmcVars(1);
	xsmcSetNewArray(xsResult, 3);
	for (i = 0; i < 3; i++) {
		xsmcSetNumber(xsVar(0), figures[i]);
		xsmcSetIndex(xsResult, i, xsVar(0));
	}
}

/* The checksum both sides compute: h = h * 31 + (sample & 0xffff), in 32 bits. */
static uint32_t checksum(uint32_t h, const int16_t *samples, size_t count)
{
	size_t i;
	for (i = 0; i < count; i++) h = h * 31u + (uint16_t)samples[i];
	return h;
}

/* coreTone(frequency, rate, amplitude, frames, frameLength) -> checksum of the C core's tone */
void xs_test_core_tone(xsMachine *the)
{
	int32_t state[KA_TONE_STATE_WORDS];
	int16_t frame[1024];
	int frames = xsmcToInteger(xsArg(3)), length = xsmcToInteger(xsArg(4)), f;
	uint32_t h = 0;
	if (length > 1024) xsRangeError("frameLength > 1024");
	if (ka_tone_init(state, xsmcToNumber(xsArg(0)), xsmcToNumber(xsArg(1)), xsmcToInteger(xsArg(2))) != 0) xsRangeError("tone");
	for (f = 0; f < frames; f++) {
		ka_tone_fill(state, frame, (size_t)length);
		h = checksum(h, frame, (size_t)length);
	}
	xsmcSetNumber(xsResult, h);
}

/* coreResample(down, frames, inputLength) -> checksum of the C core's output for the input
 * x[i] = (i * 7919) % 65536 - 32768 */
void xs_test_core_resample(xsMachine *the)
{
	int16_t state[KA_RESAMPLER_STATE_SAMPLES] = { 0 }, input[512], output[1024];
	int down = xsmcToBoolean(xsArg(0)), frames = xsmcToInteger(xsArg(1)), length = xsmcToInteger(xsArg(2)), f, i;
	uint32_t h = 0;
	long n = 0;
	if (length > 512) xsRangeError("inputLength > 512");
	for (f = 0; f < frames; f++) {
		for (i = 0; i < length; i++, n++) input[i] = (int16_t)((n * 7919) % 65536 - 32768);
		if (down) ka_downsample(state, input, (size_t)length, output);
		else ka_upsample(state, input, (size_t)length, output);
		h = checksum(h, output, (size_t)(down ? length / 2 : length * 2));
	}
	xsmcSetNumber(xsResult, h);
}

/* coreG722(frames) -> [checksum of the codes, checksum of their decoding] from the C core for
 * 20 ms frames of the input x[i] = 12000 sin(i / 5) + (i * 7919) % 4096 - 2048 at 16 kHz */
void xs_test_core_g722(xsMachine *the)
{
	ka_g722_state encoder = { 0 }, decoder = { 0 };
	int16_t input[320], output[320];
	uint8_t codes[160];
	int frames = xsmcToInteger(xsArg(0)), f, i;
	uint32_t hc = 0, hd = 0;
	long n = 0;
	for (f = 0; f < frames; f++) {
		for (i = 0; i < 320; i++, n++) input[i] = (int16_t)(lround(12000 * sin(n / 5.0)) + (n * 7919) % 4096 - 2048);
		ka_g722_encode(&encoder, input, 320, codes);
		for (i = 0; i < 160; i++) hc = hc * 31u + codes[i];
		ka_g722_decode(&decoder, codes, 160, output);
		hd = checksum(hd, output, 320);
	}
	xsmcVars(1);
	xsmcSetNewArray(xsResult, 2);
	xsmcSetNumber(xsVar(0), hc);
	xsmcSetIndex(xsResult, 0, xsVar(0));
	xsmcSetNumber(xsVar(0), hd);
	xsmcSetIndex(xsResult, 1, xsVar(0));
}

/* The echo canceller's test input, the same in test/audio-xs.test.js: far-end noise from a
 * 32-bit LCG, the microphone its echo (two taps) plus a quieter near-end tone from frame 60. */
static void aec_input(uint32_t *seed, long *n, int16_t *far, int16_t *mic, int16_t *history, int length)
{
	int i;
	for (i = 0; i < length; i++, (*n)++) {
		int16_t x;
		*seed = *seed * 1664525u + 1013904223u;
		x = (int16_t)((int32_t)(*seed >> 20) * 4 - 8192);
		memmove(history + 1, history, 63 * sizeof *history);
		history[0] = x;
		far[i] = x;
		mic[i] = (int16_t)((history[20] >> 1) + (history[50] >> 2) + (*n >= 60 * 320 ? (int16_t)lround(3000 * sin(*n / 7.0)) : 0));
	}
}

/* coreAec(frames) -> checksum of the C core's echo canceller output over 20 ms frames at 16 kHz */
void xs_test_core_aec(xsMachine *the)
{
	static int32_t state[AEC_STATE_WORDS];
	int16_t far[320], mic[320], out[320], history[64] = { 0 };
	int frames = xsmcToInteger(xsArg(0)), f;
	uint32_t h = 0, seed = 1;
	long n = 0;
	if (ka_aec_state_bytes() > sizeof state) xsRangeError("state");
	ka_aec_init(state, 16000, 0);
	for (f = 0; f < frames; f++) {
		aec_input(&seed, &n, far, mic, history, 320);
		ka_aec_process(state, far, mic, out, 320);
		h = checksum(h, out, 320);
	}
	xsmcSetNumber(xsResult, h);
}
