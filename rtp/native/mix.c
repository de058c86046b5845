/*
 * The mixer: Q12 gains, round to nearest (halves up), saturate to 16 bits. Two sources with
 * gains below 32768 (the call audio plus a chime or tone) have a fast path; on x86-64 it uses
 * SSE2 (pmaddwd computes a·ga + b·gb for four samples at once, packssdw saturates), elsewhere
 * (and with -DKA_NO_SIMD) the same arithmetic in plain C.
 */
#include "klingel_audio.h"
#include "saturate.h"

#if defined(__SSE2__) && !defined(KA_NO_SIMD)
#include <emmintrin.h>
#define KA_MIX_SSE2 1
#endif


/* out[i] = sat((a[i]·ga + b[i]·gb + 2048) >> 12), 0 <= ga, gb < 32768; out may be a or b. */
static void mix2(int16_t *out, const int16_t *a, const int16_t *b, int32_t ga, int32_t gb, size_t count)
{
	size_t i = 0;
#ifdef KA_MIX_SSE2
	const __m128i gains = _mm_set1_epi32((int32_t)(((uint32_t)gb << 16) | (uint32_t)ga));
	const __m128i half = _mm_set1_epi32(2048);
	for (; i + 8 <= count; i += 8) {
		__m128i va = _mm_loadu_si128((const __m128i *)(const void *)(a + i));
		__m128i vb = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		__m128i low = _mm_madd_epi16(_mm_unpacklo_epi16(va, vb), gains);
		__m128i high = _mm_madd_epi16(_mm_unpackhi_epi16(va, vb), gains);
		low = _mm_srai_epi32(_mm_add_epi32(low, half), 12);
		high = _mm_srai_epi32(_mm_add_epi32(high, half), 12);
		_mm_storeu_si128((__m128i *)(void *)(out + i), _mm_packs_epi32(low, high));
	}
#endif
	for (; i + 2 <= count; i += 2) {
		int32_t v = (a[i] * ga + b[i] * gb + 2048) >> 12;
		int32_t w = (a[i + 1] * ga + b[i + 1] * gb + 2048) >> 12;
		/* out of int16 range: one unsigned compare; the rare fix-up gives ±32767/-32768 */
		if ((uint32_t)(v + 32768) > 65535u) v = v < 0 ? -32768 : 32767;
		if ((uint32_t)(w + 32768) > 65535u) w = w < 0 ? -32768 : 32767;
		out[i] = (int16_t)v;
		out[i + 1] = (int16_t)w;
	}
	for (; i < count; i++) {
		out[i] = ka_saturate16((a[i] * ga + b[i] * gb + 2048) >> 12);
	}
}

void ka_mix(int16_t *out, size_t count, const int16_t *const *sources, const int32_t *gains, size_t sourceCount)
{
	size_t i, k;
	if (sourceCount == 0) {
		for (i = 0; i < count; i++) out[i] = 0;
		return;
	}
	if (sourceCount == 1 && gains[0] == KA_GAIN_UNITY) {
		const int16_t *a = sources[0];
		if (a != out)
			for (i = 0; i < count; i++) out[i] = a[i];
		return;
	}
	if (sourceCount == 2 && gains[0] < 32768 && gains[1] < 32768) {
		mix2(out, sources[0], sources[1], gains[0], gains[1], count);
		return;
	}
	for (i = 0; i < count; i++) {
		int64_t sum = 2048;
		for (k = 0; k < sourceCount; k++) sum += (int64_t)sources[k][i] * gains[k];
		out[i] = ka_saturate16((int32_t)(sum >> 12)); /* |sum >> 12| < 2^24 */
	}
}
