/*
 * Tests of the echo canceller's FFTs (fft.c) against the DFT summed directly in double precision,
 * on random and impulse inputs: the forward transform of M 16-bit samples and of M samples with
 * either half zero, the inverse's either half, and the bins and samples outside what each
 * function may write left alone. Built for the canceller's size and for 256 points (-DKA_FFT_POINTS=256).
 */
#include <math.h>
#include <string.h>

#include "../fft.h"
#include "check.h"

#define H KA_FFT_POINTS
#define M (2 * H)
#define GUARD 4
#define SENTINEL 12345.0f
/* float32 against double: a few units in the last place of the largest value, times log2 M */
#define TOLERANCE 2e-6

static int failed_tests;
static uint32_t seed = 0x9e3779b9u;

static double uniform(void)
{
	seed = seed * 1664525u + 1013904223u;
	return (double)(int32_t)seed / 2147483648.0;
}

/* X[k] = Σ x[n] e^{-2πikn/M}, k = 0..H */
static void dft(const double *x, double *xr, double *xi)
{
	int k, n;
	for (k = 0; k <= H; k++) {
		double r = 0, i = 0;
		for (n = 0; n < M; n++) {
			double a = -2 * M_PI * (double)((long)k * n % M) / M;
			r += x[n] * cos(a);
			i += x[n] * sin(a);
		}
		xr[k] = r;
		xi[k] = i;
	}
}

/* x[n] = (1/M) Σ_{k<M} X[k] e^{2πikn/M} with X[M-k] = conj X[k] (the imaginary parts of bins 0
 * and H taken as 0) */
static void idft(const double *xr, const double *xi, double *x)
{
	int k, n;
	for (n = 0; n < M; n++) {
		double sum = xr[0] + (n % 2 ? -xr[H] : xr[H]);
		for (k = 1; k < H; k++) {
			double a = 2 * M_PI * (double)((long)k * n % M) / M;
			sum += 2 * (xr[k] * cos(a) - xi[k] * sin(a));
		}
		x[n] = sum / M;
	}
}

typedef struct {
	float re[H + 1 + GUARD];
	float im[H + 1 + GUARD];
} Bins;

static void fill_guard(Bins *b)
{
	int k;
	for (k = 0; k < H + 1 + GUARD; k++) b->re[k] = b->im[k] = SENTINEL;
}

/* The largest difference from the reference, relative to the reference's largest magnitude;
 * im[0] and im[H] must be exactly 0 and the guard untouched. */
static double spectrum_error(const Bins *b, const double *xr, const double *xi, const char *what)
{
	double largest = 0, worst = 0;
	int k;
	for (k = 0; k <= H; k++) largest = fmax(largest, hypot(xr[k], xi[k]));
	for (k = 0; k <= H; k++) worst = fmax(worst, hypot((double)b->re[k] - xr[k], (double)b->im[k] - xi[k]));
	CHECK(b->im[0] == 0 && b->im[H] == 0, "%s: im[0] %g, im[H] %g", what, (double)b->im[0], (double)b->im[H]);
	for (k = H + 1; k < H + 1 + GUARD; k++) CHECK(b->re[k] == SENTINEL && b->im[k] == SENTINEL, "%s: wrote bin %d", what, k);
	worst /= largest;
	CHECK(worst <= TOLERANCE, "%s: error %.3g of the largest bin", what, worst);
	return worst;
}

/* 16-bit samples, their two halves in buffers of their own (as the canceller's reference blocks) */
static void forward_matches_the_dft(void)
{
	static double x[M], xr[H + 1], xi[H + 1];
	static int16_t first[H], second[H];
	static Bins b;
	double worst = 0;
	int round, n;
	for (round = 0; round < 8; round++) {
		/* 0..4: an impulse at 0, 1, H - 1, H, M - 1; then random */
		static const int impulse[5] = { 0, 1, H - 1, H, M - 1 };
		for (n = 0; n < M; n++) x[n] = round < 5 ? (n == impulse[round]) : (int16_t)(10000 * uniform());
		for (n = 0; n < H; n++) {
			first[n] = (int16_t)x[n];
			second[n] = (int16_t)x[H + n];
		}
		dft(x, xr, xi);
		fill_guard(&b);
		ka_fft_real_s16(first, second, b.re, b.im);
		worst = fmax(worst, spectrum_error(&b, xr, xi, round < 5 ? "impulse" : "random"));
	}
	printf("#   forward, M = %d: largest error %.2g of the largest bin\n", M, worst);
}

