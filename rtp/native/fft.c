/*
 * Real FFTs of M = 2H samples (H = KA_FFT_POINTS) for the echo canceller, written for a scalar
 * FPU (the ESP32-S3's LX7: 16 float registers, no SIMD), where the cost is loads, stores and
 * arithmetic instructions one by one:
 *
 * - the samples are taken as H complex points z[n] = x[2n] + i x[2n+1], and a split step makes
 *   the M-point real spectrum of their H-point complex one;
 * - forward by decimation in time: the first pass reads the samples straight from the input in
 *   bit-reversed order (one table entry per four points) and writes into the output arrays,
 *   where the rest works in place, so there is neither a copy nor a reordering pass; the
 *   inverse by decimation in frequency, whose last pass writes the output samples straight to
 *   their places in natural order;
 * - radix 4: two stages per pass, each point loaded and stored half as often as by radix 2, and
 *   3 complex multiplications per 4 points instead of 4; the first (forward) and last (inverse)
 *   passes have no multiplications at all;
 * - the stage of span H/2 shares its loop with the split step (forward: the last stage;
 *   inverse: the first), which reads and writes the same four points: bins j, H/2 - j, H/2 + j
 *   and H - j, with one table entry for the four;
 * - half of the input zero (the canceller's [0, y] and [w, 0]): the first pass reads only the
 *   half that is there; half of the output wanted: the last pass makes only that half.
 *
 * The twiddles are constant tables (tables.c, made by gen_tables.c in double precision), read in
 * the order the loops use them.
 */
#include "fft.h"

#define H KA_FFT_POINTS
#define Q (H / 4)

/* ---- forward ---- */

/* The first pass, stages of span 1 and 2 (twiddles 1 and -i): points 4b..4b+3 are
 * z[R], z[R + H/2], z[R + H/4], z[R + 3H/4] with R the bit reversal of 4b. */
static void first_pass(const float *restrict in, float *restrict re, float *restrict im)
{
	int b;
	for (b = 0; b < Q; b++) {
		const float *p = in + 2 * ka_fft_reverse[b];
		float p0r = p[0], p0i = p[1], p1r = p[H], p1i = p[H + 1];
		float p2r = p[H / 2], p2i = p[H / 2 + 1], p3r = p[3 * H / 2], p3i = p[3 * H / 2 + 1];
		float sr = p0r + p1r, si = p0i + p1i, dr = p0r - p1r, di = p0i - p1i;
		float tr = p2r + p3r, ti = p2i + p3i, er = p2r - p3r, ei = p2i - p3i;
		re[4 * b] = sr + tr;
		im[4 * b] = si + ti;
		re[4 * b + 1] = dr + ei; /* d - i e */
		im[4 * b + 1] = di - er;
		re[4 * b + 2] = sr - tr;
		im[4 * b + 2] = si - ti;
		re[4 * b + 3] = dr - ei; /* d + i e */
		im[4 * b + 3] = di + er;
	}
}

/* The same with z zero from H/2 on (upper 0: p1 = p3 = 0) or below H/2 (upper 1: p0 = p2 = 0);
 * `x` holds the half that is not zero. */
static void first_pass_half(const float *restrict x, int upper, float *restrict re, float *restrict im)
{
	int b;
	if (!upper)
		for (b = 0; b < Q; b++) {
			const float *p = x + 2 * ka_fft_reverse[b];
			float ar = p[0], ai = p[1], cr = p[H / 2], ci = p[H / 2 + 1];
			re[4 * b] = ar + cr;
			im[4 * b] = ai + ci;
			re[4 * b + 1] = ar + ci; /* a - i c */
			im[4 * b + 1] = ai - cr;
			re[4 * b + 2] = ar - cr;
			im[4 * b + 2] = ai - ci;
			re[4 * b + 3] = ar - ci; /* a + i c */
			im[4 * b + 3] = ai + cr;
		}
	else
		for (b = 0; b < Q; b++) {
			const float *p = x + 2 * ka_fft_reverse[b];
			float ar = p[0], ai = p[1], cr = p[H / 2], ci = p[H / 2 + 1];
			re[4 * b] = ar + cr;
			im[4 * b] = ai + ci;
			re[4 * b + 1] = -(ar + ci); /* -(a - i c) */
			im[4 * b + 1] = cr - ai;
			re[4 * b + 2] = ar - cr;
			im[4 * b + 2] = ai - ci;
			re[4 * b + 3] = ci - ar; /* -(a + i c) */
			im[4 * b + 3] = -(ai + cr);
		}
}

