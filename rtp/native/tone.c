/* Sine tone: 32-bit phase accumulator, 256-step table with linear interpolation. */
#include "klingel_audio.h"
#include "tables.h"

int ka_tone_init(int32_t *state, double frequencyHz, double sampleRate, int32_t amplitude)
{
	double increment;
	int i;
	/* Written so that NaN fails every test. */
	if (!(sampleRate >= 1 && sampleRate <= 192000)) return -1;
	if (!(frequencyHz >= 0 && frequencyHz < sampleRate / 2)) return -1;
	if (amplitude < 0 || amplitude > 32767) return -1;
	increment = frequencyHz / sampleRate * 4294967296.0 + 0.5; /* < 2^31 */
	for (i = 0; i < KA_TONE_STATE_WORDS; i++) state[i] = 0;
	state[0] = KA_TONE_MAGIC;
	state[1] = 0;
	state[2] = (int32_t)(uint32_t)increment;
	state[3] = amplitude;
	return 0;
}

int ka_tone_fill(int32_t *state, int16_t *out, size_t count)
{
	uint32_t phase, increment;
	int32_t amplitude;
	size_t i;
	if (state[0] != KA_TONE_MAGIC || state[3] < 0 || state[3] > 32767 || state[2] < 0) return -1;
	phase = (uint32_t)state[1];
	increment = (uint32_t)state[2];
	amplitude = state[3];
	for (i = 0; i < count; i++) {
		uint32_t index = phase >> 24;
		int32_t fraction = (int32_t)((phase >> 8) & 0xffff);
		int32_t s0 = ka_sine_table[index], s1 = ka_sine_table[index + 1];
		int32_t s = s0 + (int32_t)(((s1 - s0) * fraction + 32768) >> 16);
		out[i] = (int16_t)((s * amplitude + 16384) >> 15);
		phase += increment;
	}
	state[1] = (int32_t)phase;
	return 0;
}
