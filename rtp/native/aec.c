/*
 * Acoustic echo canceller: a partitioned-block frequency-domain adaptive filter (overlap-save,
 * blocks of KA_AEC_BLOCK samples, KA_AEC_PARTITIONS partitions: a 1,024-sample tail, 64 ms at
 * 16 kHz), a learning rate that follows the estimated residual echo (which is what holds the
 * filter still during double talk), a per-bin residual echo suppressor and comfort noise where
 * it suppresses.
 *
 * Near-end sound the far end does not explain is left alone: the suppressor counts only the
 * part of the echo estimate that is coherent with the microphone (a near-end tone beside a
 * far-end tone has no coherence with it, so no bin around it is turned down), a bin where the
 * far end is weak next to the others learns slowly, and before the residual echo is known the
 * learning rate is held to what the far end's energy could explain of the error. A steady
 * near-end sound (a hum or a tone at the door, heard while the far end is quiet) slows the
 * learning where it is, counts for nothing in the test for a wrong filter, and keeps its
 * level through the suppressor.
 *
 * Arithmetic: float32 throughout. The ESP32-S3's LX7 has a single-precision FPU (one-cycle
 * multiply-add), and an adaptive filter's coefficients, powers and step sizes span far more
 * range than 16 or 32-bit fixed point holds without block scaling in every stage; float32 keeps
 * the code short and the numbers checkable. Double precision would be software-emulated there:
 * every constant is a float literal and the Makefile builds this file with -Wdouble-promotion.
 *
 * The residual echo estimate is at least the residual echo's spectrum learnt without near-end
 * speech, scaled by how loud the echo is now, since a clipping speaker's distortion lands on
 * harmonics far from the echo.
 *
 * An echo that begins beyond the tail (a device's audio buffers delay the speaker's sound and
 * the microphone's) is found from the envelopes of the reference and the microphone, and the
 * reference is held back, up to KA_ALIGN_HOLD_MAX samples, so that the echo's onset falls in
 * the tail's first half (align.c).
 *
 * Cost per block: 4 real FFTs of 2 * KA_AEC_BLOCK points (reference, echo estimate in and out,
 * error) and the output's inverse, every second block one partition's gradient constraint (2
 * more, the partitions take turns), one pass over the filter for the last block's update and
 * this block's filter (KA_AEC_PARTITIONS complex multiply-adds per bin each, a bin at a time
 * over all partitions with the sums in registers), the envelopes compared at KA_ALIGN_LAGS
 * lags (align.c), two fused passes over the bins for the estimates and the update's step and
 * one for the suppressor and comfort noise. Per 20 ms frame (callgrind, x86-64 -O2
 * -fno-tree-vectorize and fft.c's code paths for a build without SSE2, as for the ESP32, which
 * has no SIMD): about 273,000 instructions (the FFTs about 113,000, the filter with its update
 * and farSum's change about 67,500, what tells a steady near-end sound apart about 4,000, the
 * search for an echo beyond the tail about 2,000, about the same with the reference held back;
 * 402,000 with the radix-2 FFT before fft.c, 320,000 before the per-bin loops were fused and
 * the filter ran a bin at a time, 281,000 before the update moved into the next block's filter
 * pass and the bins' loops lost their index tests; 280,600 before the filter's pass took the
 * last partition's update and farSum's change from the spectrum that left the tail (4,300
 * less), the radix-8 passes left out their twiddles at j = 0 (2,100), the reference's
 * spectrum was taken from its 16-bit blocks (900) and the suppressor's loop kept its bins'
 * values in registers (500), all with the same output bit for bit). Where gcc vectorises,
 * about 243,000 (248,000 before those four, 241,000 before the steady near-end sound was told
 * apart, 200,000 when the filter ran a partition at a time, which SSE suits better; the ESP32
 * has no SSE). Of the 275,000 before the steady near-end sound was told apart,
 * about 127,000 are float additions, subtractions and multiplications (54,000 of them in the
 * FFTs), 61,000 float loads and stores, 43,000 the register copies that x86's two-operand SSE
 * needs (the ESP32's FPU instructions name three registers) and 29,000 integer work and
 * branches.
 *
 * The state holds no pointer (the XS binding's state lives in a movable ArrayBuffer).
 */
#include <string.h>

#include "align.h"
#include "fft.h"
#include "klingel_audio.h"

#define N KA_AEC_BLOCK       /* samples per block */
#define M (2 * N)            /* FFT length */
#define BINS (N + 1)         /* bins 0..N of a real M-point spectrum */
#define PAD (N + 4)          /* per-bin arrays and loops run to a multiple of 4 (bins past N stay 0), so a compiler may vectorise them */
#define K KA_AEC_PARTITIONS
#define SPREAD 8           /* bins either side over which 80 % of the residual echo estimate is spread */
#if KA_FFT_POINTS != N
#error "the FFT's real transforms are of two blocks"
#endif
#if KA_AEC_COUNT_DELAY != KA_AEC_COUNTS - 1
#error "counts[] holds every count but the last, the hold"
#endif

#define RING (KA_ALIGN_HOLD_MAX + 2 * N) /* the reference's last samples: the frame of two blocks at any hold */

#define MAGIC 0x41454331u /* "AEC1" */

typedef struct {
	float re[PAD];
	float im[PAD];
} Spectrum;

