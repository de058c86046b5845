/*
 * Real FFTs of M = 2H samples (H = KA_FFT_POINTS) for the echo canceller, written for a scalar
 * FPU (the ESP32-S3's LX7: 16 float registers, no SIMD), where the cost is loads, stores and
 * arithmetic instructions one by one:
 *
 * - the samples are taken as H complex points z[n] = x[2n] + i x[2n+1], and a split step makes
 *   the M-point real spectrum of their H-point complex one;
 * - forward by decimation in time: the first pass reads the samples straight from the input in
 *   bit-reversed order (one table entry per eight points; the full transform's 16-bit samples
 *   converted as they are read, from the canceller's two reference blocks where they lie) and
 *   writes into the output arrays, where the rest works in place, so there is neither a copy
 *   nor a reordering pass; the
 *   inverse by decimation in frequency, whose last pass writes the output samples straight to
 *   their places in natural order;
 * - radix 8: three stages per pass, each point loaded and stored a third as often as by radix 2,
 *   7 complex multiplications per 8 points where radix 2 takes 12; the first (forward) and last
 *   (inverse) passes multiply only by e^{±iπ/4};
 * - the stage of span H/2 shares its loop with the split step (forward: the last stage;
 *   inverse: the first), on the four points j, H/2 - j, H/2 + j and H - j at a time;
 * - half of the input zero (the canceller's [0, y] and [w, 0]): the first pass reads only the
 *   half that is there; half of the output wanted: the last pass makes only that half.
 *
 * 128 points: the first pass, one radix-8 pass, the last stage; 256: a radix-2 stage more. The
 * twiddles are constant tables (tables.c, made by gen_tables.c in double precision).
 */
#include "fft.h"

#define H KA_FFT_POINTS
#define Q (H / 4)
#define S 8 /* the middle radix-8 pass: stages of span 8, 16, 32 */
#define SQRT_HALF 0.707106781f

/*
 * The last two stages of an 8-point DFT X_m = Σ x_q e^{-2πiqm/8}, from the 4-point DFTs of its
 * even inputs (locals e0r, e0i .. e3r, e3i) and its odd inputs (o0r .. o3i): point m of r, i
 * (m * step apart) is E_m + W^m O_m, point m + 4 is E_m - W^m O_m, W = e^{-iπ/4} = (1 - i)√½.
 */
#define DFT8_END(r, i, step) \
	do { \
		float w1r_ = SQRT_HALF * (o1r + o1i), w1i_ = SQRT_HALF * (o1i - o1r); /* W O1 */ \
		float w3r_ = SQRT_HALF * (o3i - o3r), w3i_ = -SQRT_HALF * (o3r + o3i); /* W³ O3, W³ = -(1 + i)√½ */ \
		(r)[0] = e0r + o0r; \
		(i)[0] = e0i + o0i; \
		(r)[4 * (step)] = e0r - o0r; \
		(i)[4 * (step)] = e0i - o0i; \
		(r)[(step)] = e1r + w1r_; \
		(i)[(step)] = e1i + w1i_; \
		(r)[5 * (step)] = e1r - w1r_; \
		(i)[5 * (step)] = e1i - w1i_; \
		(r)[2 * (step)] = e2r + o2i; /* W² O2 = -i O2 */ \
		(i)[2 * (step)] = e2i - o2r; \
		(r)[6 * (step)] = e2r - o2i; \
		(i)[6 * (step)] = e2i + o2r; \
		(r)[3 * (step)] = e3r + w3r_; \
		(i)[3 * (step)] = e3i + w3i_; \
		(r)[7 * (step)] = e3r - w3r_; \
		(i)[7 * (step)] = e3i - w3i_; \
	} while (0)

