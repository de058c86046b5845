/*
 * The G.722 codec as first written: each of the Recommendation's fixed-point blocks as its own
 * step, one sample at a time (QMF history shifted per pair, block 4 called per band and sample,
 * the lower band's quantiser a binary search with a multiply per step). Kept as the reference
 * the core's faster G.722 (g722.c) must match code for code, sample for sample and state word
 * for state word (test_g722.c), and as the "before" of the G.722 bench.
 */
#ifndef KLINGEL_REFERENCE_G722_H
#define KLINGEL_REFERENCE_G722_H

#include "../klingel_audio.h"
#include "../saturate.h"

/* QMF coefficients h0..h23 (symmetric). */
static const int16_t ref_qmf_h[24] = { 3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876,
	3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3 };

/* Lower band quantiser decision levels (QUANTL), in units of DETL / 4096, for intervals 1..29. */
static const int16_t ref_q6[30] = { 0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650,
	714, 786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919 };
/* Code of interval m (1..30) for a positive and a negative difference signal. */
static const uint8_t ref_ilp[31] = { 0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46,
	45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32 };
static const uint8_t ref_iln[31] = { 0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
	17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4 };
/* 6-bit inverse quantiser (INVQBL, decoder output), Q15 of DETL, by code. */
static const int16_t ref_qm6[64] = {
	-136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192,
	-10232, -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
	-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704,
	14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
	4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728,
	432, 136, -432, -136
};
/* 4-bit inverse quantiser (INVQAL, the predictor's input) by the code's top four bits. */
static const int16_t ref_qm4[16] = { 0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
	20456, 12896, 8968, 6288, 4240, 2584, 1200, 0 };
/* LOGSCL: magnitude class of the 4-bit code, and the scale factor multipliers. */
static const uint8_t ref_rl42[16] = { 0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0 };
static const int16_t ref_wl[8] = { -60, -30, 58, 172, 334, 538, 1198, 3042 };
/* Higher band: QUANTH codes (interval 1 or 2, by sign), INVQAH, LOGSCH. */
static const uint8_t ref_ihp[3] = { 0, 3, 2 };
static const uint8_t ref_ihn[3] = { 0, 1, 0 };
static const int16_t ref_qm2[4] = { -7408, -1616, 7408, 1616 };
static const uint8_t ref_rh2[4] = { 2, 1, 2, 1 };
static const int16_t ref_wh[3] = { 0, -214, 798 };
/* SCALEL / SCALEH: 2^(i/32) in Q11. */
static const int16_t ref_ilb[32] = { 2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543,
	2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520,
	3597, 3676, 3756, 3838, 3922, 4008 };

#define ref_NBL_MAX 18432 /* LOGSCL limit */
#define ref_NBH_MAX 22528 /* LOGSCH limit */

/* SCALEL (shift 8, limit ref_NBL_MAX) and SCALEH (shift 10, limit ref_NBH_MAX): the step size. */
static int32_t ref_step_size(int32_t nb, int32_t limit, int shift)
{
	int32_t n = nb < 0 ? 0 : nb > limit ? limit : nb; /* stays in range for any stored state */
	int32_t s = shift - (n >> 11);
	int32_t v = s < 0 ? (int32_t)ref_ilb[(n >> 6) & 31] << -s : (int32_t)ref_ilb[(n >> 6) & 31] >> s;
	return v << 2;
}

/* LOGSCL / LOGSCH: leak the log scale factor and add the multiplier of the code's class. */
static int16_t ref_next_scale(int32_t nb, int32_t multiplier, int32_t limit)
{
	int32_t n = ((nb * 127) >> 7) + multiplier;
	return (int16_t)(n < 0 ? 0 : n > limit ? limit : n);
}