typedef struct {
	uint32_t magic;
	int32_t sampleRate;
	uint32_t seed;
	int32_t sinceSum;     /* blocks since farSum was summed afresh */
	int32_t turn;         /* partition constrained next */
	int32_t sinceConstraint; /* adapted blocks since a partition was last constrained */
	int32_t fill;         /* samples in micBlock and the ring's block at ringAt */
	int32_t outRead;      /* output ring: next sample to hand out */
	int32_t outCount;     /* processed samples waiting in the ring */
	int32_t delay;        /* samples of delay the output runs behind the input */
	int32_t adaptedBlocks; /* blocks adapted with far-end signal present */
	int32_t divergent;    /* consecutive blocks with more error than microphone */
	int32_t goodBlocks;   /* consecutive blocks whose error stayed well below the microphone */
	int32_t checkpoint;   /* CHECKPOINT_NONE, _HELD or _RESTORED: what good[] holds */
	int32_t settling;     /* blocks after a restore in which quiet ones do not count as divergent */
	int32_t wrongBlocks;  /* +1 for a block with far-end sound whose microphone passed, -WRONG_FALL for one that did not (at least 0) */
	int32_t farAt;        /* farBlocks' next slot */
	float farBlocks[K];   /* the far end's energy in each of the last K blocks (the filter's tail) */
	int32_t counts[KA_AEC_COUNT_DELAY]; /* blocks, blocks whose microphone passed, restarts (ka_aec_count; its last, the hold, is `hold`) */
	int32_t hold;         /* samples the reference is held back behind the input (ka_align_block) */
	int32_t ringAt;       /* farRing's next slot */
	KaAlign align;        /* where the echo begins (align.c) */
	float echoShare;      /* smoothed coherent echo estimate power (py) over blocks without near-end speech */
	int32_t suppress;     /* residual echo suppression and comfort noise on */
	int32_t stepped;      /* the last block left its update's step mu E in errorBin and echoBin */
	float leak;           /* residual echo power / echo estimate power, from blocks without near-end speech */
	float wEnergy[K];     /* each partition's tap energy, found when it is constrained */
	KaFftWork fft;        /* the inverse FFT's working space */
	int16_t farRing[RING]; /* the reference as it came in, the block being filled at ringAt */
	int16_t micBlock[N];
	int16_t outRing[2 * N];
	float errorPower[PAD]; /* smoothed |E|² */
	float echoPower[PAD];  /* smoothed residual echo estimate */
	float coherent[SPREAD + BINS + SPREAD + 1]; /* scratch: the echo estimate's part coherent with the microphone from bin -SPREAD to N + SPREAD + 1, 0 outside 0..N */
	float spreadScale[BINS]; /* (1 - LOCAL) / the bins in the spread around each bin */
	float noise[PAD];       /* near-end noise floor */
	float nearFloor[PAD];   /* noise[] as it was when the far end was last quiet, at most noise[] now: the near-end's own steady sound */
	float errorBin[PAD];    /* |E|² from the first pass over the bins to the second, then the real part of the update's step */
	float farSum[PAD];     /* Σ_p |X_p|²: the reference power over the filter's tail */
	Spectrum x[K + 1];    /* the reference spectra, x[p] partition p's; x[K] the one that has just left the tail */
	Spectrum w[K];
	Spectrum good[K];     /* the checkpoint: the last filter that performed well */
	Spectrum echo;        /* the echo estimate Y, as filtered and then as FFT([0, y]) */
	Spectrum error;       /* E = FFT([0, e]), then the output */
	float time[N];        /* y, and the partition being constrained, in the time domain */
	float e[N];
	float echoBin[PAD];   /* |FFT([0, y])|², then the imaginary part of the update's step */
	float farPower[PAD]; /* smoothed |X|² of the partition the echo arrives in */
	float micPower[PAD]; /* smoothed |D|², D = FFT([0, d]) */
	float crossRe[PAD];  /* smoothed D conj(X) */
	float crossIm[PAD];
	float residual[PAD];  /* smoothed |E|² over the same blocks: the residual echo's spectrum, nonlinear part included */
} Aec;

size_t ka_aec_state_bytes(void)
{
	return sizeof(Aec);
}

/* ---- per-bin loops over PAD bins ---- */

#define S (2 * PAD) /* floats from one partition's spectrum to the next */
#if K == 8
#define EACH_PARTITION(T) T(0) T(1) T(2) T(3) T(4) T(5) T(6) T(7)
#else
#error "EACH_PARTITION is written for 8 partitions"
#endif

/* Y = Σ_p W_p X_p over the partitions, a bin at a time with the sums in registers; on the way,
 * farSum takes X_0's power for that of X_K, the spectrum that has just left the tail. */
static void filter(const float *restrict w, const float *restrict x, float *restrict farSum, float *restrict yr, float *restrict yi)
{
	int k;
	for (k = 0; k < BINS; k++) {
		float ar = 0, ai = 0, nr = x[k], ni = x[PAD + k], or = x[K * S + k], oi = x[K * S + PAD + k];
#define TERM(p) { float wr = w[(p) * S + k], wi = w[(p) * S + PAD + k], xr = x[(p) * S + k], xi = x[(p) * S + PAD + k]; ar += wr * xr - wi * xi; ai += wr * xi + wi * xr; }
		EACH_PARTITION(TERM)
#undef TERM
		yr[k] = ar;
		yi[k] = ai;
		farSum[k] = farSum[k] - (or * or + oi * oi) + (nr * nr + ni * ni);
	}
}

/*
 * The last block's update and this block's filter in one pass over the filter's spectra, with
 * the reference spectra moved one partition on since that block: W_p += g conj(X_{p+1}) (the
 * block's X_p; X_K the one that has just left the tail), g = mu E the step it left in gr, gi,
 * then Y = Σ_p W_p X_p, a bin at a time with the sums and each X in registers (it is loaded
 * once for the update, the filter and farSum, which takes X_0's power for X_K's).
 */