/* A radix-4 pass of quarter span s (stages of span s and 2s): with w = e^{-2πij/4s},
 * a = p0, b = w² p1, c = w p2, d = w³ p3 -> (a + b) + (c + d), (a - b) - i(c - d),
 * (a + b) - (c + d), (a - b) + i(c - d). The twiddles are six arrays of s (w, w², w³; re, im),
 * so that the inner loop runs over contiguous points and twiddles. A macro, for a span the
 * compiler knows. */
#define DIT4(s) \
	static void dit4_##s(float *restrict re, float *restrict im) \
	{ \
		const float *restrict tw = ka_fft_radix4 + 2 * ((s) - 4); \
		int b, j; \
		for (b = 0; b < H; b += 4 * (s)) { \
			float *restrict r = re + b, *restrict i = im + b; \
			for (j = 0; j < (s); j++) { \
				float ar = r[j], ai = i[j]; \
				float xr = r[j + (s)], xi = i[j + (s)]; \
				float br = xr * tw[2 * (s) + j] - xi * tw[3 * (s) + j], bi = xr * tw[3 * (s) + j] + xi * tw[2 * (s) + j]; \
				float yr = r[j + 2 * (s)], yi = i[j + 2 * (s)]; \
				float cr = yr * tw[j] - yi * tw[(s) + j], ci = yr * tw[(s) + j] + yi * tw[j]; \
				float zr = r[j + 3 * (s)], zi = i[j + 3 * (s)]; \
				float dr = zr * tw[4 * (s) + j] - zi * tw[5 * (s) + j], di = zr * tw[5 * (s) + j] + zi * tw[4 * (s) + j]; \
				float sr = ar + br, si = ai + bi, tr = ar - br, ti = ai - bi; \
				float ur = cr + dr, ui = ci + di, vr = cr - dr, vi = ci - di; \
				r[j] = sr + ur; \
				i[j] = si + ui; \
				r[j + (s)] = tr + vi; \
				i[j + (s)] = ti - vr; \
				r[j + 2 * (s)] = sr - ur; \
				i[j + 2 * (s)] = si - ui; \
				r[j + 3 * (s)] = tr - vi; \
				i[j + 3 * (s)] = ti + vr; \
			} \
		} \
	}
DIT4(4)
#if H >= 128
DIT4(16)
#endif
#if H >= 512
DIT4(64)
#endif

#if KA_FFT_RADIX2_STAGE
/* The stage of span H/4 when it is left over: (a, c) -> a ± w c, w = e^{-2πij/(H/2)}. */
static void dit2(float *restrict re, float *restrict im)
{
	const float *tw = ka_fft_radix2;
	int j, k;
	for (j = 0; j < Q; j++, tw += 2)
		for (k = j; k < H; k += H / 2) {
			float cr = re[k + Q], ci = im[k + Q];
			float tr = cr * tw[0] - ci * tw[1], ti = cr * tw[1] + ci * tw[0];
			float ar = re[k], ai = im[k];
			re[k] = ar + tr;
			im[k] = ai + ti;
			re[k + Q] = ar - tr;
			im[k + Q] = ai - ti;
		}
}
#endif

/* One pair of the split step, from Z[k] = p and Z[H - k] = q, t = e^{-2πik/M} / 2:
 * X[k] = e + t o and X[H - k] = conj(e - t o), with e = (p + conj q) / 2 and o = (p - conj q) / i. */