/*
 * Block 4 of either band for the quantised difference d: RECONS, PARREC, UPPOL2, UPPOL1,
 * UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC. Leaves the next signal estimate in band->s.
 * UPZERO, DELAYA and FILTEZ run as one pass over the six zero taps. Signs are compared by the
 * sign bit of the 16-bit values ((x >> 15) == (y >> 15) is (x ^ y) >= 0). A difference is
 * |d| <= 10228 (the largest step size times the largest INVQAL level), so FILTEZ's 2·d needs
 * no limiting; the reconstructed signal's 2·r does.
 */
static void ref_adapt(ka_g722_band *band, int32_t d)
{
	int32_t r = ka_saturate16(band->s + d);  /* RECONS */
	int32_t p = ka_saturate16(band->sz + d); /* PARREC */
	int32_t a1 = band->a[0], a2 = band->a[1];
	int32_t sameP1 = (p ^ band->p[0]) >= 0, sameP2 = (p ^ band->p[1]) >= 0;
	int32_t w, limit, sz, step, newer, i;
	int16_t *b = band->b, *dd = band->d;

	/* UPPOL2 (from the old a1, a2) */
	w = ka_saturate16(a1 * 4);
	if (sameP1) w = -w;
	if (w > 32767) w = 32767;
	w = (w >> 7) + (sameP2 ? 128 : -128) + ((a2 * 32512) >> 15);
	a2 = w > 12288 ? 12288 : w < -12288 ? -12288 : w;

	/* UPPOL1 */
	w = ka_saturate16((sameP1 ? 192 : -192) + ((a1 * 32640) >> 15));
	limit = 15360 - a2;
	a1 = w > limit ? limit : w < -limit ? -limit : w;

	/* UPZERO against the previous six differences, DELAYA, FILTEZ */
	step = d == 0 ? 0 : 128;
	newer = d;
	sz = 0;
	for (i = 0; i < 6; i++) {
		int32_t older = dd[i];
		int32_t bi = ka_saturate16(((older ^ d) >= 0 ? step : -step) + ((b[i] * 32640) >> 15));
		b[i] = (int16_t)bi;
		dd[i] = (int16_t)newer;
		sz += (bi * (newer * 2)) >> 15;
		newer = older;
	}
	band->sz = ka_saturate16(sz);

	/* DELAYA, FILTEP, PREDIC */
	band->r[1] = band->r[0];
	band->r[0] = (int16_t)r;
	band->p[1] = band->p[0];
	band->p[0] = (int16_t)p;
	band->a[0] = (int16_t)a1;
	band->a[1] = (int16_t)a2;
	w = ((a1 * ka_saturate16(r * 2)) >> 15) + ((a2 * ka_saturate16(band->r[1] * 2)) >> 15);
	band->s = ka_saturate16(ka_saturate16(w) + band->sz);
}

/* Lower band, one sample: QUANTL, INVQAL, LOGSCL, SCALEL, block 4. Returns the 6-bit code. */
static int32_t ref_encode_low(ka_g722_band *band, int32_t xl)
{
	int32_t det = ref_step_size(band->nb, ref_NBL_MAX, 8);
	int32_t el = ka_saturate16(xl - band->s);
	int32_t magnitude = el >= 0 ? el : -(el + 1);
	int32_t low = 1, high = 30, code, top;
	/* the first interval m in 1..29 whose upper decision level exceeds the magnitude, else 30 */
	while (low < high) {
		int32_t m = (low + high) >> 1;
		if (magnitude < ((ref_q6[m] * det) >> 12)) high = m;
		else low = m + 1;
	}
	code = el < 0 ? ref_iln[low] : ref_ilp[low];
	top = code >> 2;
	band->nb = ref_next_scale(band->nb, ref_wl[ref_rl42[top]], ref_NBL_MAX);
	ref_adapt(band, (det * ref_qm4[top]) >> 15);
	return code;
}

