/*
 * Recordings for measuring an echo canceller, made from two speech files (espeak-ng, 16 kHz
 * raw s16le; the Makefile makes them) and generated noise: the far-end signal is played
 * through a synthetic echo path (a delay, room-like reflections decaying exponentially, and
 * optionally a small speaker's clipping) and added to low microphone noise and, for double
 * talk, near-end speech. The figures are computed from the canceller's output aligned by its
 * delay. Used by the C tests and by the benchmark (which puts speexdsp beside the core).
 */
#ifndef KLINGEL_AEC_SCENES_H
#define KLINGEL_AEC_SCENES_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCENE_RATE 16000
#define SCENE_SECONDS 10
#define SCENE_SAMPLES (SCENE_RATE * SCENE_SECONDS)
#define SCENE_FRAME 320        /* 20 ms */
#define SCENE_PATH 1000        /* echo path length: 62.5 ms */
#define SCENE_DIRECT 32        /* the echo path's direct sound: 2 ms after the far end */
#define SCENE_NEAR_FROM (4 * SCENE_RATE) /* double talk: near-end speech from 4 s on */
#define SCENE_CHANGE_AT (5 * SCENE_RATE) /* pathChange: the echo path changes at 5 s */
#define SCENE_TONE_HZ 440      /* nearTone: the steady tone at the door */
#define SCENE_SHIFT 100        /* pathChange: the new path's delay is 6.25 ms longer */
#define SCENE_BULK_FROM (3 * SCENE_RATE) /* bulkDelay: ERLE and the worst half second from 3 s */
enum { PATH_KEPT, PATH_QUIETER, PATH_AS_LOUD }; /* SceneKind.pathChange */

typedef struct {
	const char *name;
	int noise;    /* far end: noise instead of speech */
	int clipping; /* the speaker clips */
	int nearTalk; /* near-end speech from 4 s */
	int pathChange; /* the echo path changes at 5 s, 6.25 ms later, other reflections: PATH_QUIETER 10.5 dB quieter, PATH_AS_LOUD as loud */
	int nearTone; /* the amplitude of a steady SCENE_TONE_HZ tone at the microphone throughout (a hum at the door), or 0 */
	int bulkDelay; /* samples the whole echo comes later (a device's audio buffers); its figures are taken from SCENE_BULK_FROM */
} SceneKind;

typedef struct {
	int16_t far[SCENE_SAMPLES];
	int16_t mic[SCENE_SAMPLES];
	int16_t echo[SCENE_SAMPLES]; /* the echo and noise alone (the microphone without near-end speech) */
	int16_t near[SCENE_SAMPLES]; /* the near-end speech alone */
	int16_t out[SCENE_SAMPLES];
} Scene;

typedef struct {
	double erle;        /* dB over 1 s..end (echo only), or over the double talk's echo-only part, or 6 s..end after a path change */
	double convergence; /* s until the ERLE over the next 0.5 s first reaches 30 dB (after a path change: from the change); -1 never */
	double worst;       /* dB: the lowest ERLE over 0.5 s from 1 s (from 6 s after a path change) until the near end speaks */
	double nearLoss;    /* dB: how much of the near-end speech the output lost (double talk) */
	double toneLevel;   /* nearTone: dB, the tone's level in the output against the microphone's, the half second from 1 s farthest from 0 */
} SceneFigures;

static uint32_t scene_seed;

static double scene_gauss(void)
{
	double u = 0;
	int i;
	for (i = 0; i < 12; i++) {
		scene_seed = scene_seed * 1664525u + 1013904223u;
		u += (double)(scene_seed >> 8) / 16777216.0;
	}
	return u - 6.0;
}

/* Reads up to `count` samples of a raw s16le file, repeats it to fill; 0 on failure. */
static int scene_read(const char *path, int16_t *out, int count)
{
	FILE *f = fopen(path, "rb");
	int n, i;
	if (!f) return 0;
	n = (int)fread(out, 2, (size_t)count, f);
	fclose(f);
	if (n < SCENE_RATE) return 0;
	for (i = n; i < count; i++) out[i] = out[i - n];
	return 1;
}

static int16_t scene_clamp(double v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)lrint(v);
}

/*
 * Builds the scene. farSpeech/nearSpeech: SCENE_SAMPLES each (scene_read). The echo path: 2 ms
 * delay, direct coupling 0.6, then reflections from 3 ms on, decaying 60 dB in 50 ms. After a
 * path change (the box moved): 8.25 ms delay, direct coupling -0.18, other reflections, all
 * 10.5 dB lower (PATH_QUIETER); or as loud as before (PATH_AS_LOUD: direct coupling 0.6, the
 * reflections 0.12), which a filter finds as wrong as one that adds echo of its own.
 */
