/*
 * Real FFTs for the echo canceller (fft.c): 2 * KA_FFT_POINTS real samples through a complex
 * FFT of KA_FFT_POINTS points and a split step, float32, no state of their own (the twiddles and
 * the bit reversal are constant tables in tables.c, made by gen_tables.c for this size).
 *
 * A spectrum is bins 0..KA_FFT_POINTS of X[k] = Σ x[n] e^{-2πikn/M}, M = 2 * KA_FFT_POINTS, as
 * separate real and imaginary arrays of at least KA_FFT_POINTS + 1 floats (im[0] and
 * im[KA_FFT_POINTS] are written as 0 and not read; entries past KA_FFT_POINTS are not touched).
 */
#ifndef KLINGEL_FFT_H
#define KLINGEL_FFT_H

#include <stdint.h>

#include "klingel_audio.h"

/* The canceller's block; a build may choose 256 instead (the tests build both). */
#ifndef KA_FFT_POINTS
#define KA_FFT_POINTS KA_AEC_BLOCK
#endif
#if KA_FFT_POINTS != 128 && KA_FFT_POINTS != 256
#error "KA_FFT_POINTS: 128 or 256"
#endif

/* The inverse's working space (the forward transforms work in their output). */
typedef struct {
	float re[KA_FFT_POINTS];
	float im[KA_FFT_POINTS];
} KaFftWork;

/* Spectrum of M 16-bit samples: KA_FFT_POINTS at `first`, then KA_FFT_POINTS at `second`. */
void ka_fft_real_s16(const int16_t *first, const int16_t *second, float *re, float *im);

/* Spectrum of M samples of which only M/2 are not zero: `x` as the first half (upper 0) or as
 * the last (upper 1). */
void ka_fft_real_half(const float *x, int upper, float *re, float *im);

/* The inverse, scaled by 1/M, of which only the first M/2 samples (upper 0) or the last M/2
 * (upper 1) are made, into `out`. The spectrum is left as it was. */
void ka_ifft_real_half(const float *re, const float *im, int upper, float *out, KaFftWork *work);

/* The tables (tables.c). */
/* 256 points have a radix-2 stage (span 64) between the radix-8 passes and the last stage */
#define KA_FFT_RADIX2_STAGE (KA_FFT_POINTS == 256)
/* the first pass's inputs: the bit reversal of 8b for b < KA_FFT_POINTS / 8 */
extern const uint8_t ka_fft_reverse[KA_FFT_POINTS / 8];
/* the radix-8 pass (eighth span 8): for q = 1..7 the real parts of ω^q for j < 8, then the
 * imaginary parts, ω = e^{-2πij/64} */
extern const float ka_fft_radix8[14 * 8];
#if KA_FFT_RADIX2_STAGE
/* j < KA_FFT_POINTS / 4: e^{-2πij/(KA_FFT_POINTS / 2)} */
extern const float ka_fft_radix2[KA_FFT_POINTS / 2];
#endif
/* j = 1..KA_FFT_POINTS / 4 - 1: the last stage and split step's α = w^j / 2, β = -i t, γ = -i t w^j
 * (re, im; w = e^{-2πi/KA_FFT_POINTS}, t = e^{-2πij/M} / 2), then the inverse's conj(α),
 * conj(β), conj(γ) divided by KA_FFT_POINTS */
extern const float ka_fft_split[12 * (KA_FFT_POINTS / 4 - 1)];

#endif