/* Higher band, one sample: QUANTH, INVQAH, LOGSCH, SCALEH, block 4. Returns the 2-bit code. */
static int32_t ref_encode_high(ka_g722_band *band, int32_t xh)
{
	int32_t det = ref_step_size(band->nb, ref_NBH_MAX, 10);
	int32_t eh = ka_saturate16(xh - band->s);
	int32_t magnitude = eh >= 0 ? eh : -(eh + 1);
	int32_t interval = magnitude >= ((564 * det) >> 12) ? 2 : 1;
	int32_t code = eh < 0 ? ref_ihn[interval] : ref_ihp[interval];
	band->nb = ref_next_scale(band->nb, ref_wh[ref_rh2[code]], ref_NBH_MAX);
	ref_adapt(band, (det * ref_qm2[code]) >> 15);
	return code;
}

/*
 * The QMF's two sums over the last 24 values, oldest first, as both filters use them:
 * *a = Σ h(2i)·x(23 - 2i) over the newer value of each pair, *b = Σ h(2i+1)·x(22 - 2i).
 */
static void ref_qmf_sums(const int16_t *x, int32_t *a, int32_t *b)
{
	int32_t sa = 0, sb = 0, i;
	for (i = 0; i < 12; i++) {
		sa += ref_qmf_h[2 * i] * x[23 - 2 * i];
		sb += ref_qmf_h[2 * i + 1] * x[22 - 2 * i];
	}
	*a = sa;
	*b = sb;
}

static void ref_qmf_push(int16_t *x, int32_t older, int32_t newer)
{
	int i;
	for (i = 0; i < 22; i++) x[i] = x[i + 2];
	x[22] = (int16_t)older;
	x[23] = (int16_t)newer;
}

static void reference_g722_encode(ka_g722_state *state, const int16_t *pcm, size_t sampleCount, uint8_t *codes)
{
	size_t n;
	for (n = 0; n + 1 < sampleCount; n += 2) {
		int32_t xa, xb, low, high;
		/* transmit QMF: xL = (xA + xB) / 2^14, xH = (xA - xB) / 2^14 */
		ref_qmf_push(state->qmf, pcm[n], pcm[n + 1]);
		ref_qmf_sums(state->qmf, &xa, &xb);
		low = ref_encode_low(&state->band[0], (xa + xb) >> 14);
		high = ref_encode_high(&state->band[1], (xa - xb) >> 14);
		*codes++ = (uint8_t)(high << 6 | low);
	}
}

static int32_t ref_limit14(int32_t v)
{
	return v > 16383 ? 16383 : v < -16384 ? -16384 : v;
}

static void reference_g722_decode(ka_g722_state *state, const uint8_t *codes, size_t count, int16_t *pcm)
{
	size_t n;
	for (n = 0; n < count; n++) {
		ka_g722_band *lower = &state->band[0], *higher = &state->band[1];
		int32_t code = codes[n], low = code & 63, top = low >> 2, high = code >> 6;
		int32_t detl = ref_step_size(lower->nb, ref_NBL_MAX, 8), deth = ref_step_size(higher->nb, ref_NBH_MAX, 10);
		int32_t rl, rh, dh, xa, xb;
		/* lower band: INVQBL, RECONS, LIMIT for the output; INVQAL, LOGSCL, SCALEL, block 4 */
		rl = ref_limit14(lower->s + ((detl * ref_qm6[low]) >> 15));
		lower->nb = ref_next_scale(lower->nb, ref_wl[ref_rl42[top]], ref_NBL_MAX);
		ref_adapt(lower, (detl * ref_qm4[top]) >> 15);
		/* higher band: INVQAH, RECONS, LIMIT; LOGSCH, SCALEH, block 4 */
		dh = (deth * ref_qm2[high]) >> 15;
		rh = ref_limit14(higher->s + dh);
		higher->nb = ref_next_scale(higher->nb, ref_wh[ref_rh2[high]], ref_NBH_MAX);
		ref_adapt(higher, dh);
		/* receive QMF: xd = rL - rH is the newer of the pair, xs = rL + rH the older */
		ref_qmf_push(state->qmf, rl + rh, rl - rh);
		ref_qmf_sums(state->qmf, &xa, &xb);
		*pcm++ = ka_saturate16(xa >> 11);
		*pcm++ = ka_saturate16(xb >> 11);
	}
}

#endif
