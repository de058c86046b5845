/*
 * XS binding of the audio core (xsmc), built by the Moddable manifest for the device and by
 * xs-host.mk for the XS test host. The functions are the `@` host functions of audio-xs.js.
 *
 * Rules this file keeps (the GC-stress host checks them): every argument is checked and every
 * JS value read before the first raw pointer is taken; between taking the pointers and the
 * last use of them nothing may allocate in XS (no property get, no string, no throw).
 * Int16Array/Int32Array bytes are reached through .buffer, .byteOffset and .byteLength since
 * xsmcGetBufferReadable accepts only ArrayBuffer, DataView and byte arrays; the bytes of that
 * ArrayBuffer are then taken with xsmcGetBufferReadable or xsmcGetBufferWritable, so that XS
 * itself refuses a detached buffer, and a read-only one for a view the call writes.
 */
#include "klingel_audio.h" /* first: xs.h needs size_t */
#include "xsmc.h"
#include <string.h>

#ifdef ESP_PLATFORM
/* The manifest build compiles the JS ahead of time: the IDs are constants in mc.xs.h. */
#include "mc.xs.h"
#define KA_ID(name) xsID_##name
#else
#define KA_ID(name) xsID(#name)
#endif

enum { KA_U8, KA_I16, KA_I32 };
enum { KA_READ, KA_WRITE }; /* what a call does with a view's bytes */

typedef struct {
	xsIntegerValue offset; /* byte offset in the buffer */
	xsIntegerValue length; /* elements */
	xsIntegerValue bytes;
} KaView;

static void ka_require_args(xsMachine *the, xsIntegerValue count, const char *name)
{
	if (xsmcArgc < count) xsTypeError("%s: expected %d arguments", name, (int)count);
}

/*
 * Checks that *value is a typed array of `kind` and keeps its ArrayBuffer in *buffer (an xsVar
 * of the caller) with the byte offset (in its buffer, a multiple of the element size, as C's
 * int16_t and int32_t need) and the element count in *view. Allocates (IDs, errors);
 * call it only before any pointer is taken. `temp` is a scratch xsVar.
 */
static void ka_get_view(xsMachine *the, xsSlot *value, int kind, xsSlot *buffer, xsSlot *temp, KaView *view, const char *name, const char *what)
{
	static const char *const typeNames[3] = { "Uint8Array", "Int16Array", "Int32Array" };
	xsIntegerValue bytes, size = kind == KA_U8 ? 1 : kind == KA_I16 ? 2 : 4;
	if (xsmcTypeOf(*value) != xsReferenceType) goto wrong;
	if (kind == KA_U8) xsmcGet(*temp, xsGlobal, KA_ID(Uint8Array));
	else if (kind == KA_I16) xsmcGet(*temp, xsGlobal, KA_ID(Int16Array));
	else xsmcGet(*temp, xsGlobal, KA_ID(Int32Array));
	xsmcGet(*temp, *temp, KA_ID(prototype));
	if (!xsmcIsInstanceOf(*value, *temp)) goto wrong;
	xsmcGet(*buffer, *value, KA_ID(buffer));
	xsmcGet(*temp, *value, KA_ID(byteOffset));
	view->offset = xsmcToInteger(*temp);
	xsmcGet(*temp, *value, KA_ID(byteLength));
	bytes = xsmcToInteger(*temp);
	view->length = bytes / size;
	view->bytes = view->length * size;
	if (view->offset < 0 || bytes < 0 || (xsUnsignedValue)view->offset + (xsUnsignedValue)bytes > (xsUnsignedValue)xsmcGetArrayBufferLength(*buffer))
		xsRangeError("%s: %s is out of its buffer", name, what);
	/* A typed array's own offset always is; one a getter gives need not be. */
	if (view->offset % size) xsRangeError("%s: %s's byteOffset is not a multiple of %d", name, what, (int)size);
	return;
wrong:
	xsTypeError("%s: %s must be an %s", name, what, typeNames[kind]);
}

/*
 * The view's first byte, for reading or for writing (KA_READ, KA_WRITE); NULL for an empty view
 * (of a detached buffer too, which JS sees as empty), where there is nothing to reach. Does not
 * allocate unless it throws: XS's TypeError for a detached buffer, and for writing into a buffer
 * it holds read-only (JS may not write there either: a preloaded module's buffer can have its
 * bytes in flash); the RangeError when the bounds no longer hold, as a getter of a later
 * argument (a subclass's) may have shrunk an earlier argument's resizable buffer. Call it for
 * every view before using any pointer.
 */
