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
 * learning rate is held to what the far end's energy could explain of the error.
 *
 * Arithmetic: float32 throughout. The ESP32-S3's LX7 has a single-precision FPU (one-cycle
 * multiply-add), and an adaptive filter's coefficients, powers and step sizes span far more
 * range than 16 or 32-bit fixed point holds without block scaling in every stage; float32 keeps
 * the code short and the numbers checkable. Double precision would be software-emulated there:
 * every constant is a float literal and the Makefile builds this file with -Wdouble-promotion.
 *
 * Cost per block: 4 real FFTs of 2 * KA_AEC_BLOCK points (reference, echo estimate in and out,
 * error) and the output's inverse, every second block one partition's gradient constraint (2
 * more, the partitions take turns), the filter and its update (KA_AEC_PARTITIONS complex
 * multiply-adds per bin each). Per 20 ms frame (callgrind, x86-64 -O2): about 320,000
 * instructions built with -fno-tree-vectorize as for the ESP32's compiler (the FFTs about
 * 113,000 of them; 402,000 and 197,000 with the radix-2 FFT before fft.c), about 180,000 where
 * gcc vectorises the per-bin loops and the FFT's middle passes.
 *
 * The state holds no pointer (the XS binding's state lives in a movable ArrayBuffer).
 */
#include <math.h>
#include <string.h>

#include "fft.h"
#include "klingel_audio.h"

#define N KA_AEC_BLOCK       /* samples per block */
#define M (2 * N)            /* FFT length */
#define BINS (N + 1)         /* bins 0..N of a real M-point spectrum */
#define PAD (N + 4)          /* per-bin arrays and loops run to a multiple of 4 (bins past N stay 0), so a compiler may vectorise them */
#define K KA_AEC_PARTITIONS
#if KA_FFT_POINTS != N
#error "the FFT's real transforms are of two blocks"
#endif

#define MAGIC 0x41454331u /* "AEC1" */

typedef struct {
	float re[PAD];
	float im[PAD];
} Spectrum;

typedef struct {
	uint32_t magic;
	int32_t sampleRate;
	uint32_t seed;
	int32_t head;         /* newest reference spectrum in x[] */
	int32_t turn;         /* partition constrained next */
	int32_t sinceConstraint; /* adapted blocks since a partition was last constrained */
	int32_t fill;         /* samples in farBlock/micBlock */
	int32_t outRead;      /* output ring: next sample to hand out */
	int32_t outCount;     /* processed samples waiting in the ring */
	int32_t delay;        /* samples of delay the output runs behind the input */
	int32_t adaptedBlocks; /* blocks adapted with far-end signal present */
	int32_t divergent;    /* consecutive blocks with more error than microphone */
	float errorSlow;      /* error and microphone energy per block, smoothed over about the filter's length */
	float micSlow;
	float echoShare;      /* smoothed coherent echo estimate power (py) over blocks without near-end speech */
	int32_t suppress;     /* residual echo suppression and comfort noise on */
	float leak;           /* residual echo power / echo estimate power, from blocks without near-end speech */
	float wEnergy[K];     /* each partition's tap energy, found when it is constrained */
	KaFftWork fft;        /* the inverse FFT's working space */
	int16_t farPrevious[N];
	int16_t farBlock[N];
	int16_t micBlock[N];
	int16_t outRing[2 * N];
	float errorPower[PAD]; /* smoothed |E|² */
	float echoPower[PAD];  /* smoothed residual echo estimate */
	float gain[PAD];       /* the suppressor's smoothed gains (before them, scratch) */
	float spreadScale[BINS]; /* (1 - LOCAL) / the bins in the spread around each bin */
	float noise[PAD];       /* near-end noise floor */
	float errorBin[PAD];    /* |E|² */
	float farSum[PAD];     /* Σ_p |X_p|²: the reference power over the filter's tail */
	Spectrum x[K];
	Spectrum w[K];
	Spectrum echo;        /* the echo estimate Y, as filtered and then as FFT([0, y]) */
	Spectrum error;       /* E = FFT([0, e]), then the output */
	float time[M];
	float e[N];
	float mu[PAD];        /* the block's learning rates, then the suppression gains */
	float echoBin[PAD];   /* |FFT([0, y])|² */
	float farPower[PAD]; /* smoothed |X|² of the partition the echo arrives in */
	float micPower[PAD]; /* smoothed |D|², D = FFT([0, d]) */
	float crossRe[PAD];  /* smoothed D conj(X) */
	float crossIm[PAD];
	float coherence[PAD]; /* |crossRe + i crossIm|² / (farPower micPower): how much of the microphone the far end explains */
	float residual[PAD];  /* smoothed |E|² over the same blocks: the residual echo's spectrum, nonlinear part included */
} Aec;

size_t ka_aec_state_bytes(void)
{
	return sizeof(Aec);
}

/* ---- per-bin loops over PAD bins ---- */

/* y += w x */
static void multiply_add(float *restrict yr, float *restrict yi, const float *restrict wr, const float *restrict wi, const float *restrict xr, const float *restrict xi)
{
	int k;
	for (k = 0; k < PAD; k++) {
		yr[k] += wr[k] * xr[k] - wi[k] * xi[k];
		yi[k] += wr[k] * xi[k] + wi[k] * xr[k];
	}
}

/* w += mu e conj(x) */
static void update(float *restrict wr, float *restrict wi, const float *restrict mu, const float *restrict er, const float *restrict ei, const float *restrict xr, const float *restrict xi)
{
	int k;
	for (k = 0; k < PAD; k++) {
		wr[k] += mu[k] * (er[k] * xr[k] + ei[k] * xi[k]);
		wi[k] += mu[k] * (ei[k] * xr[k] - er[k] * xi[k]);
	}
}

/* p += |x|² (sign 1) or p -= |x|² (sign -1) */
static void add_power(float *restrict power, const float *restrict xr, const float *restrict xi, float sign)
{
	int k;
	for (k = 0; k < PAD; k++) power[k] += sign * (xr[k] * xr[k] + xi[k] * xi[k]);
}

/* ---- the canceller ---- */

#define MU_START 1.0f      /* learning rate until the residual echo estimate is trusted */
#define START_BLOCKS 60    /* blocks with far-end signal before it is (0.48 s at 16 kHz) */
#define MU_MAX 1.0f        /* largest learning rate afterwards */
#define MU_SCALE 4.0f      /* learning rate = MU_SCALE * residual echo / error power, per bin */
#define LEAK_MIN 0.0005f   /* residual echo never assumed below -33 dB of the echo estimate */
#define LEAK_MAX 1.0f
#define LEAK_START 0.1f
#define RESIDUAL_RATE 0.1f /* smoothing of the residual echo's spectrum, per block without near-end speech */
#define SLOW_RATE 0.25f    /* smoothing of the energies that tell a wrong filter, per block (about 4 blocks) */   /* until blocks without near-end speech teach it (double talk from the start keeps it) */
#define NEAR_RATIO 0.25f   /* error above a quarter of the microphone's energy: near-end speech (or not converged) */
#define SPREAD 8           /* bins either side over which 80 % of the residual echo estimate is spread */
#define LOCAL 0.2f
#define OVER 6.0f          /* residual echo over-estimated (7.8 dB) before it is suppressed */
#define GAIN_MIN 0.01f     /* suppression floor, -40 dB; comfort noise fills the rest */
#define FAR_ACTIVE 100.0f  /* far-end mean square (-50 dBFS) below which nothing adapts */
#define REGULARISE ((float)M * 1000.0f) /* added to the reference power when normalising */
#define FLOOR_SHARE 0.1f   /* ... and this share of the mean over the bins (-10 dB) */
#define CONSTRAIN_EVERY 2
#define START_SHARE 0.25f  /* until then the rate is at most this share of far-end / error energy */
#define COHERENCE_GAIN 2.0f /* coherence above one half counts as all echo */
#define COHERENCE_RATE 0.2f /* smoothing of the coherence's spectra, per block */

static uint32_t next_random(Aec *s)
{
	s->seed = s->seed * 1664525u + 1013904223u;
	return s->seed;
}

/* Uniform in [-1, 1). */
static float random_unit(Aec *s)
{
	return (float)(int32_t)next_random(s) * (1.0f / 2147483648.0f);
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

static int16_t saturate(float v)
{
	if (v >= 32767.0f) return 32767;
	if (v <= -32768.0f) return -32768;
	return (int16_t)lrintf(v);
}

/* The smoothed spectra of the coherence between the microphone D and the reference X, and the
 * coherence itself, capped at 1. */
static void coherence(float *restrict far, float *restrict mic, float *restrict crossRe, float *restrict crossIm, float *restrict out, const float *restrict dr, const float *restrict di, const float *restrict xr, const float *restrict xi)
{
	int k;
	for (k = 0; k < PAD; k++) {
		float c;
		far[k] += COHERENCE_RATE * (xr[k] * xr[k] + xi[k] * xi[k] - far[k]);
		mic[k] += COHERENCE_RATE * (dr[k] * dr[k] + di[k] * di[k] - mic[k]);
		crossRe[k] += COHERENCE_RATE * (dr[k] * xr[k] + di[k] * xi[k] - crossRe[k]);
		crossIm[k] += COHERENCE_RATE * (di[k] * xr[k] - dr[k] * xi[k] - crossIm[k]);
		c = COHERENCE_GAIN * (crossRe[k] * crossRe[k] + crossIm[k] * crossIm[k]) / (far[k] * mic[k] + 1.0f);
		out[k] = c < 1.0f ? c : 1.0f;
	}
}

/* a += b */
static void add(float *restrict a, const float *restrict b)
{
	int k;
	for (k = 0; k < PAD; k++) a[k] += b[k];
}

/* p = |x|² */
static void power(float *restrict p, const float *restrict xr, const float *restrict xi)
{
	int k;
	for (k = 0; k < PAD; k++) p[k] = xr[k] * xr[k] + xi[k] * xi[k];
}

/* Per-bin learning rates normalised by the reference power over the tail (plus `floor`): `rate`
 * alone while echo is null, else rate * echo / error, at most MU_MAX (the residual echo's share
 * of the error: small when the error is mostly near-end speech). */
static void rates(float *restrict mu, const float *restrict farSum, float floor, const float *restrict echo, const float *restrict error, float rate)
{
	int k;
	for (k = 0; k < PAD; k++) {
		float r = echo ? rate * echo[k] / (error[k] + 1.0f) : rate, x = farSum[k] > 0 ? farSum[k] : 0;
		mu[k] = (r < MU_MAX ? r : MU_MAX) / (x + floor);
	}
}

/* The smoothed error power, and the near-end noise floor: it follows dips at once and rises by
 * 5 dB a second. */
static void floors(float *restrict errorPower, float *restrict noise, const float *restrict error)
{
	int k;
	for (k = 0; k < PAD; k++) {
		float ep = error[k], n = noise[k];
		errorPower[k] += 0.5f * (ep - errorPower[k]);
		noise[k] = ep < n || n <= 0 ? n + 0.3f * (ep - n) : n * 1.01f;
	}
}

/* a = b c */
static void product(float *restrict a, const float *restrict b, const float *restrict c)
{
	int k;
	for (k = 0; k < PAD; k++) a[k] = b[k] * c[k];
}

/* The suppressor's gains: 1 - OVER residual echo / error, within [GAIN_MIN, 1]. */
static void gains(float *restrict g, const float *restrict errorPower, const float *restrict echoPower)
{
	int k;
	for (k = 0; k < PAD; k++) {
		float gain = 1.0f - OVER * echoPower[k] / (errorPower[k] + 1.0f);
		g[k] = gain < GAIN_MIN ? GAIN_MIN : gain > 1.0f ? 1.0f : gain;
	}
}

/* (re, im) *= g */
static void scale(float *restrict re, float *restrict im, const float *restrict g)
{
	int k;
	for (k = 0; k < PAD; k++) {
		re[k] *= g[k];
		im[k] *= g[k];
	}
}

/* One block: farBlock (the reference) and micBlock in, N output samples into the ring. */
static void process_block(Aec *s)
{
	Spectrum *X, *Y = &s->echo, *E = &s->error;
	float *t = s->time, *e = s->e, *mu = s->mu;
	float farEnergy = 0, micEnergy = 0, errorEnergy = 0, pe = 0, py = 0, farMean = 0, startRate;
	int bypass = 0;
	int i, k, p, active, write;

	/* The reference frame [previous block, this block] and its spectrum, newest in x[head];
	 * farSum, Σ_p |X_p|², loses the spectrum it replaces (and is summed afresh once a round,
	 * so that rounding cannot pile up). */
	s->head = (s->head + 1) % K;
	X = &s->x[s->head];
	add_power(s->farSum, X->re, X->im, -1.0f);
	for (i = 0; i < N; i++) {
		float v = (float)s->farBlock[i];
		t[i] = (float)s->farPrevious[i];
		t[N + i] = v;
		farEnergy += v * v;
	}
	memcpy(s->farPrevious, s->farBlock, sizeof s->farPrevious);
	ka_fft_real(t, X->re, X->im);
	active = farEnergy > FAR_ACTIVE * (float)N;
	if (s->head == 0) {
		memset(s->farSum, 0, sizeof s->farSum);
		for (p = 0; p < K; p++) {
			add_power(s->farSum, s->x[p].re, s->x[p].im, 1.0f);
		}
	} else {
		add_power(s->farSum, X->re, X->im, 1.0f);
	}

	/* Echo estimate Y = Σ W_p X_{head-p}; the last N samples of its inverse are y. */
	memset(Y, 0, sizeof *Y);
	for (p = 0; p < K; p++) {
		const Spectrum *xp = &s->x[(s->head - p + K) % K], *wp = &s->w[p];
		multiply_add(Y->re, Y->im, wp->re, wp->im, xp->re, xp->im);
	}
	ka_ifft_real_half(Y->re, Y->im, 1, t, &s->fft);
	for (i = 0; i < N; i++) {
		float d = (float)s->micBlock[i];
		e[i] = d - t[i];
		micEnergy += d * d;
		errorEnergy += e[i] * e[i];
	}
	/* y's spectrum as the error's is taken, FFT([0, y]): what the suppressor compares. */
	ka_fft_real_half(t, 1, Y->re, Y->im);

	/* A filter that adds to the microphone signal is wrong (adapted on near-end sound, e.g. a
	 * tone against a tone): the microphone passes as it is, and a filter wrong by 6 dB for three
	 * blocks in a row starts over, if its error is also above half the microphone's energy over
	 * the last few blocks. A filter that is right while the far end is loud can be wrong by more
	 * in the quiet blocks after it (a clipping speaker's distortion leaves noise in its taps);
	 * starting over there cost seconds of echo. */
	s->errorSlow += SLOW_RATE * (errorEnergy - s->errorSlow);
	s->micSlow += SLOW_RATE * (micEnergy - s->micSlow);
	if (errorEnergy > micEnergy) {
		if (errorEnergy > 4.0f * micEnergy + 1e4f * (float)N && 2.0f * s->errorSlow > s->micSlow && ++s->divergent >= 3) {
			memset(s->w, 0, sizeof s->w);
			s->adaptedBlocks = 0;
			s->divergent = 0;
			s->leak = LEAK_START;
			s->echoShare = 0;
			memset(s->residual, 0, sizeof s->residual);
		}
		for (i = 0; i < N; i++) e[i] = (float)s->micBlock[i];
		bypass = 1;
	} else s->divergent = 0;

	/* Error spectrum E = FFT([0, e]). */
	ka_fft_real_half(e, 1, E->re, E->im);
	power(s->echoBin, Y->re, Y->im);
	power(s->errorBin, E->re, E->im);
	for (k = 0; k < BINS; k++) {
		pe += s->errorBin[k];
	}

	/* Coherence of the microphone with the far end in the partition the echo arrives in (the
	 * filter's strongest): near 1 where the microphone is echo, near 0 where it is near-end
	 * sound the far end does not explain, which the suppressor must leave alone. */
	{
		int strongest = 0;
		const Spectrum *xs;
		for (p = 1; p < K; p++)
			if (s->wEnergy[p] > s->wEnergy[strongest]) strongest = p;
		xs = &s->x[(s->head - strongest + K) % K];
		/* D = E + Y (or E when the microphone passed); Y is not needed after echoBin */
		if (bypass) memcpy(Y, E, sizeof *Y);
		else {
			add(Y->re, E->re);
			add(Y->im, E->im);
		}
		coherence(s->farPower, s->micPower, s->crossRe, s->crossIm, s->coherence, Y->re, Y->im, xs->re, xs->im);
	}

	/* The leak: the residual echo's share of the echo estimate's power, learnt only from blocks
	 * whose error is small next to the microphone signal, i.e. without near-end speech. Double
	 * talk leaves it as it was, and so leaves the learning rate and the suppression low. */
	/* the echo estimate's part that is coherent with the microphone */
	product(s->gain, s->coherence, s->echoBin);
	for (k = 0; k < BINS; k++) py += s->gain[k];
	if (active && py > 0 && errorEnergy < NEAR_RATIO * micEnergy) {
		float leak = s->leak + 0.3f * (pe / py - s->leak);
		s->leak = leak < LEAK_MIN ? LEAK_MIN : leak > LEAK_MAX ? LEAK_MAX : leak;
		for (k = 0; k < PAD; k++) s->residual[k] += RESIDUAL_RATE * (s->errorBin[k] - s->residual[k]);
		s->echoShare += RESIDUAL_RATE * (py - s->echoShare);
	}

	/* The residual echo estimate: the leak times the echo estimate, most of it spread over
	 * SPREAD bins either side (a clipping speaker's distortion lands beside the echo), or where
	 * more, the residual echo's spectrum as learnt without near-end speech, scaled by how loud the
	 * echo is now: a clipping speaker's distortion lands on harmonics far from the echo too. */
	{
		float sum = 0, scale = s->echoShare > 0 ? py / s->echoShare : 0;
		int lo = 0, hi = SPREAD;
		const float *cy = s->gain; /* scratch until the suppressor's gains */
		for (k = 0; k <= SPREAD; k++) sum += cy[k];
		for (k = 0; k < BINS; k++) {
			float r = s->leak * (LOCAL * cy[k] + s->spreadScale[k] * sum), learnt = scale * s->residual[k];
			if (learnt > r) r = learnt;
			s->echoPower[k] += 0.5f * (r - s->echoPower[k]);
			if (hi + 1 < BINS) sum += cy[++hi];
			if (k >= SPREAD) sum -= cy[lo++];
		}
	}

	/* Per-bin learning rate: the residual echo's share of the error (small when the error is
	 * mostly near-end speech), normalised by the reference energy over the filter's tail. */
	for (k = 0; k < BINS; k++) farMean += s->farSum[k] > 0 ? s->farSum[k] : 0;
	/* A bin where the far end is weak next to the others holds (almost) no echo to learn, but
	 * normalised by its own power alone it would learn at full speed from whatever the
	 * microphone has there, e.g. a near-end tone against the leakage of a far-end one. */
	farMean = FLOOR_SHARE * farMean / (float)BINS + REGULARISE;
	/* Until the residual echo is known, the learning rate is capped by how much of the error
	 * the far end could explain: a microphone far louder than the speaker is near-end sound. */
	startRate = START_SHARE * farEnergy / (errorEnergy + 1.0f);
	if (startRate > MU_START) startRate = MU_START;
	if (!active) memset(mu, 0, sizeof s->mu);
	else if (s->adaptedBlocks < START_BLOCKS) rates(mu, s->farSum, farMean, 0, s->errorBin, startRate);
	else rates(mu, s->farSum, farMean, s->echoBin, s->errorBin, MU_SCALE * s->leak);
	floors(s->errorPower, s->noise, s->errorBin);
	if (active) {
		if (s->adaptedBlocks < START_BLOCKS) s->adaptedBlocks++;
		/* W_p += mu E conj(X_{head-p}) */
		for (p = 0; p < K; p++) {
			const Spectrum *xp = &s->x[(s->head - p + K) % K];
			Spectrum *wp = &s->w[p];
			update(wp->re, wp->im, mu, E->re, E->im, xp->re, xp->im);
		}
		/* One partition every CONSTRAIN_EVERY blocks back to N taps (the partitions take turns). */
		if (++s->sinceConstraint >= CONSTRAIN_EVERY) {
		s->sinceConstraint = 0;
		ka_ifft_real_half(s->w[s->turn].re, s->w[s->turn].im, 0, t, &s->fft);
		s->wEnergy[s->turn] = 0;
		for (i = 0; i < N; i++) s->wEnergy[s->turn] += t[i] * t[i];
		ka_fft_real_half(t, 0, s->w[s->turn].re, s->w[s->turn].im);
		s->turn = (s->turn + 1) % K;
		}
	}

	/* Residual echo suppression with comfort noise, then back to the time domain. */
	if (s->suppress) {
		float *g = mu, *smooth = s->gain;
		gains(g, s->errorPower, s->echoPower);
		/* smoothed across frequency: fewer musical tones, a shorter impulse response */
		smooth[0] = 0.75f * g[0] + 0.25f * g[1];
		for (k = 1; k < N; k++) smooth[k] = 0.25f * g[k - 1] + 0.5f * g[k] + 0.25f * g[k + 1];
		smooth[N] = 0.25f * g[N - 1] + 0.75f * g[N];
		scale(E->re, E->im, smooth);
		for (k = 1; k < N; k++) {
			float fill = (1.0f - smooth[k] * smooth[k]) * s->noise[k] * 3.0f; /* 2 for the half kept, 1.5 for the uniform pair */
			if (fill > 0) {
				float amplitude = sqrtf(fill);
				E->re[k] += amplitude * random_unit(s);
				E->im[k] += amplitude * random_unit(s);
			}
		}
		ka_ifft_real_half(E->re, E->im, 1, e, &s->fft);
	}

	write = (s->outRead + s->outCount) & (2 * N - 1);
	for (i = 0; i < N; i++) s->outRing[(write + i) & (2 * N - 1)] = saturate(e[i]);
	s->outCount += N;
}

int ka_aec_process(void *state, const int16_t *far, const int16_t *mic, int16_t *out, size_t count)
{
	Aec *s = state;
	if (s->magic != MAGIC) return -1;
	while (count > 0) {
		size_t piece = (size_t)(N - s->fill), i;
		if (piece > count) piece = count;
		memcpy(s->farBlock + s->fill, far, piece * sizeof *far);
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
		for (i = 0; i < piece; i++) out[i] = s->outRing[(s->outRead + (int32_t)i) & (2 * N - 1)];
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
