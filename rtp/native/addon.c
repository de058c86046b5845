/*
 * Node-API binding of the audio core for the host simulator (build/native/klingel_audio.node,
 * `make -C rtp/native addon`). The same checks and errors as the XS binding (audio-xs.c).
 */
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klingel_audio.h"

typedef struct {
	void *data;
	size_t length; /* elements */
	size_t bytes;
} View;

#define THROW(kind, message) \
	do { \
		napi_throw_##kind(env, NULL, message); \
		return NULL; \
	} while (0)

static int get_view(napi_env env, napi_value value, napi_typedarray_type want, View *view)
{
	bool is;
	napi_typedarray_type type;
	napi_value buffer;
	size_t offset;
	if (napi_is_typedarray(env, value, &is) != napi_ok || !is) return 0;
	if (napi_get_typedarray_info(env, value, &type, &view->length, &view->data, &buffer, &offset) != napi_ok) return 0;
	if (type != want) return 0;
	view->bytes = view->length * (want == napi_uint8_array ? 1 : want == napi_int16_array ? 2 : 4);
	if (view->length == 0) view->data = NULL;
	return 1;
}

static int overlap(const View *a, const View *b)
{
	const char *x = a->data, *y = b->data;
	if (!a->bytes || !b->bytes) return 0;
	return x < y + b->bytes && y < x + a->bytes;
}

static int get_int(napi_env env, napi_value value, double low, double high, int *out)
{
	double d;
	if (napi_get_value_double(env, value, &d) != napi_ok) return 0;
	if (!(d >= low && d <= high) || d != (double)(long long)d) return 0;
	*out = (int)d;
	return 1;
}

static int get_double(napi_env env, napi_value value, double *out)
{
	return napi_get_value_double(env, value, out) == napi_ok;
}

/* Fills argv[0..want) with the call's arguments (undefined for missing ones) and, when self is
 * not NULL, *self with `this`; returns undefined. */
static napi_value args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, napi_value *self)
{
	size_t argc = want;
	napi_value undefined;
	napi_get_cb_info(env, info, &argc, argv, self, NULL);
	napi_get_undefined(env, &undefined);
	for (; argc < want; argc++) argv[argc] = undefined;
	return undefined;
}

static napi_value encode(napi_env env, napi_callback_info info)
{
	napi_value argv[3], result = args(env, info, 3, argv, NULL);
	View pcm, codes;
	int law;
	if (!get_int(env, argv[0], 0, 1, &law)) THROW(range_error, "encode: law must be LAW_PCMU (0) or LAW_PCMA (1)");
	if (!get_view(env, argv[1], napi_int16_array, &pcm)) THROW(type_error, "encode: pcm must be an Int16Array");
	if (!get_view(env, argv[2], napi_uint8_array, &codes)) THROW(type_error, "encode: codes must be a Uint8Array");
	if (codes.length < pcm.length) THROW(range_error, "encode: codes is shorter than pcm");
	if (overlap(&pcm, &codes)) THROW(range_error, "encode: pcm and codes overlap");
	ka_encode((ka_law)law, pcm.data, codes.data, pcm.length);
	return result;
}

static napi_value decode(napi_env env, napi_callback_info info)
{
	napi_value argv[3], result = args(env, info, 3, argv, NULL);
	View codes, pcm;
	int law;
	if (!get_int(env, argv[0], 0, 1, &law)) THROW(range_error, "decode: law must be LAW_PCMU (0) or LAW_PCMA (1)");
	if (!get_view(env, argv[1], napi_uint8_array, &codes)) THROW(type_error, "decode: codes must be a Uint8Array");
	if (!get_view(env, argv[2], napi_int16_array, &pcm)) THROW(type_error, "decode: pcm must be an Int16Array");
	if (pcm.length < codes.length) THROW(range_error, "decode: pcm is shorter than codes");
	if (overlap(&pcm, &codes)) THROW(range_error, "decode: codes and pcm overlap");
	ka_decode((ka_law)law, codes.data, pcm.data, codes.length);
	return result;
}