static void *ka_pointer(xsMachine *the, xsSlot *buffer, const KaView *view, int access)
{
	void *data;
	xsUnsignedValue length;
	if (!view->bytes) return NULL;
	if (access == KA_WRITE) xsmcGetBufferWritable(*buffer, &data, &length);
	else xsmcGetBufferReadable(*buffer, &data, &length);
	if ((xsUnsignedValue)view->offset + (xsUnsignedValue)view->bytes > length) xsRangeError("a buffer shrank during the call");
	return (uint8_t *)data + view->offset;
}

/* Same ArrayBuffer and intersecting bytes? (Reads only.) */
static int ka_overlap(xsMachine *the, xsSlot *bufferA, const KaView *a, xsSlot *bufferB, const KaView *b)
{
	xsIntegerValue endA = a->offset + a->bytes, endB = b->offset + b->bytes;
	if (!a->bytes || !b->bytes) return 0;
	if (xsmcToArrayBuffer(*bufferA) != xsmcToArrayBuffer(*bufferB)) return 0;
	return a->offset < endB && b->offset < endA;
}

static xsIntegerValue ka_get_integer(xsMachine *the, xsSlot *value, xsIntegerValue low, xsIntegerValue high, const char *message)
{
	xsNumberValue number;
	int type = xsmcTypeOf(*value);
	if (type != xsIntegerType && type != xsNumberType) xsTypeError("%s", message);
	number = xsmcToNumber(*value);
	if (!(number >= low && number <= high) || number != (xsNumberValue)(xsIntegerValue)number) xsRangeError("%s", message);
	return (xsIntegerValue)number;
}

static xsNumberValue ka_get_number(xsMachine *the, xsSlot *value, const char *message)
{
	int type = xsmcTypeOf(*value);
	if (type != xsIntegerType && type != xsNumberType) xsTypeError("%s", message);
	return xsmcToNumber(*value);
}

static const char ka_law_message[] = "law must be LAW_PCMU (0) or LAW_PCMA (1)";

/* encode(law, pcm: Int16Array, codes: Uint8Array) */
void xs_klingel_encode(xsMachine *the)
{
	KaView pcm, codes;
	ka_law law;
	ka_require_args(the, 3, "encode");
	xsmcVars(3);
	law = (ka_law)ka_get_integer(the, &xsArg(0), 0, 1, ka_law_message);
	ka_get_view(the, &xsArg(1), KA_I16, &xsVar(0), &xsVar(2), &pcm, "encode", "pcm");
	ka_get_view(the, &xsArg(2), KA_U8, &xsVar(1), &xsVar(2), &codes, "encode", "codes");
	if (codes.length < pcm.length) xsRangeError("encode: codes is shorter than pcm");
	if (ka_overlap(the, &xsVar(0), &pcm, &xsVar(1), &codes)) xsRangeError("encode: pcm and codes overlap");
	ka_encode(law, ka_pointer(the, &xsVar(0), &pcm, KA_READ), ka_pointer(the, &xsVar(1), &codes, KA_WRITE), (size_t)pcm.length);
}

/* decode(law, codes: Uint8Array, pcm: Int16Array) */
void xs_klingel_decode(xsMachine *the)
{
	KaView codes, pcm;
	ka_law law;
	ka_require_args(the, 3, "decode");
	xsmcVars(3);
	law = (ka_law)ka_get_integer(the, &xsArg(0), 0, 1, ka_law_message);
	ka_get_view(the, &xsArg(1), KA_U8, &xsVar(0), &xsVar(2), &codes, "decode", "codes");
	ka_get_view(the, &xsArg(2), KA_I16, &xsVar(1), &xsVar(2), &pcm, "decode", "pcm");
	if (pcm.length < codes.length) xsRangeError("decode: pcm is shorter than codes");
	if (ka_overlap(the, &xsVar(0), &codes, &xsVar(1), &pcm)) xsRangeError("decode: codes and pcm overlap");
	ka_decode(law, ka_pointer(the, &xsVar(0), &codes, KA_READ), ka_pointer(the, &xsVar(1), &pcm, KA_WRITE), (size_t)codes.length);
}