static void update_filter(float *restrict w, const float *restrict x, float *restrict farSum, const float *restrict gr, const float *restrict gi, float *restrict yr, float *restrict yi)
{
	int k;
	for (k = 0; k < BINS; k++) {
		float a = gr[k], b = gi[k], ar = 0, ai = 0, xr = x[k], xi = x[PAD + k], power = xr * xr + xi * xi;
#define TERM(p) { float nr = x[((p) + 1) * S + k], ni = x[((p) + 1) * S + PAD + k]; \
		float wr = w[(p) * S + k] + (a * nr + b * ni), wi = w[(p) * S + PAD + k] + (b * nr - a * ni); \
		w[(p) * S + k] = wr; w[(p) * S + PAD + k] = wi; \
		ar += wr * xr - wi * xi; ai += wr * xi + wi * xr; xr = nr; xi = ni; }
		EACH_PARTITION(TERM)
#undef TERM
		yr[k] = ar;
		yi[k] = ai;
		farSum[k] = farSum[k] - (xr * xr + xi * xi) + power;
	}
}

/* p += |x|² */
static void add_power(float *restrict power, const float *restrict xr, const float *restrict xi)
{
	int k;
	for (k = 0; k < BINS; k++) power[k] += xr[k] * xr[k] + xi[k] * xi[k];
}

/* ---- the canceller ---- */

#define MU_START 1.0f      /* learning rate until the residual echo estimate is trusted */
/* The start lasts START_BLOCKS blocks with far-end signal (0.96 s at 16 kHz): with 60, a filter
 * that left it before it had the echo could settle about 25 dB down and stay there, the slower
 * learning after it never catching up (the handset's speech through the simulator's box 150 ms
 * late, after the hold had moved), while started over 0.8 s into the call it reached 45-60 dB. */
#define START_BLOCKS 120
#define MU_MAX 1.0f        /* largest learning rate afterwards */
#define MU_SCALE 4.0f      /* learning rate = MU_SCALE * residual echo / error power, per bin */
#define LEAK_MIN 0.0005f   /* residual echo never assumed below -33 dB of the echo estimate */
#define LEAK_MAX 1.0f
#define LEAK_START 0.1f   /* until blocks without near-end speech teach it (double talk from the start keeps it) */
#define RESIDUAL_RATE 0.1f /* smoothing of the residual echo's spectrum, per block without near-end speech */
#define NEAR_RATIO 0.25f   /* error above a quarter of the microphone's energy: near-end speech (or not converged) */
#define LOCAL 0.2f
#define OVER 6.0f          /* residual echo over-estimated (7.8 dB) before it is suppressed */
#define GAIN_MIN 0.01f     /* suppression floor, -40 dB; comfort noise fills the rest */
#define FAR_ACTIVE 100.0f  /* far-end mean square (-50 dBFS) below which nothing adapts */
#define REGULARISE ((float)M * 1000.0f) /* added to the reference power when normalising */
#define FLOOR_SHARE 0.1f   /* ... and this share of the mean over the bins (-10 dB) */
#define CONSTRAIN_EVERY 2
#define FAR_SUM_BLOCKS 64  /* farSum summed afresh every 64 blocks (0.5 s at 16 kHz) */
#define START_SHARE 0.25f  /* until then the rate is at most this share of far-end / error energy */
#define COHERENCE_GAIN 2.0f /* coherence above one half counts as all echo */
#define COHERENCE_RATE 0.2f /* smoothing of the coherence's spectra, per block */
#define GOOD_RATIO 30.0f   /* error 15 dB below the microphone ... */
#define GOOD_MIC 1e5f      /* ... which is above -40 dBFS (mean square) ... */
#define GOOD_BLOCKS 8      /* ... for 8 blocks in a row (64 ms): the filter is copied to good[] */
#define QUIET_SHARE 0.25f  /* a block with less than a quarter of the tail's mean far-end energy is quiet */
#define WRONG_FALL 2       /* a filter that makes the microphone worse in most blocks with far-end sound ... */
#define WRONG_LIMIT 24     /* ... (wrongBlocks reaching 24: at least 0.19 s) is replaced as a divergent one is */
#define FLOOR_OVER 2.0f    /* the test for a wrong filter counts what the error and the microphone hold over twice the noise floor */
#define NEAR_STEP 8.0f     /* the step's error power counts the near-end's own steady floor this many times over */

enum { CHECKPOINT_NONE, CHECKPOINT_HELD, CHECKPOINT_RESTORED };

/* The comfort noise's random numbers: the state as a signed 32-bit integer, times 2^-31, is
 * uniform in [-1, 1) (the suppressor folds the 2^-31 into the amplitude, exactly). */
static uint32_t next_random(uint32_t seed)
{
	return seed * 1664525u + 1013904223u;
}

int ka_aec_init(void *state, int32_t sampleRate, int32_t flags)
{
	Aec *s = state;
	int k;
	if (sampleRate != 8000 && sampleRate != 16000) return -1;
	memset(s, 0, sizeof *s);
	s->sampleRate = sampleRate;
	s->seed = 0x2545f491u;
	s->suppress = !(flags & KA_AEC_LINEAR_ONLY);
	s->leak = LEAK_START;
	for (k = 0; k < BINS; k++) {
		int lo = k - SPREAD < 0 ? 0 : k - SPREAD, hi = k + SPREAD > N ? N : k + SPREAD;
		s->spreadScale[k] = (1.0f - LOCAL) / (float)(hi - lo + 1);
	}
	s->magic = MAGIC;
	return 0;
}