static napi_value mix(napi_env env, napi_callback_info info)
{
	napi_value argv[3], result = args(env, info, 3, argv, NULL);
	View out, source;
	const int16_t *sources[KA_MIX_MAX_SOURCES];
	int32_t gains[KA_MIX_MAX_SOURCES];
	napi_value sourceValues[KA_MIX_MAX_SOURCES], gainValues[KA_MIX_MAX_SOURCES];
	uint32_t count, gainCount, k;
	bool is;
	if (!get_view(env, argv[0], napi_int16_array, &out)) THROW(type_error, "mix: out must be an Int16Array");
	if (napi_is_array(env, argv[1], &is) != napi_ok || !is) THROW(type_error, "mix: sources must be an array of Int16Array");
	if (napi_is_array(env, argv[2], &is) != napi_ok || !is) THROW(type_error, "mix: gains must be an array of numbers");
	napi_get_array_length(env, argv[1], &count);
	napi_get_array_length(env, argv[2], &gainCount);
	if (count != gainCount) THROW(range_error, "mix: sources and gains differ in length");
	if (count > KA_MIX_MAX_SOURCES) THROW(range_error, "mix: more than 16 sources");
	/* Element reads may run JS (getters); pointers are taken only after all of them. */
	for (k = 0; k < count; k++) {
		napi_get_element(env, argv[1], k, &sourceValues[k]);
		napi_get_element(env, argv[2], k, &gainValues[k]);
	}
	if (!get_view(env, argv[0], napi_int16_array, &out)) THROW(type_error, "mix: out must be an Int16Array");
	for (k = 0; k < count; k++) {
		int gain;
		if (!get_view(env, sourceValues[k], napi_int16_array, &source)) THROW(type_error, "mix: sources must be an array of Int16Array");
		if (source.length < out.length) THROW(range_error, "mix: a source is shorter than out");
		if (overlap(&source, &out) && source.data != out.data) THROW(range_error, "mix: a source overlaps out");
		if (!get_int(env, gainValues[k], 0, KA_GAIN_MAX, &gain)) THROW(range_error, "mix: gains must be integers from 0 to 65536 (Q12, 4096 = unity)");
		sources[k] = source.data;
		gains[k] = gain;
	}
	if (out.length) ka_mix(out.data, out.length, sources, gains, count);
	return result;
}

static napi_value tone_init(napi_env env, napi_callback_info info)
{
	napi_value argv[4], result = args(env, info, 4, argv, NULL);
	View state;
	double frequency, rate;
	int amplitude;
	if (!get_view(env, argv[0], napi_int32_array, &state)) THROW(type_error, "toneInit: state must be an Int32Array");
	if (state.length < KA_TONE_STATE_WORDS) THROW(range_error, "toneInit: state must be TONE_STATE_WORDS (8) long");
	if (!get_double(env, argv[1], &frequency) || !get_double(env, argv[2], &rate)) THROW(type_error, "toneInit: frequency and sample rate must be numbers");
	if (!get_int(env, argv[3], 0, 32767, &amplitude)) THROW(range_error, "toneInit: amplitude must be an integer from 0 to 32767");
	if (ka_tone_init(state.data, frequency, rate, amplitude) != 0) THROW(range_error, "toneInit: need 1 <= sampleRate <= 192000 and 0 <= frequency < sampleRate / 2");
	return result;
}

static napi_value tone_fill(napi_env env, napi_callback_info info)
{
	napi_value argv[2], result = args(env, info, 2, argv, NULL);
	View state, out;
	if (!get_view(env, argv[0], napi_int32_array, &state)) THROW(type_error, "toneFill: state must be an Int32Array");
	if (state.length < KA_TONE_STATE_WORDS) THROW(range_error, "toneFill: state must be TONE_STATE_WORDS (8) long");
	if (!get_view(env, argv[1], napi_int16_array, &out)) THROW(type_error, "toneFill: out must be an Int16Array");
	if (overlap(&state, &out)) THROW(range_error, "toneFill: state and out overlap");
	if (ka_tone_fill(state.data, out.data, out.length) != 0) THROW(range_error, "toneFill: state was not set up by toneInit");
	return result;
}

