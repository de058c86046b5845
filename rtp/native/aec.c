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
 * Cost per block: 5 real FFTs of 2 * KA_AEC_BLOCK points (reference, echo estimate in and out,
 * error, output), one partition's gradient constraint (2 more, the partitions take turns), the
 * filter and its update (KA_AEC_PARTITIONS complex multiply-adds per bin each).
 *
 * The state holds no pointer (the XS binding's state lives in a movable ArrayBuffer).
 */
#include <math.h>
#include <string.h>

#include "klingel_audio.h"

#define N KA_AEC_BLOCK       /* samples per block */
#define M (2 * N)            /* FFT length */
#define H N                  /* complex FFT length of the real FFT */
#define BINS (N + 1)         /* bins 0..N of a real M-point spectrum */
#define K KA_AEC_PARTITIONS

#define MAGIC 0x41454331u /* "AEC1" */

typedef struct {
	float re[BINS];
	float im[BINS];
} Spectrum;

typedef struct {
	uint32_t magic;
	int32_t sampleRate;
	uint32_t seed;
	int32_t head;         /* newest reference spectrum in x[] */
	int32_t turn;         /* partition constrained next */
	int32_t fill;         /* samples in farBlock/micBlock */
	int32_t outRead;      /* output ring: next sample to hand out */
	int32_t outCount;     /* processed samples waiting in the ring */
	int32_t delay;        /* samples of delay the output runs behind the input */
	int32_t adaptedBlocks; /* blocks adapted with far-end signal present */
	int32_t divergent;    /* consecutive blocks with more error than microphone */
	int32_t suppress;     /* residual echo suppression and comfort noise on */
	float leak;           /* residual echo power / echo estimate power, from blocks without near-end speech */
	float wEnergy[K];     /* each partition's tap energy, found when it is constrained */
	float twiddle[H];      /* e^{-2πik/H} for k < H/2 (the complex FFT) */
	float rtwiddle[2 * H]; /* e^{-2πik/M} for k < H (the real FFT's split) */
	int16_t farPrevious[N];
	int16_t farBlock[N];
	int16_t micBlock[N];
	int16_t outRing[2 * N];
	float errorPower[BINS]; /* smoothed |E|² */
	float echoPower[BINS];  /* smoothed residual echo estimate */
	float noise[BINS];      /* near-end noise floor */
	Spectrum x[K];
	Spectrum w[K];
	Spectrum echo;        /* the echo estimate Y, as filtered and then as FFT([0, y]) */
	Spectrum error;       /* E = FFT([0, e]), then the output */
	float time[M];
	float e[N];
	float mu[BINS];       /* the block's learning rates, then the suppression gains */
	float echoBin[BINS];  /* |FFT([0, y])|² */
	float farPower[BINS]; /* smoothed |X|² of the partition the echo arrives in */
	float micPower[BINS]; /* smoothed |D|², D = FFT([0, d]) */
	float crossRe[BINS];  /* smoothed D conj(X) */
	float crossIm[BINS];
	float coherence[BINS]; /* |crossRe + i crossIm|² / (farPower micPower): how much of the microphone the far end explains */
} Aec;

size_t ka_aec_state_bytes(void)
{
	return sizeof(Aec);
}

/* ---- FFT ---- */

/* In-place radix-2 complex FFT of H points (interleaved re, im), forward (e^{-i}); unscaled. */
static void fft_complex(const Aec *s, float *z, int inverse)
{
	int i, j, bit, size, half, k, step;
	for (i = 1, j = 0; i < H; i++) {
		for (bit = H >> 1; j & bit; bit >>= 1) j ^= bit;
		j |= bit;
		if (i < j) {
			float tr = z[2 * i], ti = z[2 * i + 1];
			z[2 * i] = z[2 * j];
			z[2 * i + 1] = z[2 * j + 1];
			z[2 * j] = tr;
			z[2 * j + 1] = ti;
		}
	}
	/* size 2: no multiplications */
	for (i = 0; i < H; i += 2) {
		float ar = z[2 * i], ai = z[2 * i + 1], br = z[2 * i + 2], bi = z[2 * i + 3];
		z[2 * i] = ar + br;
		z[2 * i + 1] = ai + bi;
		z[2 * i + 2] = ar - br;
		z[2 * i + 3] = ai - bi;
	}
	for (size = 4, step = H / 4; size <= H; size <<= 1, step >>= 1) {
		half = size >> 1;
		for (k = 0; k < half; k++) {
			float wr = s->twiddle[2 * k * step], wi = inverse ? -s->twiddle[2 * k * step + 1] : s->twiddle[2 * k * step + 1];
			for (i = k; i < H; i += size) {
				float *a = z + 2 * i, *b = z + 2 * (i + half);
				float tr = b[0] * wr - b[1] * wi, ti = b[0] * wi + b[1] * wr;
				b[0] = a[0] - tr;
				b[1] = a[1] - ti;
				a[0] += tr;
				a[1] += ti;
			}
		}
	}
}

/* Real M-point FFT of `in` into `out` (bins 0..N). `in` is overwritten. */
static void fft_real(const Aec *s, float *in, Spectrum *out)
{
	int k;
	fft_complex(s, in, 0); /* in[2n] + i in[2n+1] as H complex points */
	out->re[0] = in[0] + in[1];
	out->im[0] = 0;
	out->re[N] = in[0] - in[1];
	out->im[N] = 0;
	for (k = 1; k <= H / 2; k++) { /* bins k and H - k together */
		float ar = in[2 * k], ai = in[2 * k + 1], br = in[2 * (H - k)], bi = -in[2 * (H - k) + 1];
		float er = 0.5f * (ar + br), ei = 0.5f * (ai + bi); /* even part */
		float or = 0.5f * (ai - bi), oi = -0.5f * (ar - br); /* odd part: (a - b) / 2i */
		float wr = s->rtwiddle[2 * k], wi = s->rtwiddle[2 * k + 1];
		float tr = or * wr - oi * wi, ti = or * wi + oi * wr;
		out->re[k] = er + tr;
		out->im[k] = ei + ti;
		out->re[N - k] = er - tr;
		out->im[N - k] = -(ei - ti);
	}
}

/* Inverse of fft_real, scaled by 1/M: spectrum -> M real samples in `out`. */
static void ifft_real(const Aec *s, const Spectrum *in, float *out)
{
	int k;
	out[0] = 0.5f * (in->re[0] + in->re[N]);
	out[1] = 0.5f * (in->re[0] - in->re[N]);
	for (k = 1; k < H; k++) {
		float ar = in->re[k], ai = in->im[k], br = in->re[N - k], bi = -in->im[N - k];
		float er = 0.5f * (ar + br), ei = 0.5f * (ai + bi);
		float dr = 0.5f * (ar - br), di = 0.5f * (ai - bi);
		/* odd = d * conj(w); z = even + i * odd */
		float wr = s->rtwiddle[2 * k], wi = -s->rtwiddle[2 * k + 1];
		float or = dr * wr - di * wi, oi = dr * wi + di * wr;
		out[2 * k] = er - oi;
		out[2 * k + 1] = ei + or;
	}
	fft_complex(s, out, 1);
	for (k = 0; k < M; k++) out[k] *= 1.0f / (float)H;
}

/* ---- the canceller ---- */

#define MU_START 1.0f      /* learning rate until the residual echo estimate is trusted */
#define START_BLOCKS 60    /* blocks with far-end signal before it is (0.48 s at 16 kHz) */
#define MU_MAX 1.0f        /* largest learning rate afterwards */
#define MU_SCALE 4.0f      /* learning rate = MU_SCALE * residual echo / error power, per bin */
#define LEAK_MIN 0.0005f   /* residual echo never assumed below -33 dB of the echo estimate */
#define LEAK_MAX 1.0f
#define LEAK_START 0.1f   /* until blocks without near-end speech teach it (double talk from the start keeps it) */
#define NEAR_RATIO 0.25f   /* error above a quarter of the microphone's energy: near-end speech (or not converged) */
#define SPREAD 8           /* bins either side over which 80 % of the residual echo estimate is spread */
#define LOCAL 0.2f
#define OVER 6.0f          /* residual echo over-estimated (7.8 dB) before it is suppressed */
#define GAIN_MIN 0.01f     /* suppression floor, -40 dB; comfort noise fills the rest */
#define FAR_ACTIVE 100.0f  /* far-end mean square (-50 dBFS) below which nothing adapts */
#define REGULARISE ((float)M * 1000.0f) /* added to the reference power when normalising */
#define FLOOR_SHARE 0.1f   /* ... and this share of the mean over the bins (-10 dB) */
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
	for (k = 0; k < H / 2; k++) {
		float a = -6.2831853f * (float)k / (float)H;
		s->twiddle[2 * k] = cosf(a);
		s->twiddle[2 * k + 1] = sinf(a);
	}
	for (k = 0; k < H; k++) {
		float a = -6.2831853f * (float)k / (float)M;
		s->rtwiddle[2 * k] = cosf(a);
		s->rtwiddle[2 * k + 1] = sinf(a);
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

/* One block: farBlock (the reference) and micBlock in, N output samples into the ring. */
static void process_block(Aec *s)
{
	Spectrum *X, *Y = &s->echo, *E = &s->error;
	float *t = s->time, *e = s->e, *mu = s->mu;
	float farEnergy = 0, micEnergy = 0, errorEnergy = 0, pe = 0, py = 0, farMean = 0, startRate;
	int bypass = 0;
	int i, k, p, active, write;

	/* The reference frame [previous block, this block] and its spectrum, newest in x[head]. */
	s->head = (s->head + 1) % K;
	X = &s->x[s->head];
	for (i = 0; i < N; i++) {
		float v = (float)s->farBlock[i];
		t[i] = (float)s->farPrevious[i];
		t[N + i] = v;
		farEnergy += v * v;
	}
	memcpy(s->farPrevious, s->farBlock, sizeof s->farPrevious);
	fft_real(s, t, X);
	active = farEnergy > FAR_ACTIVE * (float)N;

	/* Echo estimate Y = Σ W_p X_{head-p}; the last N samples of its inverse are y. */
	for (k = 0; k < BINS; k++) Y->re[k] = Y->im[k] = 0;
	for (p = 0; p < K; p++) {
		const Spectrum *xp = &s->x[(s->head - p + K) % K], *wp = &s->w[p];
		for (k = 0; k < BINS; k++) {
			Y->re[k] += wp->re[k] * xp->re[k] - wp->im[k] * xp->im[k];
			Y->im[k] += wp->re[k] * xp->im[k] + wp->im[k] * xp->re[k];
		}
	}
	ifft_real(s, Y, t);
	for (i = 0; i < N; i++) {
		float d = (float)s->micBlock[i];
		e[i] = d - t[N + i];
		micEnergy += d * d;
		errorEnergy += e[i] * e[i];
		t[i] = 0;
	}
	/* y's spectrum as the error's is taken, FFT([0, y]): what the suppressor compares. */
	fft_real(s, t, Y);

	/* A filter that adds to the microphone signal is wrong (adapted on near-end sound, e.g. a
	 * tone against a tone): the microphone passes as it is, and a filter wrong by 6 dB for three
	 * blocks in a row starts over. */
	if (errorEnergy > micEnergy) {
		if (errorEnergy > 4.0f * micEnergy + 1e4f * (float)N && ++s->divergent >= 3) {
			memset(s->w, 0, sizeof s->w);
			s->adaptedBlocks = 0;
			s->divergent = 0;
			s->leak = LEAK_START;
		}
		for (i = 0; i < N; i++) e[i] = (float)s->micBlock[i];
		bypass = 1;
	} else s->divergent = 0;

	/* Error spectrum E = FFT([0, e]). */
	for (i = 0; i < N; i++) {
		t[i] = 0;
		t[N + i] = e[i];
	}
	fft_real(s, t, E);
	for (k = 0; k < BINS; k++) {
		float yp = Y->re[k] * Y->re[k] + Y->im[k] * Y->im[k];
		s->echoBin[k] = yp;
		py += yp;
		pe += E->re[k] * E->re[k] + E->im[k] * E->im[k];
	}

	/* Coherence of the microphone with the far end in the partition the echo arrives in (the
	 * filter's strongest): near 1 where the microphone is echo, near 0 where it is near-end
	 * sound the far end does not explain, which the suppressor must leave alone. */
	{
		int strongest = 0;
		float c;
		const Spectrum *xs;
		for (p = 1; p < K; p++)
			if (s->wEnergy[p] > s->wEnergy[strongest]) strongest = p;
		xs = &s->x[(s->head - strongest + K) % K];
		for (k = 0; k < BINS; k++) {
			float dr = bypass ? E->re[k] : E->re[k] + Y->re[k], di = bypass ? E->im[k] : E->im[k] + Y->im[k];
			float xr = xs->re[k], xi = xs->im[k];
			s->farPower[k] += COHERENCE_RATE * (xr * xr + xi * xi - s->farPower[k]);
			s->micPower[k] += COHERENCE_RATE * (dr * dr + di * di - s->micPower[k]);
			s->crossRe[k] += COHERENCE_RATE * (dr * xr + di * xi - s->crossRe[k]);
			s->crossIm[k] += COHERENCE_RATE * (di * xr - dr * xi - s->crossIm[k]);
			c = COHERENCE_GAIN * (s->crossRe[k] * s->crossRe[k] + s->crossIm[k] * s->crossIm[k]) / (s->farPower[k] * s->micPower[k] + 1.0f);
			s->coherence[k] = c < 1.0f ? c : 1.0f;
		}
	}

	/* The leak: the residual echo's share of the echo estimate's power, learnt only from blocks
	 * whose error is small next to the microphone signal, i.e. without near-end speech. Double
	 * talk leaves it as it was, and so leaves the learning rate and the suppression low. */
	if (active && py > 0 && errorEnergy < NEAR_RATIO * micEnergy) {
		float leak = s->leak + 0.3f * (pe / py - s->leak);
		s->leak = leak < LEAK_MIN ? LEAK_MIN : leak > LEAK_MAX ? LEAK_MAX : leak;
	}

	/* The residual echo estimate: the leak times the echo estimate, most of it spread over
	 * SPREAD bins either side (a clipping speaker's distortion lands beside the echo). */
	{
		float sum = 0;
		int lo = 0, hi = SPREAD;
		float *c = s->coherence, *y = s->echoBin;
		for (k = 0; k <= SPREAD; k++) sum += c[k] * y[k];
		for (k = 0; k < BINS; k++) {
			float r = s->leak * (LOCAL * c[k] * y[k] + (1.0f - LOCAL) * sum / (float)(hi - lo + 1));
			s->echoPower[k] += 0.5f * (r - s->echoPower[k]);
			if (hi + 1 < BINS) ++hi, sum += c[hi] * y[hi];
			if (k - SPREAD >= 0) sum -= c[lo] * y[lo], lo++;
		}
	}

	/* Per-bin learning rate: the residual echo's share of the error (small when the error is
	 * mostly near-end speech), normalised by the reference energy over the filter's tail. */
	for (k = 0; k < BINS; k++) {
		float xp = 0;
		for (p = 0; p < K; p++) xp += s->x[p].re[k] * s->x[p].re[k] + s->x[p].im[k] * s->x[p].im[k];
		mu[k] = xp;
		farMean += xp;
	}
	/* A bin where the far end is weak next to the others holds (almost) no echo to learn, but
	 * normalised by its own power alone it would learn at full speed from whatever the
	 * microphone has there, e.g. a near-end tone against the leakage of a far-end one. */
	farMean = FLOOR_SHARE * farMean / (float)BINS + REGULARISE;
	/* Until the residual echo is known, the learning rate is capped by how much of the error
	 * the far end could explain: a microphone far louder than the speaker is near-end sound. */
	startRate = START_SHARE * farEnergy / (errorEnergy + 1.0f);
	if (startRate > MU_START) startRate = MU_START;
	for (k = 0; k < BINS; k++) {
		float ep = E->re[k] * E->re[k] + E->im[k] * E->im[k], xp = mu[k], rate;
		if (!active) rate = 0;
		else if (s->adaptedBlocks < START_BLOCKS) rate = startRate;
		else {
			rate = MU_SCALE * s->leak * s->echoBin[k] / (ep + 1.0f);
			if (rate > MU_MAX) rate = MU_MAX;
		}
		mu[k] = rate / (xp + farMean);
		s->errorPower[k] += 0.5f * (ep - s->errorPower[k]);
		/* the near-end noise floor: follows dips at once, rises by 5 dB a second */
		if (ep < s->noise[k] || s->noise[k] <= 0) s->noise[k] += 0.3f * (ep - s->noise[k]);
		else s->noise[k] *= 1.01f;
	}
	if (active) {
		if (s->adaptedBlocks < START_BLOCKS) s->adaptedBlocks++;
		/* W_p += mu E conj(X_{head-p}) */
		for (p = 0; p < K; p++) {
			const Spectrum *xp = &s->x[(s->head - p + K) % K];
			Spectrum *wp = &s->w[p];
			for (k = 0; k < BINS; k++) {
				float gr = E->re[k] * xp->re[k] + E->im[k] * xp->im[k];
				float gi = E->im[k] * xp->re[k] - E->re[k] * xp->im[k];
				wp->re[k] += mu[k] * gr;
				wp->im[k] += mu[k] * gi;
			}
		}
		/* One partition a block back to N taps (the others take their turn). */
		ifft_real(s, &s->w[s->turn], t);
		s->wEnergy[s->turn] = 0;
		for (i = 0; i < N; i++) s->wEnergy[s->turn] += t[i] * t[i];
		for (i = N; i < M; i++) t[i] = 0;
		fft_real(s, t, &s->w[s->turn]);
		s->turn = (s->turn + 1) % K;
	}

	/* Residual echo suppression with comfort noise, then back to the time domain. */
	if (s->suppress) {
		float *g = mu;
		for (k = 0; k < BINS; k++) {
			float ep = s->errorPower[k], gain = ep > 0 ? 1.0f - OVER * s->echoPower[k] / ep : 1.0f;
			g[k] = gain < GAIN_MIN ? GAIN_MIN : gain > 1.0f ? 1.0f : gain;
		}
		for (k = 0; k < BINS; k++) {
			/* smoothed across frequency: fewer musical tones, a shorter impulse response */
			float gk = 0.25f * g[k > 0 ? k - 1 : k] + 0.5f * g[k] + 0.25f * g[k < N ? k + 1 : k];
			float fill = (1.0f - gk * gk) * s->noise[k] * 3.0f; /* 2 for the half kept, 1.5 for the uniform pair */
			E->re[k] *= gk;
			E->im[k] *= gk;
			if (k > 0 && k < N && fill > 0) {
				float amplitude = sqrtf(fill);
				E->re[k] += amplitude * random_unit(s);
				E->im[k] += amplitude * random_unit(s);
			}
		}
		ifft_real(s, E, t);
		for (i = 0; i < N; i++) e[i] = t[N + i];
	}

	write = (s->outRead + s->outCount) % (2 * N);
	for (i = 0; i < N; i++) s->outRing[(write + i) % (2 * N)] = saturate(e[i]);
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
		for (i = 0; i < piece; i++) out[i] = s->outRing[(s->outRead + (int32_t)i) % (2 * N)];
		s->outRead = (s->outRead + (int32_t)piece) % (2 * N);
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