/* mix(out: Int16Array, sources: Int16Array[], gains: number[]) */
void xs_klingel_mix(xsMachine *the)
{
	KaView out, views[KA_MIX_MAX_SOURCES];
	const int16_t *sources[KA_MIX_MAX_SOURCES];
	int32_t gains[KA_MIX_MAX_SOURCES];
	xsIntegerValue count, gainCount, k;
	int16_t *outData;
	ka_require_args(the, 3, "mix");
	xsmcVars(3 + KA_MIX_MAX_SOURCES); /* 0 out buffer, 1 scratch, 2 item, 3.. source buffers */
	ka_get_view(the, &xsArg(0), KA_I16, &xsVar(0), &xsVar(1), &out, "mix", "out");
	xsmcGet(xsVar(1), xsGlobal, KA_ID(Array));
	xsmcGet(xsVar(1), xsVar(1), KA_ID(prototype));
	if (!xsmcIsInstanceOf(xsArg(1), xsVar(1))) xsTypeError("mix: sources must be an array of Int16Array");
	if (!xsmcIsInstanceOf(xsArg(2), xsVar(1))) xsTypeError("mix: gains must be an array of numbers");
	xsmcGet(xsVar(1), xsArg(1), KA_ID(length));
	count = xsmcToInteger(xsVar(1));
	xsmcGet(xsVar(1), xsArg(2), KA_ID(length));
	gainCount = xsmcToInteger(xsVar(1));
	if (count != gainCount) xsRangeError("mix: sources and gains differ in length");
	if (count < 0 || count > KA_MIX_MAX_SOURCES) xsRangeError("mix: more than 16 sources");
	for (k = 0; k < count; k++) {
		xsmcGetIndex(xsVar(2), xsArg(1), (xsIndex)k);
		ka_get_view(the, &xsVar(2), KA_I16, &xsVar(3 + k), &xsVar(1), &views[k], "mix", "sources[k]");
		if (views[k].length < out.length) xsRangeError("mix: a source is shorter than out");
		if (ka_overlap(the, &xsVar(3 + k), &views[k], &xsVar(0), &out) && views[k].offset != out.offset)
			xsRangeError("mix: a source overlaps out");
		xsmcGetIndex(xsVar(2), xsArg(2), (xsIndex)k);
		gains[k] = (int32_t)ka_get_integer(the, &xsVar(2), 0, KA_GAIN_MAX, "mix: gains must be integers from 0 to 65536 (Q12, 4096 = unity)");
	}
	/* No XS calls from here on but pointer reads. */
	outData = ka_pointer(the, &xsVar(0), &out, KA_WRITE);
	for (k = 0; k < count; k++) sources[k] = ka_pointer(the, &xsVar(3 + k), &views[k], KA_READ);
	if (out.length) ka_mix(outData, (size_t)out.length, sources, gains, (size_t)count);
}

/* toneInit(state: Int32Array, frequencyHz, sampleRate, amplitude) */
void xs_klingel_tone_init(xsMachine *the)
{
	KaView state;
	xsNumberValue frequency, rate;
	int32_t amplitude;
	ka_require_args(the, 4, "toneInit");
	xsmcVars(2);
	ka_get_view(the, &xsArg(0), KA_I32, &xsVar(0), &xsVar(1), &state, "toneInit", "state");
	if (state.length < KA_TONE_STATE_WORDS) xsRangeError("toneInit: state must be TONE_STATE_WORDS (8) long");
	frequency = ka_get_number(the, &xsArg(1), "toneInit: frequency and sample rate must be numbers");
	rate = ka_get_number(the, &xsArg(2), "toneInit: frequency and sample rate must be numbers");
	amplitude = (int32_t)ka_get_integer(the, &xsArg(3), 0, 32767, "toneInit: amplitude must be an integer from 0 to 32767");
	if (!(rate >= 1 && rate <= 192000 && frequency >= 0 && frequency < rate / 2))
		xsRangeError("toneInit: need 1 <= sampleRate <= 192000 and 0 <= frequency < sampleRate / 2");
	ka_tone_init(ka_pointer(the, &xsVar(0), &state, KA_WRITE), frequency, rate, amplitude);
}