/* A 4-point DFT of a0..a3 (locals a0r .. a3i) into the locals pre##0r .. pre##3i. */
#define DFT4(pre) \
	float pre##0r, pre##0i, pre##1r, pre##1i, pre##2r, pre##2i, pre##3r, pre##3i; \
	do { \
		float t0r_ = a0r + a2r, t0i_ = a0i + a2i, t1r_ = a0r - a2r, t1i_ = a0i - a2i; \
		float t2r_ = a1r + a3r, t2i_ = a1i + a3i, t3r_ = a1r - a3r, t3i_ = a1i - a3i; \
		pre##0r = t0r_ + t2r_; \
		pre##0i = t0i_ + t2i_; \
		pre##2r = t0r_ - t2r_; \
		pre##2i = t0i_ - t2i_; \
		pre##1r = t1r_ + t3i_; /* t1 - i t3 */ \
		pre##1i = t1i_ - t3r_; \
		pre##3r = t1r_ - t3i_; /* t1 + i t3 */ \
		pre##3i = t1i_ + t3r_; \
	} while (0)

/* ---- forward ---- */

/* The first pass, stages of span 1, 2 and 4: points 8b..8b+7 (bit-reversed order) are the
 * 8-point DFT of z[R + q H/8], q = 0..7, R the bit reversal of 8b; z[n] for n < H/2 from the
 * samples' first half (`first`: q < 4), the rest from their second (`second`). */
static void first_pass(const int16_t *restrict first, const int16_t *restrict second, float *restrict re, float *restrict im)
{
	int b;
	for (b = 0; b < H / 8; b++) {
		const int16_t *lo = first + 2 * ka_fft_reverse[b], *hi = second + 2 * ka_fft_reverse[b];
		float a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i;
		a0r = lo[0], a0i = lo[1], a1r = lo[H / 2], a1i = lo[H / 2 + 1]; /* x0, x2, x4, x6 */
		a2r = hi[0], a2i = hi[1], a3r = hi[H / 2], a3i = hi[H / 2 + 1];
		{
			DFT4(e);
			a0r = lo[H / 4], a0i = lo[H / 4 + 1], a1r = lo[3 * H / 4], a1i = lo[3 * H / 4 + 1]; /* x1, x3, x5, x7 */
			a2r = hi[H / 4], a2i = hi[H / 4 + 1], a3r = hi[3 * H / 4], a3i = hi[3 * H / 4 + 1];
			{
				DFT4(o);
				DFT8_END(re + 8 * b, im + 8 * b, 1);
			}
		}
	}
}

/* The same with z zero from H/2 on (upper 0: x4..x7 = 0) or below it (upper 1: x0..x3 = 0);
 * `x` holds the half that is not zero. The 4-point DFT of (a, c, 0, 0) is a + c, a - i c, a - c,
 * a + i c; that of (0, 0, a, c) the same with its odd points negated. */
static void first_pass_half(const float *restrict x, int upper, float *restrict re, float *restrict im)
{
	int b;
	if (!upper)
		for (b = 0; b < H / 8; b++) {
			const float *p = x + 2 * ka_fft_reverse[b];
			float ar = p[0], ai = p[1], cr = p[H / 2], ci = p[H / 2 + 1]; /* x0, x2 */
			float e0r = ar + cr, e0i = ai + ci, e2r = ar - cr, e2i = ai - ci;
			float e1r = ar + ci, e1i = ai - cr, e3r = ar - ci, e3i = ai + cr;
			float br = p[H / 4], bi = p[H / 4 + 1], dr = p[3 * H / 4], di = p[3 * H / 4 + 1]; /* x1, x3 */
			float o0r = br + dr, o0i = bi + di, o2r = br - dr, o2i = bi - di;
			float o1r = br + di, o1i = bi - dr, o3r = br - di, o3i = bi + dr;
			DFT8_END(re + 8 * b, im + 8 * b, 1);
		}
	else
		for (b = 0; b < H / 8; b++) {
			const float *p = x + 2 * ka_fft_reverse[b];
			float ar = p[0], ai = p[1], cr = p[H / 2], ci = p[H / 2 + 1]; /* x4, x6 */
			float e0r = ar + cr, e0i = ai + ci, e2r = ar - cr, e2i = ai - ci;
			float e1r = -(ar + ci), e1i = cr - ai, e3r = ci - ar, e3i = -(ai + cr);
			float br = p[H / 4], bi = p[H / 4 + 1], dr = p[3 * H / 4], di = p[3 * H / 4 + 1]; /* x5, x7 */
			float o0r = br + dr, o0i = bi + di, o2r = br - dr, o2i = bi - di;
			float o1r = -(br + di), o1i = dr - bi, o3r = di - br, o3i = -(bi + dr);
			DFT8_END(re + 8 * b, im + 8 * b, 1);
		}
}

