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

/* e^{-iπ/4} / 2, the split's twiddle at bin H/4 */
#define EIGHTH 0.353553391f

/*
 * The last stage (span H/2: (a, b) -> a ± w^j b, w = e^{-2πi/H}) and the split step (X[k] =
 * e + t o, X[H - k] = conj(e - t o) from Z[k] and Z[H - k], e their even part, o their odd part
 * / i, t = e^{-2πik/M} / 2), in place. Butterflies j and H/2 - j, on a, b (points j, j + H/2)
 * and c, d (points H/2 - j, H - j), make the Z of two split pairs, (j, H - j) and
 * (H/2 - j, H/2 + j). Written out, all four bins come from S1 = a + conj c, D1 = a - conj c,
 * S2 = b + conj d, D2 = b - conj d with three complex multiplications, by α = w^j / 2,
 * β = -i t_j and γ = -i t_j w^j (the table):
 *   X[j] = F + G + K + L,  X[H - j] = conj(F + G - K - L),
 *   X[H/2 + j] = F - G - i(K - L),  X[H/2 - j] = conj(F - G + i(K - L)),
 * with F = S1 / 2, G = α S2, K = β D1, L = γ D2: 44 operations for four bins, where the stage
 * and the split one after the other take 52.
 */
static void last_forward(float *restrict re, float *restrict im)
{
	const float *t = ka_fft_split;
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
	for (j = 1; j < Q; j++, t += 12) {
		float ar = re[j], ai = im[j], br = re[j + H / 2], bi = im[j + H / 2];
		float cr = re[H / 2 - j], ci = im[H / 2 - j], dr = re[H - j], di = im[H - j];
		float s1r = ar + cr, s1i = ai - ci, d1r = ar - cr, d1i = ai + ci;
		float s2r = br + dr, s2i = bi - di, d2r = br - dr, d2i = bi + di;
		float fr = 0.5f * s1r, fi = 0.5f * s1i;
		float gr = s2r * t[0] - s2i * t[1], gi = s2r * t[1] + s2i * t[0];
		float kr = d1r * t[2] - d1i * t[3], ki = d1r * t[3] + d1i * t[2];
		float lr = d2r * t[4] - d2i * t[5], li = d2r * t[5] + d2i * t[4];
		float pr = fr + gr, pi = fi + gi, mr = fr - gr, mi = fi - gi;
		float qr = kr + lr, qi = ki + li, nr = kr - lr, ni = ki - li;
		re[j] = pr + qr;
		im[j] = pi + qi;
		re[H - j] = pr - qr;
		im[H - j] = qi - pi;
		re[H / 2 + j] = mr + ni;
		im[H / 2 + j] = mi - nr;
		re[H / 2 - j] = mr - ni;
		im[H / 2 - j] = -(mi + nr);
	}
	{
		/* j = H/4: w^j = -i, so Z[H/4] = a - i c, Z[3H/4] = a + i c, with e = (a_r, -c_r),
		 * o = 2(a_i, -c_i) and t = (1 - i) EIGHTH */
		float ar = re[Q], ai = im[Q], cr = re[3 * Q], ci = im[3 * Q];
		float ur = 2 * EIGHTH * (ai - ci), ui = -2 * EIGHTH * (ai + ci);
		re[Q] = ar + ur;
		im[Q] = ui - cr;
		re[3 * Q] = ar - ur;
		im[3 * Q] = cr + ui;
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

/*
 * The inverse split and the first stage (span H/2: (a, b) -> (a + b, (a - b) conj(w)^j)), from
 * the spectrum into the work arrays, scaled by 1/M: last_forward undone. With
 * f = p + m, g = p - m, k = q + n, l = q - n from p = X[j] + conj X[H - j],
 * q = X[j] - conj X[H - j], m = X[H/2 + j] + conj X[H/2 - j], n = i(X[H/2 + j] - conj X[H/2 - j]),
 * and S1 = f / 2H, S2 = α' g, D1 = β' k, D2 = γ' l (α' = conj(α) / H and so on, the table):
 * points j, H/2 - j, j + H/2, H - j are S1 + D1, conj(S1 - D1), S2 + D2, conj(S2 - D2).
 */
static void first_inverse(const float *restrict xr, const float *restrict xi, float *restrict re, float *restrict im)
{
	const float half = 0.5f / (float)H, scale = 1.0f / (float)H;
	const float *t = ka_fft_split;
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
	for (j = 1; j < Q; j++, t += 12) {
		float ar = xr[j], ai = xi[j], br = xr[H - j], bi = xi[H - j];
		float cr = xr[H / 2 + j], ci = xi[H / 2 + j], dr = xr[H / 2 - j], di = xi[H / 2 - j];
		float pr = ar + br, pi = ai - bi, qr = ar - br, qi = ai + bi;
		float mr = cr + dr, mi = ci - di, u = ci + di, v = cr - dr; /* n = (-u, v) */
		float fr = half * (pr + mr), fi = half * (pi + mi), gr = pr - mr, gi = pi - mi;
		float kr = qr - u, ki = qi + v, lr = qr + u, li = qi - v;
		float s2r = gr * t[6] - gi * t[7], s2i = gr * t[7] + gi * t[6];
		float d1r = kr * t[8] - ki * t[9], d1i = kr * t[9] + ki * t[8];
		float d2r = lr * t[10] - li * t[11], d2i = lr * t[11] + li * t[10];
		re[j] = fr + d1r;
		im[j] = fi + d1i;
		re[H / 2 - j] = fr - d1r;
		im[H / 2 - j] = d1i - fi;
		re[j + H / 2] = s2r + d2r;
		im[j + H / 2] = s2i + d2i;
		re[H - j] = s2r - d2r;
		im[H - j] = d2i - s2i;
	}
	{
		/* j = H/4: Z[H/4] = e + i o, Z[3H/4] = conj(e) + i conj(o), e = (X[H/4] + conj X[3H/4]) / M,
		 * o = (X[H/4] - conj X[3H/4]) conj(t) / H with conj(t) = (1 + i) EIGHTH; then a + b = 2(e_r + i o_r)
		 * and i (a - b) = -2(e_i + i o_i) */
		float pr = xr[Q], pi = xi[Q], qr = xr[3 * Q], qi = xi[3 * Q];
		float er = half * (pr + qr), ei = half * (pi - qi);
		float dr = scale * EIGHTH * (pr - qr), di = scale * EIGHTH * (pi + qi);
		float or = dr - di, oi = dr + di;
		re[Q] = 2 * er;
		im[Q] = 2 * or;
		re[3 * Q] = -2 * ei;
		im[3 * Q] = -2 * oi;
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