/* toneFill(state: Int32Array, out: Int16Array) */
void xs_klingel_tone_fill(xsMachine *the)
{
	KaView state, out;
	int status;
	ka_require_args(the, 2, "toneFill");
	xsmcVars(3);
	ka_get_view(the, &xsArg(0), KA_I32, &xsVar(0), &xsVar(2), &state, "toneFill", "state");
	if (state.length < KA_TONE_STATE_WORDS) xsRangeError("toneFill: state must be TONE_STATE_WORDS (8) long");
	ka_get_view(the, &xsArg(1), KA_I16, &xsVar(1), &xsVar(2), &out, "toneFill", "out");
	if (ka_overlap(the, &xsVar(0), &state, &xsVar(1), &out)) xsRangeError("toneFill: state and out overlap");
	status = ka_tone_fill(ka_pointer(the, &xsVar(0), &state, KA_WRITE), ka_pointer(the, &xsVar(1), &out, KA_WRITE), (size_t)out.length);
	/* The pointers are dead here: throwing may allocate. */
	if (status != 0) xsRangeError("toneFill: state was not set up by toneInit");
}

static void ka_resample(xsMachine *the, int down)
{
	const char *name = down ? "downsample" : "upsample";
	KaView state, input, output;
	ka_require_args(the, 3, name);
	xsmcVars(4);
	ka_get_view(the, &xsArg(0), KA_I16, &xsVar(0), &xsVar(3), &state, name, "state");
	ka_get_view(the, &xsArg(1), KA_I16, &xsVar(1), &xsVar(3), &input, name, "input");
	ka_get_view(the, &xsArg(2), KA_I16, &xsVar(2), &xsVar(3), &output, name, "output");
	if (state.length < KA_RESAMPLER_STATE_SAMPLES) xsRangeError("%s: state must be RESAMPLER_STATE_SAMPLES (64) long", name);
	if (down && input.length % 2) xsRangeError("downsample: input length must be even");
	if (down ? output.length < input.length / 2 : output.length < input.length * 2)
		xsRangeError("%s: output must be %s long", name, down ? "input.length / 2" : "input.length * 2");
	if (ka_overlap(the, &xsVar(0), &state, &xsVar(1), &input) || ka_overlap(the, &xsVar(0), &state, &xsVar(2), &output) ||
	    ka_overlap(the, &xsVar(1), &input, &xsVar(2), &output))
		xsRangeError("%s: state, input and output must not overlap", name);
	if (down) ka_downsample(ka_pointer(the, &xsVar(0), &state, KA_WRITE), ka_pointer(the, &xsVar(1), &input, KA_READ), (size_t)input.length, ka_pointer(the, &xsVar(2), &output, KA_WRITE));
	else ka_upsample(ka_pointer(the, &xsVar(0), &state, KA_WRITE), ka_pointer(the, &xsVar(1), &input, KA_READ), (size_t)input.length, ka_pointer(the, &xsVar(2), &output, KA_WRITE));
}

/* downsample(state: Int16Array, input: Int16Array, output: Int16Array) */
void xs_klingel_downsample(xsMachine *the)
{
	ka_resample(the, 1);
}

/* upsample(state: Int16Array, input: Int16Array, output: Int16Array) */
void xs_klingel_upsample(xsMachine *the)
{
	ka_resample(the, 0);
}

/* g722Encode(state: Int16Array, pcm: Int16Array, codes: Uint8Array) */
void xs_klingel_g722_encode(xsMachine *the)
{
	KaView state, pcm, codes;
	ka_require_args(the, 3, "g722Encode");
	xsmcVars(4);
	ka_get_view(the, &xsArg(0), KA_I16, &xsVar(0), &xsVar(3), &state, "g722Encode", "state");
	ka_get_view(the, &xsArg(1), KA_I16, &xsVar(1), &xsVar(3), &pcm, "g722Encode", "pcm");
	ka_get_view(the, &xsArg(2), KA_U8, &xsVar(2), &xsVar(3), &codes, "g722Encode", "codes");
	if (state.length < KA_G722_STATE_SAMPLES) xsRangeError("g722Encode: state must be G722_STATE_SAMPLES (66) long");
	if (pcm.length % 2) xsRangeError("g722Encode: pcm length must be even");
	if (codes.length < pcm.length / 2) xsRangeError("g722Encode: codes must be pcm.length / 2 long");
	if (ka_overlap(the, &xsVar(0), &state, &xsVar(1), &pcm) || ka_overlap(the, &xsVar(0), &state, &xsVar(2), &codes) ||
	    ka_overlap(the, &xsVar(1), &pcm, &xsVar(2), &codes))
		xsRangeError("g722Encode: state, pcm and codes must not overlap");
	ka_g722_encode(ka_pointer(the, &xsVar(0), &state, KA_WRITE), ka_pointer(the, &xsVar(1), &pcm, KA_READ), (size_t)pcm.length, ka_pointer(the, &xsVar(2), &codes, KA_WRITE));
}