/* v rounded to the nearest integer (ties to even, as lrintf) and limited to 16 bits. Within
 * ±32,768, v + 1.5·2^23 lies in [2^23, 2^24), where the float's step is 1: the addition rounds,
 * and the low mantissa bits are the integer (offset by 2^22). No library call. */
static int16_t saturate(float v)
{
	uint32_t bits;
	if (v >= 32767.0f) return 32767;
	if (v <= -32768.0f) return -32768;
	v += 12582912.0f;
	memcpy(&bits, &v, sizeof bits);
	return (int16_t)((int32_t)bits - 0x4b400000);
}

/* √x for x > 0, to about 0.2 %, without a division or a square root (which the ESP32's FPU
 * computes in software): the reciprocal square root from the float's exponent, one Newton step,
 * times x. For comfort noise, whose level needs no more. */
static float root(float x)
{
	uint32_t bits;
	float y;
	memcpy(&bits, &x, sizeof bits);
	bits = 0x5f3759dfu - (bits >> 1);
	memcpy(&y, &bits, sizeof y);
	y *= 1.5f - 0.5f * x * y * y;
	return x * y;
}

/* The filter starts over: no taps, the start's learning rate, no checkpoint. */
static void start_over(Aec *s)
{
	memset(s->w, 0, sizeof s->w);
	s->adaptedBlocks = 0;
	s->leak = LEAK_START;
	s->echoShare = 0;
	memset(s->residual, 0, sizeof s->residual);
	s->checkpoint = CHECKPOINT_NONE;
}

/* The suppressor's gain for bin k: 1 - OVER residual echo / error within [GAIN_MIN, 1], but
 * never below what keeps the near-end's steady floor: a steady sound at the door (a tone, a fan)
 * is not echo, and comfort noise in its place loses it (the door's tone while the handset talked
 * went down by 10 dB in a half second where the filter, adapted on it, had taken the bin's
 * residual echo estimate up). */
static inline float suppressor_gain(float power, float echo, float noise)
{
	float error = power + 1.0f, g = 1.0f - OVER * echo / error, floor = noise / error;
	if (g < GAIN_MIN) g = GAIN_MIN;
	if (g * g < floor) g = floor >= 1.0f ? 1.0f : root(floor);
	return g > 1.0f ? 1.0f : g;
}

/*
 * Whether the error E holds more than the microphone D = E + Y over what is steady in each bin:
 * the parts of |E|² and |D|² above FLOOR_OVER times the noise floor. A steady sound at the door
 * (a hum, a tone) is in both: where it dominates, a filter slightly off there (it learns from
 * an error that holds the sound, and the block's rectangular window spreads a tone over many
 * bins) tips the whole block's comparison, although it cancels the echo elsewhere. With a
 * 440 Hz tone of amplitude 3000 at the microphone, 300 of 1,250 blocks passed the microphone on
 * the whole block and the filter was started over 5 times in 10 s; with the learning rate and
 * the suppressor below, 137 blocks and no restart, and 76 with this test too (a 200 Hz tone:
 * 210 blocks and 4 restarts, 147 and none; 10.0 and 16.6 dB ERLE). Above the floor, not only
 * over the bins where the microphone stands over it: those leave out every bin of a quiet block
 * after speech, where a filter gone wrong shows most (the end-to-end G.722 echo, whose filter
 * must start over once in the call's first second, came back only 21 dB less instead of 50).
 * Only asked when the whole block is worse.
 */
static int worse_above_floor(const Aec *s, const Spectrum *E, const Spectrum *Y)
{
	float error = 0, mic = 0;
	int k;
	for (k = 0; k < BINS; k++) {
		float er = E->re[k], ei = E->im[k], dr = er + Y->re[k], di = ei + Y->im[k], eb = er * er + ei * ei, db = dr * dr + di * di, n = FLOOR_OVER * s->noise[k];
		if (eb > n) error += eb - n;
		if (db > n) mic += db - n;
	}
	return error > mic;
}