/* (xr, xi) times the table's twiddle q (1..7) at j into (yr, yi) */
#define TWIDDLE(yr, yi, xr, xi, q) \
	do { \
		float wr_ = t[(2 * (q) - 2) * S + j], wi_ = t[(2 * (q) - 1) * S + j]; \
		yr = (xr) * wr_ - (xi) * wi_; \
		yi = (xr) * wi_ + (xi) * wr_; \
	} while (0)

/*
 * The radix-8 passes' twiddles at j = 0 are all 1, and a scalar build makes that group without
 * them (a sixteenth of the passes' complex multiplications at 128 points). Not where gcc turns
 * the loop over j into SSE2's 4 lanes (x86, unless KA_NO_SIMD, as in mix.c): 7 groups left for
 * it to vectorise, it did not, and the vectorised canceller took 31,000 instructions more per
 * frame.
 */
#if !defined(__SSE2__) || defined(KA_NO_SIMD)
#define SKIP_UNIT_TWIDDLES 1
#else
#define SKIP_UNIT_TWIDDLES 0
#endif

/* (xr, xi) as they are: the twiddles at j = 0 */
#define PLAIN(yr, yi, xr, xi, q) \
	do { \
		yr = (xr); \
		yi = (xi); \
	} while (0)

/* One 8-point group of the radix-8 pass at j, its twiddles by TW (TWIDDLE, or PLAIN at j = 0) */
#define DIT8_GROUP(TW) \
	do { \
		float *restrict r = re + b + j, *restrict i = im + b + j; \
		float a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i; \
		a0r = r[0], a0i = i[0]; /* x0, x2, x4, x6 */ \
		TW(a1r, a1i, r[2 * S], i[2 * S], 2); \
		TW(a2r, a2i, r[S], i[S], 4); \
		TW(a3r, a3i, r[3 * S], i[3 * S], 6); \
		{ \
			DFT4(e); \
			TW(a0r, a0i, r[4 * S], i[4 * S], 1); /* x1, x3, x5, x7 */ \
			TW(a1r, a1i, r[6 * S], i[6 * S], 3); \
			TW(a2r, a2i, r[5 * S], i[5 * S], 5); \
			TW(a3r, a3i, r[7 * S], i[7 * S], 7); \
			{ \
				DFT4(o); \
				DFT8_END(r, i, S); \
			} \
		} \
	} while (0)

/* The radix-8 pass (stages of span S, 2S, 4S): with ω = e^{-2πij/8S}, points j + mS are the
 * 8-point DFT of x_q = ω^q p_{rev(q)}, p_m the points j + mS before and rev the 3-bit bit
 * reversal. The twiddles are 14 arrays of S, ω^q's real parts then its imaginary parts (all 1
 * at j = 0: SKIP_UNIT_TWIDDLES). */
static void dit8(float *restrict re, float *restrict im)
{
	const float *restrict t = ka_fft_radix8;
	int b, j;
	for (b = 0; b < H; b += 8 * S) {
#if SKIP_UNIT_TWIDDLES
		j = 0;
		DIT8_GROUP(PLAIN);
		for (j = 1; j < S; j++) DIT8_GROUP(TWIDDLE);
#else
		for (j = 0; j < S; j++) DIT8_GROUP(TWIDDLE);
#endif
	}
}

#if KA_FFT_RADIX2_STAGE
/* The stage of span H/4 = 64 of 256 points: (a, c) -> a ± w c, w = e^{-2πij/(H/2)}. */
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

void ka_fft_real_s16(const int16_t *first, const int16_t *second, float *re, float *im)
{
	first_pass(first, second, re, im);
	dit8(re, im);
#if KA_FFT_RADIX2_STAGE
	dit2(re, im);
#endif
	last_forward(re, im);
}