#define SPLIT(k, pr, pi, qr, qi, tr, ti) \
	do { \
		float er_ = 0.5f * ((pr) + (qr)), ei_ = 0.5f * ((pi) - (qi)); \
		float or_ = (pi) + (qi), oi_ = (qr) - (pr); \
		float ur_ = or_ * (tr) - oi_ * (ti), ui_ = or_ * (ti) + oi_ * (tr); \
		re[k] = er_ + ur_; \
		im[k] = ei_ + ui_; \
		re[H - (k)] = er_ - ur_; \
		im[H - (k)] = ui_ - ei_; \
	} while (0)

/* The last stage (span H/2, (a, c) -> a ± w^j c, w = e^{-2πi/H}) and the split step, in place:
 * butterflies j and H/2 - j make Z[j], Z[j + H/2], Z[H/2 - j] and Z[H - j], the split pairs
 * (j, H - j) and (H/2 - j, H/2 + j). w^{H/2-j} = -conj(w^j), and the split's
 * e^{-2πi(H/2-j)/M} = -i conj(e^{-2πij/M}). */
static void last_forward(float *restrict re, float *restrict im)
{
	const float *tw = ka_fft_split + 4;
	int j;
	{
		float ar = re[0], ai = im[0], cr = re[H / 2], ci = im[H / 2];
		float zr = ar + cr, zi = ai + ci;
		re[0] = zr + zi; /* X[0] and X[H] from Z[0]; X[H/2] = conj(Z[H/2]) */
		im[0] = 0;
		re[H] = zr - zi;
		im[H] = 0;
		re[H / 2] = ar - cr;
		im[H / 2] = ci - ai;
	}
	for (j = 1; j < Q; j++, tw += 4) {
		const float wr = tw[0], wi = tw[1], sr = tw[2], si = tw[3];
		float ar = re[j], ai = im[j], br = re[j + H / 2], bi = im[j + H / 2];
		float cr = re[H / 2 - j], ci = im[H / 2 - j], dr = re[H - j], di = im[H - j];
		float tr = br * wr - bi * wi, ti = br * wi + bi * wr;    /* w b */
		float mr = dr * wr + di * wi, mi = di * wr - dr * wi;    /* conj(w) d */
		float pr = ar + tr, pi = ai + ti, qr = ar - tr, qi = ai - ti; /* Z[j], Z[H/2 + j] */
		float ur = cr - mr, ui = ci - mi, vr = cr + mr, vi = ci + mi; /* Z[H/2 - j], Z[H - j] */
		SPLIT(j, pr, pi, vr, vi, sr, si);
		SPLIT(H / 2 - j, ur, ui, qr, qi, -si, -sr);
	}
	{
		/* j = H/4: w^j = -i, Z[H/4] = a - i c, Z[3H/4] = a + i c */
		float ar = re[Q], ai = im[Q], cr = re[3 * Q], ci = im[3 * Q];
		SPLIT(Q, ar + ci, ai - cr, ar - ci, ai + cr, tw[2], tw[3]);
	}
}

/* The stages between the first pass and the last: spans 4 to H/4. */
static void middle_forward(float *restrict re, float *restrict im)
{
	dit4_4(re, im);
#if H >= 128
	dit4_16(re, im);
#endif
#if H >= 512
	dit4_64(re, im);
#endif
#if KA_FFT_RADIX2_STAGE
	dit2(re, im);
#endif
}

void ka_fft_real(const float *in, float *re, float *im)
{
	first_pass(in, re, im);
	middle_forward(re, im);
	last_forward(re, im);
}

void ka_fft_real_half(const float *x, int upper, float *re, float *im)
{
	first_pass_half(x, upper, re, im);
	middle_forward(re, im);
	last_forward(re, im);
}

/* ---- inverse ---- */

/* One pair of the inverse split, from X[k] = p and X[H - k] = q, t = e^{+2πik/M} / 2 (scaled
 * by 1/M in all): e = (p + conj q) / 2M, o = t (p - conj q) / H; Z[k] = e + i o and
 * Z[H - k] = conj(e) + i conj(o), as (ar, ai) and (br, bi). */