static napi_value resample(napi_env env, napi_callback_info info, int down)
{
	napi_value argv[3], result = args(env, info, 3, argv, NULL);
	View state, input, output;
	const char *name = down ? "downsample" : "upsample";
	char message[96];
	if (!get_view(env, argv[0], napi_int16_array, &state) || !get_view(env, argv[1], napi_int16_array, &input) ||
	    !get_view(env, argv[2], napi_int16_array, &output)) {
		snprintf(message, sizeof message, "%s: state, input and output must be Int16Array", name);
		THROW(type_error, message);
	}
	if (state.length < KA_RESAMPLER_STATE_SAMPLES) {
		snprintf(message, sizeof message, "%s: state must be RESAMPLER_STATE_SAMPLES (64) long", name);
		THROW(range_error, message);
	}
	if (down && input.length % 2) THROW(range_error, "downsample: input length must be even");
	if (down ? output.length < input.length / 2 : output.length < input.length * 2) {
		snprintf(message, sizeof message, "%s: output must be %s long", name, down ? "input.length / 2" : "input.length * 2");
		THROW(range_error, message);
	}
	if (overlap(&state, &input) || overlap(&state, &output) || overlap(&input, &output)) {
		snprintf(message, sizeof message, "%s: state, input and output must not overlap", name);
		THROW(range_error, message);
	}
	if (down) ka_downsample(state.data, input.data, input.length, output.data);
	else ka_upsample(state.data, input.data, input.length, output.data);
	return result;
}

static napi_value downsample(napi_env env, napi_callback_info info) { return resample(env, info, 1); }
static napi_value upsample(napi_env env, napi_callback_info info) { return resample(env, info, 0); }

static napi_value g722_encode(napi_env env, napi_callback_info info)
{
	napi_value argv[3], result = args(env, info, 3, argv, NULL);
	View state, pcm, codes;
	if (!get_view(env, argv[0], napi_int16_array, &state)) THROW(type_error, "g722Encode: state must be an Int16Array");
	if (!get_view(env, argv[1], napi_int16_array, &pcm)) THROW(type_error, "g722Encode: pcm must be an Int16Array");
	if (!get_view(env, argv[2], napi_uint8_array, &codes)) THROW(type_error, "g722Encode: codes must be a Uint8Array");
	if (state.length < KA_G722_STATE_SAMPLES) THROW(range_error, "g722Encode: state must be G722_STATE_SAMPLES (66) long");
	if (pcm.length % 2) THROW(range_error, "g722Encode: pcm length must be even");
	if (codes.length < pcm.length / 2) THROW(range_error, "g722Encode: codes must be pcm.length / 2 long");
	if (overlap(&state, &pcm) || overlap(&state, &codes) || overlap(&pcm, &codes)) THROW(range_error, "g722Encode: state, pcm and codes must not overlap");
	ka_g722_encode(state.data, pcm.data, pcm.length, codes.data);
	return result;
}

static napi_value g722_decode(napi_env env, napi_callback_info info)
{
	napi_value argv[3], result = args(env, info, 3, argv, NULL);
	View state, codes, pcm;
	if (!get_view(env, argv[0], napi_int16_array, &state)) THROW(type_error, "g722Decode: state must be an Int16Array");
	if (!get_view(env, argv[1], napi_uint8_array, &codes)) THROW(type_error, "g722Decode: codes must be a Uint8Array");
	if (!get_view(env, argv[2], napi_int16_array, &pcm)) THROW(type_error, "g722Decode: pcm must be an Int16Array");
	if (state.length < KA_G722_STATE_SAMPLES) THROW(range_error, "g722Decode: state must be G722_STATE_SAMPLES (66) long");
	if (pcm.length / 2 < codes.length) THROW(range_error, "g722Decode: pcm must be codes.length * 2 long");
	if (overlap(&state, &codes) || overlap(&state, &pcm) || overlap(&codes, &pcm)) THROW(range_error, "g722Decode: state, codes and pcm must not overlap");
	ka_g722_decode(state.data, codes.data, codes.length, pcm.data);
	return result;
}