void ka_fft_real_half(const float *x, int upper, float *re, float *im)
{
	first_pass_half(x, upper, re, im);
	dit8(re, im);
#if KA_FFT_RADIX2_STAGE
	dit2(re, im);
#endif
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

/* The first two stages of an inverse 8-point DFT y_q = Σ p_m e^{2πiqm/8} (the 4-point inverse
 * DFTs of the even and the odd points, as DFT4 with i for -i), from the locals p0r .. p7i into
 * the locals e0r .. e3i and o0r .. o3i. */
#define IDFT8_HALVES \
	float e0r, e0i, e1r, e1i, e2r, e2i, e3r, e3i, o0r, o0i, o1r, o1i, o2r, o2i, o3r, o3i; \
	do { \
		float t0r_ = p0r + p4r, t0i_ = p0i + p4i, t1r_ = p0r - p4r, t1i_ = p0i - p4i; \
		float t2r_ = p2r + p6r, t2i_ = p2i + p6i, t3r_ = p2r - p6r, t3i_ = p2i - p6i; \
		e0r = t0r_ + t2r_; \
		e0i = t0i_ + t2i_; \
		e2r = t0r_ - t2r_; \
		e2i = t0i_ - t2i_; \
		e1r = t1r_ - t3i_; /* t1 + i t3 */ \
		e1i = t1i_ + t3r_; \
		e3r = t1r_ + t3i_; /* t1 - i t3 */ \
		e3i = t1i_ - t3r_; \
		t0r_ = p1r + p5r, t0i_ = p1i + p5i, t1r_ = p1r - p5r, t1i_ = p1i - p5i; \
		t2r_ = p3r + p7r, t2i_ = p3i + p7i, t3r_ = p3r - p7r, t3i_ = p3i - p7i; \
		o0r = t0r_ + t2r_; \
		o0i = t0i_ + t2i_; \
		o2r = t0r_ - t2r_; \
		o2i = t0i_ - t2i_; \
		o1r = t1r_ - t3i_; \
		o1i = t1i_ + t3r_; \
		o3r = t1r_ + t3i_; \
		o3i = t1i_ - t3r_; \
	} while (0)

/* (xr, xi) times the conjugate of the table's twiddle q at j, stored at r[k], i[k] */
#define UNTWIDDLE(k, xr, xi, q) \
	do { \
		float wr_ = t[(2 * (q) - 2) * S + j], wi_ = t[(2 * (q) - 1) * S + j]; \
		r[k] = (xr) * wr_ + (xi) * wi_; \
		i[k] = (xi) * wr_ - (xr) * wi_; \
	} while (0)

/* (xr, xi) stored at r[k], i[k] as they are: the twiddles at j = 0, all 1 */
#define UNPLAIN(k, xr, xi, q) \
	do { \
		r[k] = (xr); \
		i[k] = (xi); \
	} while (0)

/* One 8-point group of the inverse's radix-8 pass at j, its twiddles by UNTW (UNTWIDDLE, or
 * UNPLAIN at j = 0) */
#define DIF8_GROUP(UNTW) \
	do { \
		float *restrict r = re + b + j, *restrict i = im + b + j; \
		float p0r = r[0], p0i = i[0], p1r = r[S], p1i = i[S], p2r = r[2 * S], p2i = i[2 * S], p3r = r[3 * S], p3i = i[3 * S]; \
		float p4r = r[4 * S], p4i = i[4 * S], p5r = r[5 * S], p5i = i[5 * S], p6r = r[6 * S], p6i = i[6 * S], p7r = r[7 * S], p7i = i[7 * S]; \
		IDFT8_HALVES; \
		{ \
			float v1r = SQRT_HALF * (o1r - o1i), v1i = SQRT_HALF * (o1r + o1i); /* V O1 */ \
			float v3r = -SQRT_HALF * (o3r + o3i), v3i = SQRT_HALF * (o3r - o3i); /* V³ O3 = (-1 + i)√½ O3 */ \
			r[0] = e0r + o0r; \
			i[0] = e0i + o0i; \
			UNTW(S, e0r - o0r, e0i - o0i, 4); /* y4 */ \
			UNTW(4 * S, e1r + v1r, e1i + v1i, 1); /* y1 */ \
			UNTW(5 * S, e1r - v1r, e1i - v1i, 5); /* y5 */ \
			UNTW(2 * S, e2r - o2i, e2i + o2r, 2); /* y2 = E2 + i O2 */ \
			UNTW(3 * S, e2r + o2i, e2i - o2r, 6); /* y6 */ \
			UNTW(6 * S, e3r + v3r, e3i + v3i, 3); /* y3 */ \
			UNTW(7 * S, e3r - v3r, e3i - v3i, 7); /* y7 */ \
		} \
	} while (0)

/* The radix-8 pass of the inverse (stages of span 4S, 2S, S): the inverse 8-point DFT y of the
 * points j + mS, y_q conj(ω)^q to point j + rev(q) S: dit8 transposed. V = e^{iπ/4}. */
static void dif8(float *restrict re, float *restrict im)
{
	const float *restrict t = ka_fft_radix8;
	int b, j;
	for (b = 0; b < H; b += 8 * S) {
#if SKIP_UNIT_TWIDDLES
		j = 0;
		DIF8_GROUP(UNPLAIN);
		for (j = 1; j < S; j++) DIF8_GROUP(UNTWIDDLE);
#else
		for (j = 0; j < S; j++) DIF8_GROUP(UNTWIDDLE);
#endif
	}
}

/* The last pass (stages of span 4, 2 and 1), of which only the wanted half is made: points
 * 8b..8b+7 give z[R + q H/8] = y_q, their inverse 8-point DFT (R the bit reversal of 8b),
 * written as samples 2n, 2n + 1 of the output; y_q = E_q + V^q O_q, y_{q+4} = E_q - V^q O_q. */
static void last_inverse(const float *restrict re, const float *restrict im, int upper, float *restrict out)
{
	int b;
	if (!upper)
		for (b = 0; b < H / 8; b++) {
			const float *r = re + 8 * b, *i = im + 8 * b;
			float *o = out + 2 * ka_fft_reverse[b];
			float p0r = r[0], p0i = i[0], p1r = r[1], p1i = i[1], p2r = r[2], p2i = i[2], p3r = r[3], p3i = i[3];
			float p4r = r[4], p4i = i[4], p5r = r[5], p5i = i[5], p6r = r[6], p6i = i[6], p7r = r[7], p7i = i[7];
			IDFT8_HALVES;
			o[0] = e0r + o0r;
			o[1] = e0i + o0i;
			o[H / 4] = e1r + SQRT_HALF * (o1r - o1i); /* + V O1 */
			o[H / 4 + 1] = e1i + SQRT_HALF * (o1r + o1i);
			o[H / 2] = e2r - o2i; /* + i O2 */
			o[H / 2 + 1] = e2i + o2r;
			o[3 * H / 4] = e3r - SQRT_HALF * (o3r + o3i); /* + V³ O3 */
			o[3 * H / 4 + 1] = e3i + SQRT_HALF * (o3r - o3i);
		}
	else
		for (b = 0; b < H / 8; b++) {
			const float *r = re + 8 * b, *i = im + 8 * b;
			float *o = out + 2 * ka_fft_reverse[b];
			float p0r = r[0], p0i = i[0], p1r = r[1], p1i = i[1], p2r = r[2], p2i = i[2], p3r = r[3], p3i = i[3];
			float p4r = r[4], p4i = i[4], p5r = r[5], p5i = i[5], p6r = r[6], p6i = i[6], p7r = r[7], p7i = i[7];
			IDFT8_HALVES;
			o[0] = e0r - o0r;
			o[1] = e0i - o0i;
			o[H / 4] = e1r - SQRT_HALF * (o1r - o1i);
			o[H / 4 + 1] = e1i - SQRT_HALF * (o1r + o1i);
			o[H / 2] = e2r + o2i;
			o[H / 2 + 1] = e2i - o2r;
			o[3 * H / 4] = e3r + SQRT_HALF * (o3r + o3i);
			o[3 * H / 4 + 1] = e3i - SQRT_HALF * (o3r - o3i);
		}
}

void ka_ifft_real_half(const float *re, const float *im, int upper, float *out, KaFftWork *work)
{
	first_inverse(re, im, work->re, work->im);
#if KA_FFT_RADIX2_STAGE
	dif2(work->re, work->im);
#endif
	dif8(work->re, work->im);
	last_inverse(work->re, work->im, upper, out);
}