#define UNSPLIT(pr, pi, qr, qi, tr, ti, ar, ai, br, bi) \
	do { \
		float er_ = half * ((pr) + (qr)), ei_ = half * ((pi) - (qi)); \
		float dr_ = scale * ((pr) - (qr)), di_ = scale * ((pi) + (qi)); \
		float or_ = dr_ * (tr) - di_ * (ti), oi_ = dr_ * (ti) + di_ * (tr); \
		ar = er_ - oi_; \
		ai = ei_ + or_; \
		br = er_ + oi_; \
		bi = or_ - ei_; \
	} while (0)

/* The inverse split and the first stage (span H/2: (a, c) -> (a + c, (a - c) conj(w)^j)) from the
 * spectrum into the work arrays, the same four points at a time as last_forward. */
static void first_inverse(const float *restrict xr, const float *restrict xi, float *restrict re, float *restrict im)
{
	const float half = 0.5f / (float)H, scale = 1.0f / (float)H;
	const float *tw = ka_fft_split + 4;
	int j;
	{
		/* Z[0] from X[0] and X[H]; Z[H/2] = 2 conj(X[H/2]) / M */
		float zr = half * (xr[0] + xr[H]), zi = half * (xr[0] - xr[H]);
		float hr = scale * xr[H / 2], hi = -scale * xi[H / 2];
		re[0] = zr + hr;
		im[0] = zi + hi;
		re[H / 2] = zr - hr;
		im[H / 2] = zi - hi;
	}
	for (j = 1; j < Q; j++, tw += 4) {
		const float wr = tw[0], wi = tw[1], sr = tw[2], si = tw[3];
		float ar, ai, br, bi, cr, ci, dr, di;
		float pr, pi, qr, qi;
		/* Z[j], Z[H - j] = a, d; Z[H/2 - j], Z[H/2 + j] = c, b (conj of the split's -i conj(t) is i t) */
		UNSPLIT(xr[j], xi[j], xr[H - j], xi[H - j], sr, -si, ar, ai, dr, di);
		UNSPLIT(xr[H / 2 - j], xi[H / 2 - j], xr[H / 2 + j], xi[H / 2 + j], -si, sr, cr, ci, br, bi);
		re[j] = ar + br;
		im[j] = ai + bi;
		pr = ar - br;
		pi = ai - bi;
		re[j + H / 2] = pr * wr + pi * wi; /* (a - b) conj(w) */
		im[j + H / 2] = pi * wr - pr * wi;
		re[H / 2 - j] = cr + dr;
		im[H / 2 - j] = ci + di;
		qr = cr - dr;
		qi = ci - di;
		re[H - j] = -(qr * wr - qi * wi); /* (c - d) conj(w)^{H/2-j} = -(c - d) w */
		im[H - j] = -(qr * wi + qi * wr);
	}
	{
		/* j = H/4: conj(w)^j = i */
		float ar, ai, br, bi;
		UNSPLIT(xr[Q], xi[Q], xr[3 * Q], xi[3 * Q], tw[2], -tw[3], ar, ai, br, bi);
		re[Q] = ar + br;
		im[Q] = ai + bi;
		re[3 * Q] = bi - ai; /* i (a - b) */
		im[3 * Q] = ar - br;
	}
}

#if KA_FFT_RADIX2_STAGE
static void dif2(float *restrict re, float *restrict im)
{
	const float *tw = ka_fft_radix2;
	int j, k;
	for (j = 0; j < Q; j++, tw += 2)
		for (k = j; k < H; k += H / 2) {
			float ar = re[k], ai = im[k], cr = re[k + Q], ci = im[k + Q];
			float dr = ar - cr, di = ai - ci;
			re[k] = ar + cr;
			im[k] = ai + ci;
			re[k + Q] = dr * tw[0] + di * tw[1];
			im[k + Q] = di * tw[0] - dr * tw[1];
		}
}
#endif

/* A radix-4 pass of quarter span s (stages of span 2s and s), v = conj(e^{-2πij/4s}):
 * p0..p3 -> (p0 + p2) + (p1 + p3), ((p0 + p2) - (p1 + p3)) v², ((p0 - p2) + i(p1 - p3)) v,
 * ((p0 - p2) - i(p1 - p3)) v³; the twiddles as for DIT4. */