/*
 * EchoCanceller: the canceller's state (ka_aec_state_bytes()) in a block of its own, outside the
 * JS heap, as on the device. The object wraps a holder of the block: close() frees the block and
 * leaves the holder empty; the finalizer frees what is left when the object is collected. A type
 * tag tells these objects from any other.
 */
typedef struct {
	void *state; /* NULL once closed */
} EchoHolder;

static const napi_type_tag ECHO_TAG = { 0x6b6c696e67656c61ULL, 0x6563686f63616e63ULL };

static void echo_finalize(napi_env env, void *data, void *hint)
{
	EchoHolder *holder = data;
	(void)env;
	(void)hint;
	free(holder->state);
	free(holder);
}

/* new EchoCanceller(sampleRate, flags) */
static napi_value echo_new(napi_env env, napi_callback_info info)
{
	napi_value argv[2], self;
	EchoHolder *holder;
	int rate, flags;
	args(env, info, 2, argv, &self);
	if (!get_int(env, argv[0], 8000, 16000, &rate) || (rate != 8000 && rate != 16000)) THROW(range_error, "EchoCanceller: sampleRate must be 8000 or 16000");
	if (!get_int(env, argv[1], 0, KA_AEC_LINEAR_ONLY, &flags)) THROW(range_error, "EchoCanceller: flags must be 0 or AEC_LINEAR_ONLY (1)");
	holder = malloc(sizeof *holder);
	if (holder) holder->state = malloc(ka_aec_state_bytes());
	if (!holder || !holder->state) {
		free(holder);
		THROW(error, "EchoCanceller: no memory for its state");
	}
	ka_aec_init(holder->state, rate, flags);
	if (napi_type_tag_object(env, self, &ECHO_TAG) != napi_ok || napi_wrap(env, self, holder, echo_finalize, NULL, NULL) != napi_ok) {
		echo_finalize(env, holder, NULL);
		THROW(type_error, "EchoCanceller: must be called with new");
	}
	return self;
}

/* `this`'s holder, or NULL after throwing a TypeError when `this` is not an EchoCanceller. */
static EchoHolder *echo_this(napi_env env, napi_value self, const char *message)
{
	bool is = false;
	void *data = NULL;
	if (napi_check_object_type_tag(env, self, &ECHO_TAG, &is) != napi_ok || !is || napi_unwrap(env, self, &data) != napi_ok) {
		bool pending = false;
		napi_is_exception_pending(env, &pending);
		if (pending) {
			napi_value ignored;
			napi_get_and_clear_last_exception(env, &ignored);
		}
		napi_throw_type_error(env, NULL, message);
		return NULL;
	}
	return data;
}

/* process(far: Int16Array, mic: Int16Array, out: Int16Array) */
static napi_value echo_process(napi_env env, napi_callback_info info)
{
	napi_value argv[3], self, result;
	View far, mic, out;
	EchoHolder *holder;
	result = args(env, info, 3, argv, &self);
	holder = echo_this(env, self, "process: this is not an EchoCanceller");
	if (!holder) return NULL;
	if (!get_view(env, argv[0], napi_int16_array, &far) || !get_view(env, argv[1], napi_int16_array, &mic) ||
	    !get_view(env, argv[2], napi_int16_array, &out))
		THROW(type_error, "process: far, mic and out must be Int16Array");
	if (far.length < mic.length || out.length < mic.length) THROW(range_error, "process: far and out must be at least mic.length long");
	if (overlap(&far, &out)) THROW(range_error, "process: far and out must not overlap");
	if (overlap(&mic, &out) && mic.data != out.data) THROW(range_error, "process: mic overlaps out (only out = mic is allowed)");
	if (!holder->state) THROW(type_error, "process: the EchoCanceller is closed");
	ka_aec_process(holder->state, far.data, mic.data, out.data, mic.length);
	return result;
}