/* g722Decode(state: Int16Array, codes: Uint8Array, pcm: Int16Array) */
void xs_klingel_g722_decode(xsMachine *the)
{
	KaView state, codes, pcm;
	ka_require_args(the, 3, "g722Decode");
	xsmcVars(4);
	ka_get_view(the, &xsArg(0), KA_I16, &xsVar(0), &xsVar(3), &state, "g722Decode", "state");
	ka_get_view(the, &xsArg(1), KA_U8, &xsVar(1), &xsVar(3), &codes, "g722Decode", "codes");
	ka_get_view(the, &xsArg(2), KA_I16, &xsVar(2), &xsVar(3), &pcm, "g722Decode", "pcm");
	if (state.length < KA_G722_STATE_SAMPLES) xsRangeError("g722Decode: state must be G722_STATE_SAMPLES (66) long");
	if (pcm.length / 2 < codes.length) xsRangeError("g722Decode: pcm must be codes.length * 2 long");
	if (ka_overlap(the, &xsVar(0), &state, &xsVar(1), &codes) || ka_overlap(the, &xsVar(0), &state, &xsVar(2), &pcm) ||
	    ka_overlap(the, &xsVar(1), &codes, &xsVar(2), &pcm))
		xsRangeError("g722Decode: state, codes and pcm must not overlap");
	ka_g722_decode(ka_pointer(the, &xsVar(0), &state, KA_WRITE), ka_pointer(the, &xsVar(1), &codes, KA_READ), (size_t)codes.length, ka_pointer(the, &xsVar(2), &pcm, KA_WRITE));
}

/*
 * The echo canceller: instances of the EchoCanceller class of audio-xs.js, XS host objects whose
 * data is the canceller's state (ka_aec_state_bytes(), about 48 KB) in a block of its own,
 * outside the XS heaps. On the ESP32 that is ESP-IDF's malloc, which takes blocks over 16 KB from
 * PSRAM on a board that has it. close() frees the block at once; the destructor frees it when
 * the object is collected unclosed. A closed object keeps the destructor with NULL data, so
 * it is still told apart from other objects and close() again does nothing.
 */
#ifdef KA_STATE_ALLOC /* the XS test host counts the blocks */
void *KA_STATE_ALLOC(size_t bytes);
void KA_STATE_FREE(void *block);
#else
#include <stdlib.h>
#define KA_STATE_ALLOC malloc
#define KA_STATE_FREE free
#endif

void xs_klingel_aec_destructor(void *data)
{
	if (data) KA_STATE_FREE(data);
}

/* `this`'s state, or NULL when it was closed; TypeError when `this` is not an EchoCanceller. Allocates (the error). */
static void *ka_aec_state(xsMachine *the, const char *name)
{
	void *volatile state = NULL; /* set inside xsTry */
	xsTry {
		state = xsmcGetHostDataValidate(xsThis, (void *)xs_klingel_aec_destructor);
	}
	xsCatch {
		xsTypeError("%s: this is not an EchoCanceller", name);
	}
	return state;
}

/* new EchoCanceller(sampleRate, flags): sampleRate 8000 or 16000, flags 0 or AEC_LINEAR_ONLY */
void xs_klingel_aec(xsMachine *the)
{
	xsIntegerValue rate, flags;
	void *state;
	ka_require_args(the, 2, "EchoCanceller");
	rate = ka_get_integer(the, &xsArg(0), 8000, 16000, "EchoCanceller: sampleRate must be 8000 or 16000");
	if (rate != 8000 && rate != 16000) xsRangeError("EchoCanceller: sampleRate must be 8000 or 16000");
	flags = ka_get_integer(the, &xsArg(1), 0, KA_AEC_LINEAR_ONLY, "EchoCanceller: flags must be 0 or AEC_LINEAR_ONLY (1)");
	state = KA_STATE_ALLOC(ka_aec_state_bytes());
	if (!state) xsUnknownError("EchoCanceller: no memory for its state (%d bytes)", (int)ka_aec_state_bytes());
	/* malloc's blocks are aligned for floats, as the core needs. */
	ka_aec_init(state, (int32_t)rate, (int32_t)flags);
	xsmcSetHostData(xsThis, state);
}