#define DIF4(s) \
	static void dif4_##s(float *restrict re, float *restrict im) \
	{ \
		const float *restrict tw = ka_fft_radix4 + 2 * ((s) - 4); \
		int b, j; \
		for (b = 0; b < H; b += 4 * (s)) { \
			float *restrict r = re + b, *restrict i = im + b; \
			for (j = 0; j < (s); j++) { \
				float p0r = r[j], p0i = i[j], p1r = r[j + (s)], p1i = i[j + (s)]; \
				float p2r = r[j + 2 * (s)], p2i = i[j + 2 * (s)], p3r = r[j + 3 * (s)], p3i = i[j + 3 * (s)]; \
				float sr = p0r + p2r, si = p0i + p2i, dr = p0r - p2r, di = p0i - p2i; \
				float tr = p1r + p3r, ti = p1i + p3i, er = p1r - p3r, ei = p1i - p3i; \
				float xr = sr - tr, xi = si - ti; \
				float yr = dr - ei, yi = di + er; /* d + i e */ \
				float zr = dr + ei, zi = di - er; /* d - i e */ \
				r[j] = sr + tr; \
				i[j] = si + ti; \
				r[j + (s)] = xr * tw[2 * (s) + j] + xi * tw[3 * (s) + j]; \
				i[j + (s)] = xi * tw[2 * (s) + j] - xr * tw[3 * (s) + j]; \
				r[j + 2 * (s)] = yr * tw[j] + yi * tw[(s) + j]; \
				i[j + 2 * (s)] = yi * tw[j] - yr * tw[(s) + j]; \
				r[j + 3 * (s)] = zr * tw[4 * (s) + j] + zi * tw[5 * (s) + j]; \
				i[j + 3 * (s)] = zi * tw[4 * (s) + j] - zr * tw[5 * (s) + j]; \
			} \
		} \
	}
DIF4(4)
#if H >= 128
DIF4(16)
#endif
#if H >= 512
DIF4(64)
#endif

/* The last pass (spans 2 and 1, no twiddles), of which only the wanted half is made: points
 * 4b..4b+3 are z[R], z[R + H/2], z[R + H/4], z[R + 3H/4] (R the bit reversal of 4b), written as
 * samples 2n, 2n + 1 of the output. */
static void last_inverse(const float *restrict re, const float *restrict im, int upper, float *restrict out)
{
	int b;
	if (!upper)
		for (b = 0; b < Q; b++) {
			const float *pr = re + 4 * b, *pi = im + 4 * b;
			float *o = out + 2 * ka_fft_reverse[b];
			float sr = pr[0] + pr[2], si = pi[0] + pi[2], dr = pr[0] - pr[2], di = pi[0] - pi[2];
			float tr = pr[1] + pr[3], ti = pi[1] + pi[3], er = pr[1] - pr[3], ei = pi[1] - pi[3];
			o[0] = sr + tr;
			o[1] = si + ti;
			o[H / 2] = dr - ei; /* d + i e */
			o[H / 2 + 1] = di + er;
		}
	else
		for (b = 0; b < Q; b++) {
			const float *pr = re + 4 * b, *pi = im + 4 * b;
			float *o = out + 2 * ka_fft_reverse[b];
			float sr = pr[0] + pr[2], si = pi[0] + pi[2], dr = pr[0] - pr[2], di = pi[0] - pi[2];
			float tr = pr[1] + pr[3], ti = pi[1] + pi[3], er = pr[1] - pr[3], ei = pi[1] - pi[3];
			o[0] = sr - tr;
			o[1] = si - ti;
			o[H / 2] = dr + ei; /* d - i e */
			o[H / 2 + 1] = di - er;
		}
}

void ka_ifft_real_half(const float *re, const float *im, int upper, float *out, KaFftWork *work)
{
	first_inverse(re, im, work->re, work->im);
#if KA_FFT_RADIX2_STAGE
	dif2(work->re, work->im);
#endif
#if H >= 512
	dif4_64(work->re, work->im);
#endif
#if H >= 128
	dif4_16(work->re, work->im);
#endif
	dif4_4(work->re, work->im);
	last_inverse(work->re, work->im, upper, out);
}
