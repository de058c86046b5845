/*
 * The echo's onset beyond the canceller's tail (align.h): envelopes of the reference and the
 * microphone compared at every lag: about 700 instructions a block (callgrind, x86-64, no SIMD).
 */
#include <string.h>

#include "align.h"

#define N KA_AEC_BLOCK
#define K KA_AEC_PARTITIONS
#define ENVELOPE_RATE (1.0f / 128.0f) /* smoothing of the envelopes' statistics, per block (about 1 s at 16 kHz) */
#define ALIGN_BLOCKS 64    /* blocks of envelopes compared before the hold may move (0.5 s at 16 kHz), and again after it moved */
#define ALIGN_LIKENESS 0.7f /* the envelopes' correlation at the peak needed to move it ... */
#define ALIGN_STEADY 16    /* ... the peak in the same place (within a block) for 16 blocks in a row ... */
#define ALIGN_CANCELLED 0.25f /* ... while the error keeps more than a quarter of the microphone's energy */
#define ALIGN_MARGIN 2     /* blocks the hold leaves before the peak: the echo's onset and the peak's spread */

/* log2 x for x > 0, to within 0.09: the float's exponent and its mantissa read as a straight
 * line. For envelopes, whose correlation needs no more. */
static float log2_rough(float x)
{
	uint32_t bits;
	memcpy(&bits, &x, sizeof bits);
	return (float)bits * (1.0f / 8388608.0f) - 127.0f;
}

/*
 * The SDK's default ESP32 output buffers alone delay the speaker's sound by 128-256 ms, and a
 * filter of 64 ms then holds none of the echo. Held back by the hold found here, the reference
 * puts the echo's onset at the start of the tail.
 *
 * The onset is found by comparing envelopes: the log energy of each block of the reference as
 * it comes in and of the microphone, less their means, their product smoothed for every lag up
 * to KA_ALIGN_LAGS blocks. Speech's envelope rises and falls with its syllables, and the
 * echo's follows it at the echo's delay. The hold moves only when the peak is a clear one
 * (correlation at least ALIGN_LIKENESS: at 0.5, another talker's envelope reached it by chance),
 * has stayed in place for ALIGN_STEADY blocks, lies outside the first half of the tail as held
 * now, and the filter is not cancelling (an echo inside the tail is the filter's to find, and a
 * filter that cancels is left alone). It then moves to ALIGN_MARGIN blocks before the peak (and
 * the canceller's filter starts over), and stays for ALIGN_BLOCKS blocks at least: the peak
 * wanders by a block or two while the reverberation smears the microphone's envelope, and the
 * filter, started over, is not cancelling yet (on the handset's speech through the simulator's
 * box 150 ms late, it moved again 0.12 s after the first move).
 */
int32_t ka_align_block(KaAlign *s, float inEnergy, int inActive, float micEnergy, float errorEnergy, int active, int32_t hold)
{
	float f = log2_rough(inEnergy + (float)N), m = log2_rough(micEnergy + (float)N), best = 0;
	int l, at, peak = 0, held, moved;
	if (inActive) s->farSilent = 0;
	else if (s->farSilent < KA_ALIGN_LAGS) s->farSilent++;
	if (active) s->cancelled += 0.02f * ((errorEnergy < micEnergy ? errorEnergy : micEnergy) / (micEnergy + 1.0f) - s->cancelled);
	if (s->farSilent >= KA_ALIGN_LAGS) return hold; /* nothing within reach to compare with */
	if (!s->started) s->farLevel = f, s->micLevel = m, s->started = 1;
	s->farLevel += ENVELOPE_RATE * (f - s->farLevel);
	s->micLevel += ENVELOPE_RATE * (m - s->micLevel);
	f -= s->farLevel;
	m -= s->micLevel;
	s->farSpread += ENVELOPE_RATE * (f * f - s->farSpread);
	s->micSpread += ENVELOPE_RATE * (m * m - s->micSpread);
	at = s->envelopeAt = s->envelopeAt + 1 < KA_ALIGN_LAGS ? s->envelopeAt + 1 : 0;
	s->farEnvelope[at] = s->farEnvelope[at + KA_ALIGN_LAGS] = f;
	{
		const float *back = s->farEnvelope + at + KA_ALIGN_LAGS; /* back[-l]: l blocks earlier */
		for (l = 0; l < KA_ALIGN_LAGS; l++) {
			float v = s->likeness[l] += ENVELOPE_RATE * (m * back[-l] - s->likeness[l]);
			if (v > best) best = v, peak = l;
		}
	}
	s->peakBlocks = peak >= s->peak - 1 && peak <= s->peak + 1 ? s->peakBlocks + 1 : 0;
	s->peak = peak;
	if (s->compared < ALIGN_BLOCKS) {
		s->compared++;
		return hold;
	}
	held = hold / N;
	if (best * best < ALIGN_LIKENESS * ALIGN_LIKENESS * s->farSpread * s->micSpread || s->peakBlocks < ALIGN_STEADY || s->cancelled < ALIGN_CANCELLED || (peak >= held && peak < held + K / 2)) return hold;
	moved = (peak - ALIGN_MARGIN) * N;
	moved = moved < 0 ? 0 : moved > KA_ALIGN_HOLD_MAX ? KA_ALIGN_HOLD_MAX : moved;
	if (moved != hold) s->compared = 0;
	return moved;
}