/* One block: the reference's block at ringAt and micBlock in, N output samples into the output ring. */
static void process_block(Aec *s)
{
	Spectrum *X, *Y = &s->echo, *E = &s->error;
	float *t = s->time, *e = s->e;
	float farEnergy = 0, inEnergy = 0, micEnergy = 0, errorEnergy = 0, pe = 0, py = 0, farMean = 0, rate, rateShare;
	int bypass = 0;
	int i, k, p, active, learn, write, hold;

	/* The reference frame [previous block, this block] and its spectrum into x[0], the older
	 * ones one place on (a delay line, so that partition p's spectra sit at one offset in w[]
	 * and x[] and the filter runs a bin at a time over all partitions), the one that drops out
	 * into x[K], where the filter's pass finds it for the last partition's update and for
	 * farSum, Σ_p |X_p|², which loses its power as it gains x[0]'s (and is summed afresh every
	 * FAR_SUM_BLOCKS blocks, so that rounding cannot pile up). */
	X = &s->x[0];
	memmove(&s->x[1], &s->x[0], K * sizeof s->x[0]);
	/* The block as it came in (ka_aec_process put it in the ring), and the frame of the two
	 * blocks `hold` samples before it, as the reference (the hold and RING are whole blocks, so
	 * no block wraps), transformed from the ring as it lies. */
	{
		const int16_t *in = s->farRing + s->ringAt, *older, *newer;
		int at = s->ringAt - s->hold;
		if (s->hold > 0)
			for (i = 0; i < N; i++) {
				float v = (float)in[i];
				inEnergy += v * v;
			}
		s->ringAt = s->ringAt + N < RING ? s->ringAt + N : 0;
		newer = s->farRing + (at < 0 ? at + RING : at);
		at -= N;
		older = s->farRing + (at < 0 ? at + RING : at);
		for (i = 0; i < N; i++) {
			float v = (float)newer[i];
			farEnergy += v * v;
		}
		if (s->hold == 0) inEnergy = farEnergy; /* the same block */
		ka_fft_real_s16(older, newer, X->re, X->im);
	}
	active = farEnergy > FAR_ACTIVE * (float)N;
	s->farBlocks[s->farAt] = farEnergy;
	s->farAt = (s->farAt + 1) % K;

	/* Echo estimate Y = Σ W_p X_p (with the last block's update and farSum's on the way); the
	 * last N samples of its inverse are y. */
	if (s->stepped) update_filter(s->w[0].re, s->x[0].re, s->farSum, s->errorBin, s->echoBin, Y->re, Y->im);
	else filter(s->w[0].re, s->x[0].re, s->farSum, Y->re, Y->im);
	if (++s->sinceSum >= FAR_SUM_BLOCKS) {
		s->sinceSum = 0;
		memset(s->farSum, 0, sizeof s->farSum);
		for (p = 0; p < K; p++) add_power(s->farSum, s->x[p].re, s->x[p].im);
	}
	ka_ifft_real_half(Y->re, Y->im, 1, t, &s->fft);
	for (i = 0; i < N; i++) {
		float d = (float)s->micBlock[i];
		e[i] = d - t[i];
		micEnergy += d * d;
		errorEnergy += e[i] * e[i];
	}
	/* y's spectrum as the error's is taken, FFT([0, y]): what the suppressor compares; and the
	 * error's, E = FFT([0, e]), which the test for a wrong filter needs (the microphone's is
	 * E + Y). */
	ka_fft_real_half(t, 1, Y->re, Y->im);
	ka_fft_real_half(e, 1, E->re, E->im);

	/* A filter that adds to the microphone signal is wrong (adapted on near-end sound, e.g. a
	 * tone against a tone, or left behind by a change of the echo path): the microphone passes
	 * (but for the bins the filter still makes smaller, see below), and a filter wrong by 6 dB
	 * for three blocks in a row is replaced. A clipping
	 * speaker's distortion leaves noise in the taps that shows as such an error in the quiet
	 * blocks after a loud passage, while the filter is still right for the echo; after a change
	 * of the echo path it is wrong for good. So the replacement is first the checkpoint, the
	 * last filter whose error stayed 15 dB below the microphone for 64 ms, and the filter starts
	 * over (which lets about a second of echo through) only when there is none, or when the
	 * restored one in turn does worse than no filter (error above the microphone for three
	 * blocks) while the far end plays. Quiet blocks (under a quarter of the tail's mean far-end
	 * energy) do not count for K blocks after a restore, nor while there is no checkpoint: the
	 * reference spectra in the tail still hold the loud passage, whose echo the room lets die
	 * away within a few blocks, while a filter still learning (some 20 dB down) goes on
	 * predicting its part of it. Such blocks made the end-to-end echo 150 ms late start over
	 * 1.9 s into the call, as its start ended, and come back about 23 dB less in most runs
	 * instead of 44 (the path change as loud: 20.8 dB from 6 s, 27.4 now). A filter never good
	 * yet (a call's first second) still starts over when it does worse in blocks with far-end
	 * sound. Starting over every time held the clipping speaker at 24 dB ERLE (40 dB with the
	 * checkpoint) and the end-to-end G.722 room echo at about 24 dB less in half the runs (about
	 * 50 dB with it).
	 *
	 * A new echo path about as loud as the old one (the box moved, or something large now stands
	 * before it) makes an error only about twice the microphone's: never wrong by 6 dB, yet wrong
	 * in nearly every block, and the filter, whose learning rate takes that error for near-end
	 * speech, would not learn the new path for seconds. So a filter that made the microphone
	 * worse in most blocks with far-end sound for 0.19 s is replaced too. A loud near-end tone
	 * that the filter has adapted on makes about every second block pass (wrongBlocks falls by
	 * two in each that does not), and is left to the learning rate.
	 *
	 * Worse means worse above the noise floor (worse_above_floor): a steady sound at the door
	 * is not the filter's to judge. */
	if (errorEnergy > micEnergy && worse_above_floor(s, E, Y)) {
		float tail = 0, wrong = 4.0f;
		int quiet;
		for (p = 0; p < K; p++) tail += s->farBlocks[p];
		quiet = farEnergy * (float)K < QUIET_SHARE * tail;
		if (s->checkpoint == CHECKPOINT_RESTORED && !quiet) wrong = 1.0f;
		if (active) s->wrongBlocks++;
		if ((errorEnergy > wrong * micEnergy + 1e4f * (float)N && !(quiet && (s->settling > 0 || s->checkpoint != CHECKPOINT_HELD)) && ++s->divergent >= 3) || s->wrongBlocks >= WRONG_LIMIT) {
			if (s->checkpoint == CHECKPOINT_HELD) {
				memcpy(s->w, s->good, sizeof s->w);
				s->checkpoint = CHECKPOINT_RESTORED;
				s->settling = K;
			} else {
				s->counts[KA_AEC_COUNT_RESTARTS]++;
				start_over(s);
			}
			s->divergent = 0;
			s->wrongBlocks = 0;
		}
		for (i = 0; i < N; i++) e[i] = (float)s->micBlock[i];
		bypass = 1;
		s->counts[KA_AEC_COUNT_PASSED]++;
	} else {
		s->divergent = 0;
		if (active) s->wrongBlocks = s->wrongBlocks > WRONG_FALL ? s->wrongBlocks - WRONG_FALL : 0;
	}
	if (s->settling > 0) s->settling--;
	/* The checkpoint: at most every GOOD_BLOCKS blocks, while the error stays well below the
	 * microphone (an 8.4 KB copy), and not before the filter's first START_BLOCKS: a filter
	 * still starting can look good for a moment and yet be one to start over from. */
	if (errorEnergy * 4.0f > micEnergy) s->goodBlocks = 0;
	else if (active && s->adaptedBlocks >= START_BLOCKS && errorEnergy * GOOD_RATIO < micEnergy && micEnergy > GOOD_MIC * (float)N && ++s->goodBlocks >= GOOD_BLOCKS) {
		memcpy(s->good, s->w, sizeof s->good);
		s->checkpoint = CHECKPOINT_HELD;
		s->goodBlocks = 0;
	}

	/* One pass over the bins: |E|², |Y|², the smoothed error power and the near-end noise floor
	 * (which follows dips at once and rises by 5 dB a second), and the coherence of the
	 * microphone D = E + Y (which E becomes when the microphone passed) with the far end in the
	 * partition the echo arrives in (the filter's strongest): near 1 where the microphone is
	 * echo, near 0 where it is near-end sound the far end does not explain, which the
	 * suppressor must leave alone. cy (in coherent[]) is the echo estimate's part coherent with
	 * the microphone.
	 *
	 * The near-end's own steady sound (nearFloor) is the noise floor as it was in the last
	 * block whose filter tail held no far-end sound (all K blocks under FAR_ACTIVE), and at
	 * most the floor now (which follows dips at once, so it falls when that sound stops): the
	 * floor alone cannot tell it from echo, since while the far end plays steady noise the
	 * error's floor is the residual echo, which the filter has still to learn. */
	{
		int strongest = 0, farQuiet = 1;
		const Spectrum *xs;
		float *cy = s->coherent + SPREAD;
		for (p = 0; p < K; p++) {
			if (s->wEnergy[p] > s->wEnergy[strongest]) strongest = p;
			if (s->farBlocks[p] > FAR_ACTIVE * (float)N) farQuiet = 0;
		}
		xs = &s->x[strongest];
		if (bypass)
			for (k = 0; k < BINS; k++) {
				E->re[k] += Y->re[k];
				E->im[k] += Y->im[k];
			}
		for (k = 0; k < BINS; k++) {
			float er = E->re[k], ei = E->im[k], yr = Y->re[k], yi = Y->im[k], xr = xs->re[k], xi = xs->im[k];
			float eb = er * er + ei * ei, yb = yr * yr + yi * yi, n = s->noise[k];
			float dr = bypass ? er : er + yr, di = bypass ? ei : ei + yi, far, mic, cr, ci, cross, c;
			far = s->farPower[k] += COHERENCE_RATE * (xr * xr + xi * xi - s->farPower[k]);
			mic = s->micPower[k] += COHERENCE_RATE * (dr * dr + di * di - s->micPower[k]);
			cr = s->crossRe[k] += COHERENCE_RATE * (dr * xr + di * xi - s->crossRe[k]);
			ci = s->crossIm[k] += COHERENCE_RATE * (di * xr - dr * xi - s->crossIm[k]);
			/* coherence = COHERENCE_GAIN |cross|² / (far mic), at most 1 */
			cross = COHERENCE_GAIN * (cr * cr + ci * ci);
			c = far * mic + 1.0f;
			cy[k] = cross < c ? cross * yb / c : yb;
			s->errorBin[k] = eb;
			s->echoBin[k] = yb;
			s->errorPower[k] += 0.5f * (eb - s->errorPower[k]);
			s->noise[k] = n = eb < n || n <= 0 ? n + 0.3f * (eb - n) : n * 1.01f;
			if (n < s->nearFloor[k]) s->nearFloor[k] = n;
			pe += eb;
			py += cy[k];
			farMean += s->farSum[k] > 0 ? s->farSum[k] : 0;
		}
		if (farQuiet) memcpy(s->nearFloor, s->noise, sizeof s->nearFloor);
	}

	/* The leak: the residual echo's share of the echo estimate's power, learnt only from blocks
	 * whose error is small next to the microphone signal, i.e. without near-end speech. Double
	 * talk leaves it as it was, and so leaves the learning rate and the suppression low. */
	learn = active && py > 0 && errorEnergy < NEAR_RATIO * micEnergy;
	if (learn) {
		float leak = s->leak + 0.3f * (pe / py - s->leak);
		s->leak = leak < LEAK_MIN ? LEAK_MIN : leak > LEAK_MAX ? LEAK_MAX : leak;
		s->echoShare += RESIDUAL_RATE * (py - s->echoShare);
	}

	/* Per-bin learning rate: the residual echo's share of the error (small when the error is
	 * mostly near-end speech), normalised by the reference energy over the filter's tail. A bin
	 * where the far end is weak next to the others holds (almost) no echo to learn, but
	 * normalised by its own power alone it would learn at full speed from whatever the
	 * microphone has there, e.g. a near-end tone against the leakage of a far-end one. */
	farMean = FLOOR_SHARE * farMean / (float)BINS + REGULARISE;
	/* Until the residual echo is known, the learning rate is capped by how much of the error
	 * the far end could explain: a microphone far louder than the speaker is near-end sound. */
	if (s->adaptedBlocks < START_BLOCKS) {
		rate = START_SHARE * farEnergy / (errorEnergy + 1.0f);
		if (rate > MU_START) rate = MU_START;
		rateShare = 0;
	} else rate = MU_MAX, rateShare = MU_SCALE * s->leak;

	/* The residual echo estimate: the leak times the echo estimate, most of it spread over
	 * SPREAD bins either side (a clipping speaker's distortion lands beside the echo), or where
	 * more, the residual echo's spectrum as learnt without near-end speech, scaled by how loud the
	 * echo is now: a clipping speaker's distortion lands on harmonics far from the echo too.
	 * In the same pass, the step of the filter's update W_p += mu E conj(X_p), mu = the rate
	 * (rateShare |Y|² / |E|², at most MU_MAX, once the residual echo is known) over the
	 * reference power plus farMean: the next block's filter pass makes the update as it reads
	 * W and X anyway.
	 *
	 * The error power the step divides by counts the near-end's own steady sound NEAR_STEP
	 * times over. E holds that sound in every block, in its bins and, spread by the block's
	 * rectangular window, in every second bin far from them (a 440 Hz tone: about 38 dB under
	 * its peak at 2 kHz), and the rate, whose leak such blocks inflate too, learnt it as echo
	 * in every block: the filter stayed noisy everywhere, and the speech scene with a tone of
	 * amplitude 3000 had 8.7 dB ERLE (19.6 with this; 22.7 and 27.5 with a tone of 1000). Not
	 * noise[]: far-end noise keeps that at the residual echo, which the filter must learn at
	 * full speed (counting noise[] 4 times over, the noise scene fell from 58 to 47 dB). */
	{
		float sum = 0, scale = s->echoShare > 0 ? py / s->echoShare : 0;
		const float *cy = s->coherent + SPREAD; /* bins -SPREAD.. and ..N + SPREAD + 1 there, 0 beyond 0..N */
		for (k = 0; k <= SPREAD; k++) sum += cy[k];
		for (k = 0; k < BINS; k++) {
			float r = s->leak * (LOCAL * cy[k] + s->spreadScale[k] * sum), learnt, eb = s->errorBin[k];
			if (learn) {
				/* what the error holds above the near-end's steady floor (a tone or a fan at the
				 * door is not echo) */
				float above = eb > s->noise[k] ? eb - s->noise[k] : 0;
				s->residual[k] += RESIDUAL_RATE * (above - s->residual[k]);
			}
			learnt = scale * s->residual[k];
			if (learnt > r) r = learnt;
			s->echoPower[k] += 0.5f * (r - s->echoPower[k]);
			sum += cy[k + SPREAD + 1];
			sum -= cy[k - SPREAD];
			if (active) {
				/* min(rateShare yb / (eb + 1), rate) / (x + farMean), the division by eb + 1 plus
				 * the near-end floor: one division */
				float x = s->farSum[k] > 0 ? s->farSum[k] : 0, e1 = eb + 1.0f, share = rateShare > 0 ? rateShare * s->echoBin[k] : rate * e1, m;
				m = (share < rate * e1 ? share : rate * e1) / ((e1 + NEAR_STEP * s->nearFloor[k]) * (x + farMean));
				s->errorBin[k] = m * E->re[k]; /* the step, for the next block's filter pass */
				s->echoBin[k] = m * E->im[k];
			}
		}
	}
	s->stepped = active;
	if (active) {
		if (s->adaptedBlocks < START_BLOCKS) s->adaptedBlocks++;
		/* One partition every CONSTRAIN_EVERY blocks back to N taps (the partitions take turns;
		 * the step just found reaches it with the next block's filter pass). */
		if (++s->sinceConstraint >= CONSTRAIN_EVERY) {
			s->sinceConstraint = 0;
			ka_ifft_real_half(s->w[s->turn].re, s->w[s->turn].im, 0, t, &s->fft);
			s->wEnergy[s->turn] = 0;
			for (i = 0; i < N; i++) s->wEnergy[s->turn] += t[i] * t[i];
			ka_fft_real_half(t, 0, s->w[s->turn].re, s->w[s->turn].im);
			s->turn = (s->turn + 1) % K;
		}
	}

	/* Residual echo suppression with comfort noise, then back to the time domain. The gains
	 * (suppressor_gain) are smoothed across frequency (1/4, 1/2, 1/4: fewer musical tones, a
	 * shorter impulse response), but a bin the smoothing would take under its noise floor
	 * keeps its own gain (which is at least that); the comfort noise fills what the bin kept
	 * lacks of the noise floor, with uniform random parts (× 3: 2 for the half of the block
	 * kept, 1.5 for the uniform pair). A steady tone's spread over every second bin (the
	 * block's window; the bins between are nearly empty and suppressed) otherwise lost up to
	 * half its gain to its neighbours, and comfort noise took the place of what it lost: the
	 * speech scene with a 440 Hz tone of amplitude 3000 at the door had 13.4 dB ERLE with the
	 * tone fitted out (19.6 with this; 22.8 and 27.5 with a tone of 1000). Not when the
	 * microphone passed: the residual echo estimate then comes from
	 * a filter just found wrong, whose echo estimate is what it adds, and suppressing by it took
	 * a steady near-end sound down by up to 40 dB in those blocks (the door's tone in double
	 * talk end to end: a half second 6.5 dB down; many blocks pass while a loud near-end tone
	 * keeps the filter from settling: about half of them before the steady sound was told
	 * apart from echo, about one in six now). */
	if (s->suppress && !bypass) {
		{
			/* each bin's error power and noise floor are read once, for its gain, and kept
			 * for its shape two bins on (E's stores would otherwise load them again) */
			const float *restrict power = s->errorPower, *restrict echo = s->echoPower, *restrict noise = s->noise;
			float *restrict re = E->re, *restrict im = E->im;
			float g0, g1, g2, p1 = power[0], p2 = power[1], n1 = noise[0], n2 = noise[1], smooth;
			uint32_t seed = s->seed;
#define SHAPE(k) \
			smooth = 0.25f * (g0 + g2) + 0.5f * g1; \
			if (smooth * smooth * (p1 + 1.0f) < n1) smooth = g1; \
			re[k] *= smooth; \
			im[k] *= smooth;
			g1 = suppressor_gain(p1, echo[0], n1);
			g2 = suppressor_gain(p2, echo[1], n2);
			g0 = g1; /* bin 0: 3/4 g(0) + 1/4 g(1) */
			SHAPE(0)
			for (k = 1; k < N; k++) {
				float fill;
				g0 = g1;
				g1 = g2;
				p1 = p2;
				n1 = n2;
				p2 = power[k + 1];
				n2 = noise[k + 1];
				g2 = suppressor_gain(p2, echo[k + 1], n2);
				SHAPE(k)
				fill = (n1 - smooth * smooth * p1) * 3.0f;
				if (fill > 0) {
					float amplitude = root(fill) * (1.0f / 2147483648.0f);
					seed = next_random(seed);
					re[k] += amplitude * (float)(int32_t)seed;
					seed = next_random(seed);
					im[k] += amplitude * (float)(int32_t)seed;
				}
			}
			g0 = g1;
			g1 = g2; /* bin N: 1/4 g(N - 1) + 3/4 g(N) */
			p1 = p2;
			n1 = n2;
			SHAPE(N)
#undef SHAPE
			s->seed = seed;
		}
		ka_ifft_real_half(E->re, E->im, 1, e, &s->fft);
	} else if (s->suppress) {
		/* The microphone passed: E holds its spectrum D, Y the echo estimate's. A filter wrong
		 * as a whole can still be right in most bins (a loud near-end tone or a clipping
		 * speaker's distortion spoils it in a few): each bin where D - Y is smaller than D takes
		 * it, the others keep the microphone, none is suppressed. Where no bin is better, the
		 * microphone passes sample for sample. */
		int better = 0;
		for (k = 0; k < BINS; k++) {
			float dr = E->re[k], di = E->im[k], er = dr - Y->re[k], ei = di - Y->im[k];
			if (er * er + ei * ei < dr * dr + di * di) {
				E->re[k] = er;
				E->im[k] = ei;
				better++;
			}
		}
		if (better) ka_ifft_real_half(E->re, E->im, 1, e, &s->fft);
	}

	/* into the ring from `write` on, in at most two runs (the ring is two blocks long) */
	write = (s->outRead + s->outCount) & (2 * N - 1);
	{
		int16_t *ring = s->outRing + write;
		int run = 2 * N - write < N ? 2 * N - write : N;
		for (i = 0; i < run; i++) ring[i] = saturate(e[i]);
		for (; i < N; i++) s->outRing[i - run] = saturate(e[i]);
	}
	s->outCount += N;
	s->counts[KA_AEC_COUNT_BLOCKS]++;

	/* A new hold: the filter starts over from an empty reference (its spectra and taps were of
	 * the old hold). The hold moves only while the filter is not cancelling, and a filter kept
	 * and shifted by the hold's change in whole partitions did worse than one started over: it
	 * keeps what it learnt from an echo it could not reach, and the slow rate of a filter past
	 * its start (the speech scene with an echo 50 ms late: 38.9 dB instead of 51.7). */
	hold = ka_align_block(&s->align, inEnergy, inEnergy > FAR_ACTIVE * (float)N, micEnergy, errorEnergy, active, s->hold);
	if (hold != s->hold) {
		s->hold = hold;
		start_over(s);
		memset(s->x, 0, sizeof s->x);
		memset(s->farSum, 0, sizeof s->farSum);
		memset(s->wEnergy, 0, sizeof s->wEnergy);
		s->stepped = 0;
		s->divergent = s->wrongBlocks = s->goodBlocks = 0;
	}
}