/* count(which): what the canceller counted (ka_aec_count: 0 blocks, 1 blocks whose microphone passed, 2 restarts) */
static napi_value echo_count(napi_env env, napi_callback_info info)
{
	napi_value argv[1], self, result;
	EchoHolder *holder;
	int which;
	args(env, info, 1, argv, &self);
	holder = echo_this(env, self, "count: this is not an EchoCanceller");
	if (!holder) return NULL;
	if (!get_int(env, argv[0], 0, KA_AEC_COUNTS - 1, &which)) THROW(range_error, KA_AEC_COUNT_RANGE);
	if (!holder->state) THROW(type_error, "count: the EchoCanceller is closed");
	napi_create_int32(env, ka_aec_count(holder->state, which), &result);
	return result;
}

/* close(): frees the state now; closing again does nothing. */
static napi_value echo_close(napi_env env, napi_callback_info info)
{
	napi_value self, result;
	EchoHolder *holder;
	result = args(env, info, 0, NULL, &self);
	holder = echo_this(env, self, "close: this is not an EchoCanceller");
	if (!holder) return NULL;
	free(holder->state);
	holder->state = NULL;
	return result;
}

/* copyBytes(source: ArrayBuffer, target: Uint8Array): copies what fits, returns source.byteLength. */
static napi_value copy_bytes(napi_env env, napi_callback_info info)
{
	napi_value argv[2], result;
	View target;
	void *data;
	size_t length, n;
	bool is;
	args(env, info, 2, argv, NULL);
	if (napi_is_arraybuffer(env, argv[0], &is) != napi_ok || !is) THROW(type_error, "copyBytes: source must be an ArrayBuffer");
	if (!get_view(env, argv[1], napi_uint8_array, &target)) THROW(type_error, "copyBytes: target must be a Uint8Array");
	if (napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok) THROW(type_error, "copyBytes: source must be an ArrayBuffer");
	n = length < target.length ? length : target.length;
	if (n) memmove(target.data, data, n);
	napi_create_double(env, (double)length, &result);
	return result;
}

static napi_value init(napi_env env, napi_value exports)
{
	napi_property_descriptor properties[] = {
		{ "encode", NULL, encode, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "decode", NULL, decode, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "mix", NULL, mix, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "toneInit", NULL, tone_init, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "toneFill", NULL, tone_fill, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "downsample", NULL, downsample, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "upsample", NULL, upsample, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "g722Encode", NULL, g722_encode, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "g722Decode", NULL, g722_decode, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "copyBytes", NULL, copy_bytes, NULL, NULL, NULL, napi_enumerable, NULL },
	};
	napi_property_descriptor echoMethods[] = {
		{ "process", NULL, echo_process, NULL, NULL, NULL, napi_default, NULL },
		{ "close", NULL, echo_close, NULL, NULL, NULL, napi_default, NULL },
		{ "count", NULL, echo_count, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_value echoClass, echoPrototype;
	napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
	/* The methods go on the prototype by hand: a class's own methods get V8's receiver check,
	 * whose "Illegal invocation" would come before echo_this's clearer error. */
	napi_define_class(env, "EchoCanceller", NAPI_AUTO_LENGTH, echo_new, NULL, 0, NULL, &echoClass);
	napi_get_named_property(env, echoClass, "prototype", &echoPrototype);
	napi_define_properties(env, echoPrototype, sizeof echoMethods / sizeof echoMethods[0], echoMethods);
	napi_set_named_property(env, exports, "EchoCanceller", echoClass);
	return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