static void forward_of_either_half_matches_the_dft(void)
{
	static double x[M], xr[H + 1], xi[H + 1];
	static float half[H];
	static Bins b;
	double worst = 0;
	int upper, round, n;
	for (upper = 0; upper <= 1; upper++)
		for (round = 0; round < 6; round++) {
			/* 0..3: an impulse at 0, 1, H/2, H - 1 of the half; then random */
			static const int impulse[4] = { 0, 1, H / 2, H - 1 };
			memset(x, 0, sizeof x);
			for (n = 0; n < H; n++) {
				x[upper * H + n] = round < 4 ? (n == impulse[round]) : 10000 * uniform();
				half[n] = (float)x[upper * H + n];
			}
			dft(x, xr, xi);
			fill_guard(&b);
			ka_fft_real_half(half, upper, b.re, b.im);
			worst = fmax(worst, spectrum_error(&b, xr, xi, upper ? "last half" : "first half"));
		}
	printf("#   forward of half the samples: largest error %.2g of the largest bin\n", worst);
}

static void inverse_of_either_half_matches_the_dft(void)
{
	static double xr[H + 1], xi[H + 1], x[M];
	static float out[H + GUARD];
	static Bins b;
	static KaFftWork work;
	double worst = 0;
	int upper, round, k, n;
	for (upper = 0; upper <= 1; upper++)
		for (round = 0; round < 7; round++) {
			/* 0..4: one bin (0, 1, H/2, H - 1, H) at 1 + 0.5i; then random */
			static const int impulse[5] = { 0, 1, H / 2, H - 1, H };
			double largest = 0, error = 0;
			for (k = 0; k <= H; k++) {
				xr[k] = round < 5 ? (k == impulse[round]) : 1000 * uniform();
				xi[k] = round < 5 ? 0.5 * (k == impulse[round]) : 1000 * uniform();
				b.re[k] = (float)xr[k];
				b.im[k] = (float)xi[k]; /* not read at 0 and H */
			}
			xi[0] = xi[H] = 0;
			idft(xr, xi, x);
			for (n = 0; n < H + GUARD; n++) out[n] = SENTINEL;
			ka_ifft_real_half(b.re, b.im, upper, out, &work);
			for (n = 0; n < M; n++) largest = fmax(largest, fabs(x[n]));
			for (n = 0; n < H; n++) error = fmax(error, fabs((double)out[n] - x[upper * H + n]));
			for (n = H; n < H + GUARD; n++) CHECK(out[n] == SENTINEL, "%s half: wrote sample %d", upper ? "last" : "first", n);
			for (k = 0; k <= H; k++) CHECK(b.re[k] == (float)xr[k], "changed the spectrum at %d", k);
			error /= largest;
			CHECK(error <= TOLERANCE, "%s half, %s: error %.3g of the largest sample", upper ? "last" : "first", round < 5 ? "one bin" : "random", error);
			worst = fmax(worst, error);
		}
	printf("#   inverse, either half: largest error %.2g of the largest sample\n", worst);
}

/* The forward and then the inverse give the samples back: both halves of a random signal. */
static void inverse_undoes_forward(void)
{
	static int16_t in[M];
	static float out[H];
	static Bins b;
	static KaFftWork work;
	double worst = 0;
	int upper, n;
	for (n = 0; n < M; n++) in[n] = (int16_t)(32767 * uniform());
	ka_fft_real_s16(in, in + H, b.re, b.im);
	for (upper = 0; upper <= 1; upper++) {
		ka_ifft_real_half(b.re, b.im, upper, out, &work);
		for (n = 0; n < H; n++) worst = fmax(worst, fabs((double)out[n] - (double)in[upper * H + n]));
	}
	CHECK(worst <= 32768 * TOLERANCE, "round trip: error %.3g", worst);
}

int main(void)
{
	printf("# FFT of %d complex points (real transforms of %d samples)\n", H, M);
	RUN(forward_matches_the_dft);
	RUN(forward_of_either_half_matches_the_dft);
	RUN(inverse_of_either_half_matches_the_dft);
	RUN(inverse_undoes_forward);
	return failed_tests ? 1 : 0;
}