int ka_aec_process(void *state, const int16_t *far, const int16_t *mic, int16_t *out, size_t count)
{
	Aec *s = state;
	if (s->magic != MAGIC) return -1;
	while (count > 0) {
		size_t piece = (size_t)(N - s->fill), run;
		if (piece > count) piece = count;
		memcpy(s->farRing + s->ringAt + s->fill, far, piece * sizeof *far);
		memcpy(s->micBlock + s->fill, mic, piece * sizeof *mic);
		s->fill += (int32_t)piece;
		if (s->fill == N) {
			process_block(s);
			s->fill = 0;
		}
		far += piece;
		mic += piece;
		count -= piece;
		/* The output runs `delay` samples behind the input: as little as the block size and
		 * the caller's piece sizes allow, found on the way (silence fills the gap once). */
		if ((size_t)s->outCount < piece) {
			size_t gap = piece - (size_t)s->outCount;
			s->delay += (int32_t)gap;
			memset(out, 0, gap * sizeof *out);
			out += gap;
			piece -= gap;
		}
		/* out of the ring in at most two runs */
		run = (size_t)(2 * N - s->outRead);
		if (run > piece) run = piece;
		memcpy(out, s->outRing + s->outRead, run * sizeof *out);
		memcpy(out + run, s->outRing, (piece - run) * sizeof *out);
		s->outRead = (s->outRead + (int32_t)piece) & (2 * N - 1);
		s->outCount -= (int32_t)piece;
		out += piece;
	}
	return 0;
}

int32_t ka_aec_delay(const void *state)
{
	const Aec *s = state;
	return s->magic == MAGIC ? s->delay : -1;
}

int32_t ka_aec_count(const void *state, int which)
{
	const Aec *s = state;
	if (s->magic != MAGIC || which < 0 || which >= KA_AEC_COUNTS) return -1;
	return which == KA_AEC_COUNT_DELAY ? s->hold : s->counts[which];
}