static void scene_make(Scene *s, const SceneKind *kind, const int16_t *farSpeech, const int16_t *nearSpeech)
{
	static double paths[2][SCENE_PATH + SCENE_SHIFT];
	double *path = paths[0];
	int i, j;
	scene_seed = 12345;
	memset(paths, 0, sizeof paths);
	path[SCENE_DIRECT] = 0.6;
	for (i = 48; i < SCENE_PATH; i++) path[i] = 0.12 * scene_gauss() * exp(-6.9 * (i - 48) / (0.05 * SCENE_RATE));
	if (kind->pathChange) {
		int loud = kind->pathChange == PATH_AS_LOUD;
		double direct = loud ? 0.6 : -0.18, reflections = loud ? 0.12 : 0.036;
		paths[1][SCENE_DIRECT + SCENE_SHIFT] = direct;
		for (i = 48; i < SCENE_PATH; i++) paths[1][i + SCENE_SHIFT] = reflections * scene_gauss() * exp(-6.9 * (i - 48) / (0.05 * SCENE_RATE));
	}
	for (i = 0; i < SCENE_SAMPLES; i++) {
		double v;
		if (kind->noise) v = 3000.0 * scene_gauss();
		else v = farSpeech[i] * 1.2;
		s->far[i] = scene_clamp(v);
	}
	for (i = 0; i < SCENE_SAMPLES; i++) {
		double acc = 0;
		int to = i - kind->bulkDelay, from = to - SCENE_PATH - SCENE_SHIFT + 1 < 0 ? 0 : to - SCENE_PATH - SCENE_SHIFT + 1;
		path = paths[kind->pathChange && i >= SCENE_CHANGE_AT];
		for (j = from; j <= to; j++) {
			double x = s->far[j];
			/* a small speaker driven hard: soft saturation, then hard clipping at -8.7 dBFS (3 % of
			 * the speech's active samples are clipped) */
			if (kind->clipping) {
				x = 20000.0 * tanh(x / 20000.0);
				if (x > 12000) x = 12000;
				if (x < -12000) x = -12000;
			}
			acc += path[to - j] * x;
		}
		s->echo[i] = scene_clamp(acc + 10.0 * scene_gauss());
		s->near[i] = kind->nearTalk && i >= SCENE_NEAR_FROM ? nearSpeech[i - SCENE_NEAR_FROM] : 0;
		s->mic[i] = scene_clamp((double)s->echo[i] + s->near[i] + kind->nearTone * sin(2 * M_PI * SCENE_TONE_HZ * i / SCENE_RATE));
	}
}

static double scene_energy(const int16_t *x, int from, int to, int shift)
{
	double e = 0;
	int i;
	for (i = from; i < to; i++) e += (double)x[i + shift] * x[i + shift];
	return e;
}

/* The amplitude of `hz` in x[from + shift .. from + n + shift), as re + i im for a cosine whose
 * phase is counted from sample `shift` (a DFT at that frequency, scaled to the amplitude). */
static void scene_tone_at(const int16_t *x, int from, int n, int shift, double hz, double *re, double *im)
{
	int i;
	*re = *im = 0;
	for (i = from; i < from + n; i++) {
		*re += x[i + shift] * cos(2 * M_PI * hz * i / SCENE_RATE);
		*im -= x[i + shift] * sin(2 * M_PI * hz * i / SCENE_RATE);
	}
	*re *= 2.0 / n;
	*im *= 2.0 / n;
}

/* With a near-end tone of `hz` and `amplitude`: ERLE from 1 s over the output with the tone
 * taken out (its amplitude and phase fitted in each half second), and the tone's level against
 * the microphone's. */
static void scene_tone_figures(const Scene *s, double hz, int amplitude, int delay, SceneFigures *f)
{
	int half = SCENE_RATE / 2, t, i;
	double echo = 0, residual = 0;
	f->toneLevel = 0;
	for (t = SCENE_RATE; t + half + delay <= SCENE_SAMPLES; t += half) {
		double re, im, level;
		scene_tone_at(s->out, t, half, delay, hz, &re, &im);
		for (i = t; i < t + half; i++) {
			double r = s->out[i + delay] - (re * cos(2 * M_PI * hz * i / SCENE_RATE) - im * sin(2 * M_PI * hz * i / SCENE_RATE));
			residual += r * r;
			echo += (double)s->echo[i] * s->echo[i];
		}
		level = 20 * log10(hypot(re, im) / amplitude);
		if (fabs(level) > fabs(f->toneLevel)) f->toneLevel = level;
	}
	f->erle = 10 * log10(echo / (residual + 1));
}

/* Figures from s->out, which runs `delay` samples behind s->mic. */
static SceneFigures scene_figures(const Scene *s, const SceneKind *kind, int delay)
{
	SceneFigures f;
	int end = SCENE_SAMPLES - delay, start = kind->pathChange ? SCENE_CHANGE_AT : 0, from = kind->bulkDelay ? SCENE_BULK_FROM : start + SCENE_RATE, to = kind->nearTalk ? SCENE_NEAR_FROM : end;
	int t, half = SCENE_RATE / 2;
	f.erle = 10 * log10(scene_energy(s->echo, from, to, 0) / (scene_energy(s->out, from, to, delay) + 1));
	f.convergence = -1;
	f.worst = 99;
	for (t = start; t + half <= end; t += SCENE_FRAME) {
		double erle = 10 * log10(scene_energy(s->echo, t, t + half, 0) / (scene_energy(s->out, t, t + half, delay) + 1));
		if (erle >= 30 && f.convergence < 0) f.convergence = (double)(t - start) / SCENE_RATE;
		if (t >= from && t + half <= to && erle < f.worst) f.worst = erle;
	}
	f.nearLoss = 0;
	if (kind->nearTalk) {
		/* the part of the output that follows the near-end speech (its projection), over where it speaks */
		double cross = 0, power = 0;
		int i;
		for (i = SCENE_NEAR_FROM; i < end; i++) {
			cross += (double)s->out[i + delay] * s->near[i];
			power += (double)s->near[i] * s->near[i];
		}
		f.nearLoss = cross > 0 ? -20 * log10(cross / power) : 99;
	}
	f.toneLevel = 0;
	if (kind->nearTone) scene_tone_figures(s, SCENE_TONE_HZ, kind->nearTone, delay, &f);
	return f;
}

#endif