/* close(): frees the state now; later calls of process() throw, of close() do nothing. */
void xs_klingel_aec_close(xsMachine *the)
{
	void *state = ka_aec_state(the, "close");
	if (!state) return;
	xsmcSetHostData(xsThis, NULL);
	KA_STATE_FREE(state);
}

/* process(far: Int16Array, mic: Int16Array, out: Int16Array) */
void xs_klingel_aec_process(xsMachine *the)
{
	KaView far, mic, out;
	void *state;
	const int16_t *farData, *micData;
	int16_t *outData;
	ka_require_args(the, 3, "process");
	xsmcVars(4);
	ka_get_view(the, &xsArg(0), KA_I16, &xsVar(0), &xsVar(3), &far, "process", "far");
	ka_get_view(the, &xsArg(1), KA_I16, &xsVar(1), &xsVar(3), &mic, "process", "mic");
	ka_get_view(the, &xsArg(2), KA_I16, &xsVar(2), &xsVar(3), &out, "process", "out");
	if (far.length < mic.length || out.length < mic.length) xsRangeError("process: far and out must be at least mic.length long");
	if (ka_overlap(the, &xsVar(0), &far, &xsVar(2), &out)) xsRangeError("process: far and out must not overlap");
	if (ka_overlap(the, &xsVar(1), &mic, &xsVar(2), &out) && mic.offset != out.offset) xsRangeError("process: mic overlaps out (only out = mic is allowed)");
	/* Last of the checks (it may throw): the state is outside the XS heap and does not move. */
	state = ka_aec_state(the, "process");
	if (!state) xsTypeError("process: the EchoCanceller is closed");
	farData = ka_pointer(the, &xsVar(0), &far, KA_READ);
	micData = ka_pointer(the, &xsVar(1), &mic, KA_READ);
	outData = ka_pointer(the, &xsVar(2), &out, KA_WRITE);
	ka_aec_process(state, farData, micData, outData, (size_t)mic.length);
}

/* count(which): what the canceller counted (ka_aec_count: 0 blocks, 1 blocks whose microphone passed, 2 restarts) */
void xs_klingel_aec_count(xsMachine *the)
{
	xsIntegerValue which;
	void *state;
	ka_require_args(the, 1, "count");
	which = ka_get_integer(the, &xsArg(0), 0, KA_AEC_COUNTS - 1, KA_AEC_COUNT_RANGE);
	state = ka_aec_state(the, "count");
	if (!state) xsTypeError("count: the EchoCanceller is closed");
	xsmcSetInteger(xsResult, ka_aec_count(state, (int)which));
}

/*
 * copyBytes(source: ArrayBuffer, target: Uint8Array): copies the first bytes of `source` (as
 * many as fit) into `target` and returns source.byteLength. A received datagram is read this
 * way into a buffer made once per call, without a view of it (a view is an XS allocation).
 */
void xs_klingel_copy_bytes(xsMachine *the)
{
	KaView target;
	xsUnsignedValue length, n;
	uint8_t *to;
	ka_require_args(the, 2, "copyBytes");
	xsmcVars(3);
	xsmcGet(xsVar(2), xsGlobal, KA_ID(ArrayBuffer));
	xsmcGet(xsVar(2), xsVar(2), KA_ID(prototype));
	if (xsmcTypeOf(xsArg(0)) != xsReferenceType || !xsmcIsInstanceOf(xsArg(0), xsVar(2))) xsTypeError("copyBytes: source must be an ArrayBuffer");
	xsVar(0) = xsArg(0);
	ka_get_view(the, &xsArg(1), KA_U8, &xsVar(1), &xsVar(2), &target, "copyBytes", "target");
	length = (xsUnsignedValue)xsmcGetArrayBufferLength(xsVar(0));
	if (length > 0x7fffffff) xsRangeError("copyBytes: source is too large");
	xsmcSetInteger(xsResult, (xsIntegerValue)length);
	n = length < (xsUnsignedValue)target.length ? length : (xsUnsignedValue)target.length;
	to = ka_pointer(the, &xsVar(1), &target, KA_WRITE);
	/* From here on nothing allocates; the source's length is read again next to its pointer. */
	if (n > (xsUnsignedValue)xsmcGetArrayBufferLength(xsVar(0))) xsRangeError("a buffer shrank during the call");
	if (n) memmove(to, xsmcToArrayBuffer(xsVar(0)), (size_t)n);
}
