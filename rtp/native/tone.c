/*
 * Sine tone: 32-bit phase accumulator, 256-step table with linear interpolation. The caller's
 * int32_t words hold a ToneState (see klingel_audio.h for the layout); it is read into the
 * struct and written back, so the words need no particular type.
 */
#include "klingel_audio.h"
#include "tables.h"

typedef struct {
	int32_t magic;      /* KA_TONE_MAGIC once initialised */
	uint32_t phase;     /* 2^32 = one period */
	uint32_t increment; /* per sample, < 2^31 */
	int32_t amplitude;  /* 0..32767 */
} ToneState;

static ToneState load(const int32_t *words)
{
	ToneState t;
	t.magic = words[0];
	t.phase = (uint32_t)words[1];
	t.increment = (uint32_t)words[2];
	t.amplitude = words[3];
	return t;
}

static void store(int32_t *words, const ToneState *t)
{
	int i;
	for (i = 4; i < KA_TONE_STATE_WORDS; i++) words[i] = 0;
	words[0] = t->magic;
	words[1] = (int32_t)t->phase;
	words[2] = (int32_t)t->increment;
	words[3] = t->amplitude;
}

int ka_tone_init(int32_t *state, double frequencyHz, double sampleRate, int32_t amplitude)
{
	ToneState t;
	/* Written so that NaN fails every test. */
	if (!(sampleRate >= 1 && sampleRate <= 192000)) return -1;
	if (!(frequencyHz >= 0 && frequencyHz < sampleRate / 2)) return -1;
	if (amplitude < 0 || amplitude > 32767) return -1;
	t.magic = KA_TONE_MAGIC;
	t.phase = 0;
	t.increment = (uint32_t)(frequencyHz / sampleRate * 4294967296.0 + 0.5); /* < 2^31 */
	t.amplitude = amplitude;
	store(state, &t);
	return 0;
}

int ka_tone_fill(int32_t *state, int16_t *out, size_t count)
{
	ToneState t = load(state);
	size_t i;
	if (t.magic != KA_TONE_MAGIC || t.amplitude < 0 || t.amplitude > 32767 || t.increment >= 0x80000000u) return -1;
	for (i = 0; i < count; i++) {
		uint32_t index = t.phase >> 24;
		int32_t fraction = (int32_t)((t.phase >> 8) & 0xffff);
		int32_t s0 = ka_sine_table[index], s1 = ka_sine_table[index + 1];
		int32_t s = s0 + (int32_t)(((s1 - s0) * fraction + 32768) >> 16);
		out[i] = (int16_t)((s * t.amplitude + 16384) >> 15);
		t.phase += t.increment;
	}
	state[1] = (int32_t)t.phase;
	return 0;
}
