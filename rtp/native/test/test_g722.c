/*
 * G.722 against an independent implementation: Debian's libspandsp (host only; the firmware
 * never links it). Both directions are compared sample for sample and byte for byte:
 *   - encode: the same 16 kHz input through both encoders gives the same code bytes;
 *   - decode: the same code bytes (those encodings, and random bytes that reach every code,
 *     including the four lower-band codes an encoder never sends) give the same samples, except
 *     where the receive QMF's result lies beyond 16 bits: libspandsp (0.0.6) then keeps the low
 *     16 bits (the sample wraps around), the core saturates as the ITU reference does. A
 *     difference is allowed only where the core's sample is at a rail (32767 or -32768); such
 *     samples are counted and reported.
 * Inputs: a minute of synthetic speech (a formant synthesiser: voiced vowels with a moving
 * pitch, noise-excited fricatives, pauses, syllable envelopes), a sweep 20 Hz - 7.9 kHz, tones
 * from 100 Hz to 7.5 kHz at several levels, full-scale white noise, a clipped square wave,
 * impulses, DC steps and silence. The core also runs in 20 ms frames (the state carries
 * everything) and from any state contents.
 *
 * The core is also compared with the codec as first written, block by block and one sample at
 * a time (reference_g722.h): on the same inputs, codes, decoded samples and every state word
 * after each call must be equal, with no exception; in calls of many sizes; from every log
 * scale factor (every step size the tables hold); and from random states within the ranges
 * the codec can reach.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#include "../klingel_audio.h"
#include "check.h"
#include "reference_g722.h"

static int failed_tests;

#define RATE 16000
#define SPEECH_SECONDS 60
#define MAX_SAMPLES (SPEECH_SECONDS * RATE)

static int16_t input[MAX_SAMPLES], ours_pcm[MAX_SAMPLES], theirs_pcm[MAX_SAMPLES];
static uint8_t ours_codes[MAX_SAMPLES / 2], theirs_codes[MAX_SAMPLES / 2];
static long compared_samples, compared_codes, wrapped_samples;

static uint32_t rng = 0x2545f491;
static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static double uniform(void) /* [-1, 1) */
{
	return (double)next_random() / 2147483648.0 - 1.0;
}

static int16_t clip16(double v)
{
	return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
}

/* ---- inputs ---- */

/* Two-pole resonator (a formant) at f Hz with bandwidth bw Hz. */
typedef struct {
	double y1, y2;
} Resonator;

static double resonate(Resonator *r, double x, double f, double bw)
{
	double radius = exp(-M_PI * bw / RATE);
	double c = 2 * radius * cos(2 * M_PI * f / RATE), d = -radius * radius;
	double y = (1 - c - d) * x + c * r->y1 + d * r->y2;
	r->y2 = r->y1;
	r->y1 = y;
	return y;
}

/*
 * Speech-like signal: syllables of 120-400 ms, each a vowel (glottal pulses at 85-260 Hz with
 * a pitch glide, through three formants of one of five vowels) or a fricative (noise through a
 * high formant at 2.5-7 kHz), raised-cosine envelopes, pauses between words, levels from
 * -40 dBFS to near full scale.
 */
static size_t make_speech(int16_t *out, size_t count)
{
	static const double vowels[5][3] = { { 730, 1090, 2440 }, { 270, 2290, 3010 }, { 300, 870, 2240 },
		{ 530, 1840, 2480 }, { 570, 840, 2410 } };
	Resonator f1 = { 0, 0 }, f2 = { 0, 0 }, f3 = { 0, 0 }, fr = { 0, 0 };
	size_t n = 0;
	double phase = 0;
	while (n < count) {
		size_t length = (size_t)(RATE * (0.12 + 0.28 * (next_random() % 1000) / 1000.0)), i;
		int kind = (int)(next_random() % 6); /* 0..3 vowel, 4 fricative, 5 pause */
		const double *v = vowels[next_random() % 5];
		double level = pow(10, -(double)(next_random() % 40) / 20) * 9000;
		double pitch = 85 + next_random() % 175, glide = (double)((int)(next_random() % 61) - 30) / length;
		double fricative = 2500 + next_random() % 4500;
		for (i = 0; i < length && n < count; i++, n++) {
			double envelope = 0.5 - 0.5 * cos(2 * M_PI * i / length), y = 0;
			if (kind <= 3) {
				double pulse;
				phase += (pitch + glide * i) / RATE;
				pulse = phase >= 1 ? (phase -= 1, 1.0) : 0.0;
				y = resonate(&f1, pulse * 40, v[0], 80);
				y = resonate(&f2, y, v[1], 120) + 0.5 * resonate(&f3, y, v[2], 160);
				y *= level;
			} else if (kind == 4) {
				y = resonate(&fr, uniform(), fricative, 900) * level * 0.8;
			}
			out[n] = clip16(y * envelope + uniform() * 3); /* a little background noise */
		}
	}
	return n;
}

static size_t make_sweep(int16_t *out)
{
	size_t n, count = 8 * RATE;
	double phase = 0;
	for (n = 0; n < count; n++) {
		double f = 20 * pow(7900.0 / 20, (double)n / count);
		phase += 2 * M_PI * f / RATE;
		out[n] = clip16(20000 * sin(phase));
	}
	return n;
}

static size_t make_tones(int16_t *out)
{
	static const double frequencies[] = { 100, 440, 1000, 2000, 3400, 4000, 5000, 6000, 7000, 7500 };
	static const double levels[] = { 32767, 16000, 1000, 30 };
	size_t n = 0, f, l, i;
	for (f = 0; f < sizeof frequencies / sizeof frequencies[0]; f++)
		for (l = 0; l < 4; l++)
			for (i = 0; i < RATE / 4; i++) out[n++] = clip16(levels[l] * sin(2 * M_PI * frequencies[f] * i / RATE));
	return n;
}

static size_t make_noise_and_edges(int16_t *out)
{
	size_t n = 0, i;
	for (i = 0; i < 4 * RATE; i++) out[n++] = (int16_t)(next_random() >> 16); /* full-scale white noise */
	for (i = 0; i < 2 * RATE; i++) out[n++] = (i / 20) % 2 ? 32767 : -32768;   /* 400 Hz square, clipped */
	for (i = 0; i < RATE; i++) out[n++] = i % 797 == 0 ? (i % 2 ? -32768 : 32767) : 0; /* impulses */
	for (i = 0; i < RATE; i++) out[n++] = (int16_t)((i / 1600) % 2 ? 24000 : -24000); /* DC steps */
	for (i = 0; i < RATE; i++) out[n++] = 0;
	return n;
}

/* ---- comparison ---- */

static void compare_encoders(const int16_t *pcm, size_t count, const char *what)
{
	ka_g722_state state;
	g722_encode_state_t *theirs = g722_encode_init(NULL, 64000, 0);
	size_t i, made;
	memset(&state, 0, sizeof state);
	ka_g722_encode(&state, pcm, count, ours_codes);
	made = (size_t)g722_encode(theirs, theirs_codes, pcm, (int)count);
	g722_encode_free(theirs);
	CHECK(made == count / 2, "%s: libspandsp made %zu codes of %zu samples", what, made, count);
	for (i = 0; i < count / 2; i++)
		CHECK(ours_codes[i] == theirs_codes[i], "%s: code %zu is 0x%02x, libspandsp 0x%02x", what, i, ours_codes[i], theirs_codes[i]);
	compared_codes += (long)(count / 2);
}

static void compare_decoders(const uint8_t *codes, size_t count, const char *what)
{
	ka_g722_state state;
	g722_decode_state_t *theirs = g722_decode_init(NULL, 64000, 0);
	size_t i, made;
	long wrappedBefore = wrapped_samples;
	memset(&state, 0, sizeof state);
	ka_g722_decode(&state, codes, count, ours_pcm);
	made = (size_t)g722_decode(theirs, theirs_pcm, codes, (int)count);
	g722_decode_free(theirs);
	CHECK(made == count * 2, "%s: libspandsp made %zu samples of %zu codes", what, made, count);
	for (i = 0; i < count * 2; i++) {
		int wrapped = ours_pcm[i] == 32767 || ours_pcm[i] == -32768;
		CHECK(ours_pcm[i] == theirs_pcm[i] || wrapped, "%s: sample %zu is %d, libspandsp %d", what, i, ours_pcm[i], theirs_pcm[i]);
		if (ours_pcm[i] != theirs_pcm[i]) wrapped_samples++;
	}
	compared_samples += (long)(count * 2);
	printf("# %s: %zu codes decoded alike, %ld samples wrapped by libspandsp\n", what, count, wrapped_samples - wrappedBefore);
}

/* Encode with both, compare; then decode libspandsp's codes with both and compare. */
static void both_directions(size_t count, const char *what)
{
	static uint8_t codes[MAX_SAMPLES / 2];
	compare_encoders(input, count, what);
	memcpy(codes, theirs_codes, count / 2);
	compare_decoders(codes, count / 2, what);
}

static void speech_like_minute_both_directions(void)
{
	size_t count = make_speech(input, MAX_SAMPLES);
	both_directions(count, "speech");
}

static void sweep_both_directions(void)
{
	both_directions(make_sweep(input), "sweep");
}

static void tones_from_100_hz_to_7500_hz_both_directions(void)
{
	both_directions(make_tones(input), "tones");
}

static void noise_square_impulses_steps_silence_both_directions(void)
{
	both_directions(make_noise_and_edges(input), "noise and edges");
}

static void random_codes_decode_alike(void)
{
	static uint8_t codes[MAX_SAMPLES / 2];
	size_t i;
	for (i = 0; i < MAX_SAMPLES / 2; i++) codes[i] = (uint8_t)(next_random() >> 24);
	/* and long runs of single codes, which drive the scale factors to their limits */
	for (i = 0; i < 256 * 200; i++) codes[i] = (uint8_t)(i / 200);
	compare_decoders(codes, MAX_SAMPLES / 2, "random codes");
}

static void frames_of_20_ms_equal_one_call(void)
{
	ka_g722_state whole, framed;
	static uint8_t codes[MAX_SAMPLES / 2];
	static int16_t decoded[MAX_SAMPLES];
	size_t count = make_speech(input, 10 * RATE), i;
	memset(&whole, 0, sizeof whole);
	memset(&framed, 0, sizeof framed);
	ka_g722_encode(&whole, input, count, ours_codes);
	for (i = 0; i < count; i += 320) ka_g722_encode(&framed, input + i, 320, codes + i / 2);
	CHECK(memcmp(codes, ours_codes, count / 2) == 0, "encoder: frames differ from one call");
	memset(&whole, 0, sizeof whole);
	memset(&framed, 0, sizeof framed);
	ka_g722_decode(&whole, codes, count / 2, ours_pcm);
	for (i = 0; i < count / 2; i += 160) ka_g722_decode(&framed, codes + i, 160, decoded + 2 * i);
	CHECK(memcmp(decoded, ours_pcm, count * 2) == 0, "decoder: frames differ from one call");
}

/* The core's own view of quality: a tone comes back at its frequency, below 4 kHz and above. */
static double amplitude_at(const int16_t *x, size_t n, double frequency)
{
	double re = 0, im = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		re += x[i] * cos(2 * M_PI * frequency * i / RATE);
		im += x[i] * sin(2 * M_PI * frequency * i / RATE);
	}
	return 2 * sqrt(re * re + im * im) / n;
}

static void tones_survive_encode_and_decode(void)
{
	static const double frequencies[] = { 300, 1000, 3000, 5000, 7000 };
	size_t f, i, n = RATE / 2;
	for (f = 0; f < sizeof frequencies / sizeof frequencies[0]; f++) {
		ka_g722_state encoder, decoder;
		double error = 0, signal = 0, amplitude;
		memset(&encoder, 0, sizeof encoder);
		memset(&decoder, 0, sizeof decoder);
		for (i = 0; i < n; i++) input[i] = clip16(12000 * sin(2 * M_PI * frequencies[f] * i / RATE));
		ka_g722_encode(&encoder, input, n, ours_codes);
		ka_g722_decode(&decoder, ours_codes, n / 2, ours_pcm);
		/* skip the first 100 ms (adaptation); the codec's delay is 22 samples (QMF both ways) */
		amplitude = amplitude_at(ours_pcm + 1600, n - 1600, frequencies[f]);
		for (i = 1600; i < n; i++) {
			double e = ours_pcm[i] - input[i - 22];
			error += e * e;
			signal += (double)input[i - 22] * input[i - 22];
		}
		CHECK(fabs(amplitude - 12000) < 1200, "%.0f Hz comes back at amplitude %.0f", frequencies[f], amplitude);
		CHECK(10 * log10(signal / error) > 20, "%.0f Hz: SNR %.1f dB", frequencies[f], 10 * log10(signal / error));
	}
}

/* A full-scale 100 Hz tone overshoots in the decoder's QMF: the samples saturate, never wrap. */
static void full_scale_overshoot_saturates(void)
{
	ka_g722_state encoder, decoder;
	size_t i, n = RATE / 2, railed = 0;
	int jump = 0;
	memset(&encoder, 0, sizeof encoder);
	memset(&decoder, 0, sizeof decoder);
	for (i = 0; i < n; i++) input[i] = clip16(32767 * sin(2 * M_PI * 100 * i / RATE));
	ka_g722_encode(&encoder, input, n, ours_codes);
	ka_g722_decode(&decoder, ours_codes, n / 2, ours_pcm);
	for (i = 1; i < n; i++) {
		int step = abs(ours_pcm[i] - ours_pcm[i - 1]);
		if (step > jump) jump = step;
		if (ours_pcm[i] == 32767 || ours_pcm[i] == -32768) railed++;
	}
	CHECK(railed > 0, "the tone never reached a rail: the test proves nothing");
	CHECK(jump < 8000, "a step of %d between neighbouring samples (a wrap-around)", jump);
}

static void any_state_contents_are_safe(void)
{
	ka_g722_state state;
	int round;
	size_t i;
	for (round = 0; round < 200; round++) {
		int16_t *words = (int16_t *)(void *)&state;
		for (i = 0; i < KA_G722_STATE_SAMPLES; i++) words[i] = (int16_t)(next_random() >> 16);
		for (i = 0; i < 320; i++) input[i] = (int16_t)(next_random() >> 16);
		ka_g722_encode(&state, input, 320, ours_codes);
		for (i = 0; i < KA_G722_STATE_SAMPLES; i++) words[i] = (int16_t)(next_random() >> 16);
		ka_g722_decode(&state, ours_codes, 160, ours_pcm);
	}
	CHECK(sizeof(ka_g722_state) == KA_G722_STATE_SAMPLES * sizeof(int16_t), "state is %zu bytes", sizeof(ka_g722_state));
}

/* ---- against the codec as first written ---- */

static int16_t reference_pcm[MAX_SAMPLES];
static uint8_t reference_codes[MAX_SAMPLES / 2];
static long reference_codes_compared, reference_samples_compared;

static int same_state(const ka_g722_state *a, const ka_g722_state *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

/*
 * Encodes count samples from `from` with the core and the reference in calls of `call`
 * samples (the last may be shorter), comparing codes and states after every call; then
 * decodes the codes the same way.
 */
static void against_reference(const ka_g722_state *from, const int16_t *pcm, size_t count, size_t call, const char *what)
{
	ka_g722_state ours = *from, theirs = *from;
	size_t i, n, codes = count / 2, mismatches = 0;
	for (i = 0; i < count; i += n) {
		n = count - i < call ? count - i : call;
		ka_g722_encode(&ours, pcm + i, n, ours_codes + i / 2);
		reference_g722_encode(&theirs, pcm + i, n, reference_codes + i / 2);
		if (!same_state(&ours, &theirs)) mismatches++;
	}
	CHECK(mismatches == 0, "%s (calls of %zu samples): encoder state differs after %zu calls", what, call, mismatches);
	for (i = 0; i < codes; i++)
		CHECK(ours_codes[i] == reference_codes[i], "%s: code %zu is 0x%02x, reference 0x%02x", what, i, ours_codes[i], reference_codes[i]);
	ours = *from;
	theirs = *from;
	mismatches = 0;
	for (i = 0; i < codes; i += n) {
		n = codes - i < call / 2 ? codes - i : call / 2;
		ka_g722_decode(&ours, reference_codes + i, n, ours_pcm + 2 * i);
		reference_g722_decode(&theirs, reference_codes + i, n, reference_pcm + 2 * i);
		if (!same_state(&ours, &theirs)) mismatches++;
	}
	CHECK(mismatches == 0, "%s (calls of %zu codes): decoder state differs after %zu calls", what, call / 2, mismatches);
	for (i = 0; i < 2 * codes; i++)
		CHECK(ours_pcm[i] == reference_pcm[i], "%s: decoded sample %zu is %d, reference %d", what, i, ours_pcm[i], reference_pcm[i]);
	reference_codes_compared += (long)codes;
	reference_samples_compared += (long)(2 * codes);
}

static const ka_g722_state reset_state;

static void same_as_first_written_codec_on_long_inputs(void)
{
	size_t count = make_speech(input, MAX_SAMPLES);
	against_reference(&reset_state, input, count, count, "speech");
	against_reference(&reset_state, input, make_sweep(input), MAX_SAMPLES, "sweep");
	against_reference(&reset_state, input, make_tones(input), MAX_SAMPLES, "tones");
	against_reference(&reset_state, input, make_noise_and_edges(input), MAX_SAMPLES, "noise and edges");
}

static void same_as_first_written_codec_in_calls_of_any_size(void)
{
	/* 20 ms (320), 10 and 30 ms, one pair, and sizes around the passes' 80 codes */
	static const size_t calls[] = { 320, 160, 480, 2, 14, 158, 160, 162, 318, 322, 1000 };
	size_t count = make_speech(input, 10 * RATE), c;
	for (c = 0; c < sizeof calls / sizeof calls[0]; c++) against_reference(&reset_state, input, count, calls[c], "speech");
}

static void same_as_first_written_codec_on_random_codes(void)
{
	ka_g722_state ours = reset_state, theirs = reset_state;
	size_t i;
	for (i = 0; i < MAX_SAMPLES / 2; i++) theirs_codes[i] = (uint8_t)(next_random() >> 24);
	for (i = 0; i < 256 * 200; i++) theirs_codes[i] = (uint8_t)(i / 200); /* every code, long runs */
	ka_g722_decode(&ours, theirs_codes, MAX_SAMPLES / 2, ours_pcm);
	reference_g722_decode(&theirs, theirs_codes, MAX_SAMPLES / 2, reference_pcm);
	CHECK(same_state(&ours, &theirs), "random codes: decoder states differ");
	for (i = 0; i < MAX_SAMPLES; i++)
		CHECK(ours_pcm[i] == reference_pcm[i], "random codes: sample %zu is %d, reference %d", i, ours_pcm[i], reference_pcm[i]);
	reference_samples_compared += MAX_SAMPLES;
}

/* Every log scale factor of both bands (so every step size), a few codes and samples from each. */
static void same_as_first_written_codec_from_every_scale_factor(void)
{
	static const uint8_t codes[4] = { 0x00, 0x7f, 0xc5, 0x3b };
	static const int16_t pcm[8] = { 30000, -30000, 1200, -5, -32768, 32767, 0, 77 };
	int32_t nb;
	size_t differing = 0;
	for (nb = 0; nb <= 22528; nb++) {
		ka_g722_state ours = reset_state, theirs;
		int16_t ourPcm[8], theirPcm[8];
		uint8_t ourCodes[4], theirCodes[4];
		ours.band[0].nb = (int16_t)(nb % 18433);
		ours.band[1].nb = (int16_t)nb;
		theirs = ours;
		ka_g722_decode(&ours, codes, 4, ourPcm);
		reference_g722_decode(&theirs, codes, 4, theirPcm);
		if (memcmp(ourPcm, theirPcm, sizeof ourPcm) != 0 || !same_state(&ours, &theirs)) differing++;
		ours.band[0].nb = theirs.band[0].nb = (int16_t)(nb % 18433);
		ours.band[1].nb = theirs.band[1].nb = (int16_t)nb;
		ka_g722_encode(&ours, pcm, 8, ourCodes);
		reference_g722_encode(&theirs, pcm, 8, theirCodes);
		if (memcmp(ourCodes, theirCodes, sizeof ourCodes) != 0 || !same_state(&ours, &theirs)) differing++;
	}
	CHECK(differing == 0, "%zu of %d scale factors give other codes, samples or states", differing, 2 * 22529);
}

/*
 * Random states within what the codec reaches: log scale factors within their limits, |a2| at
 * most 12288 and |a1| at most 15360 - a2, differences within ±10228; every other word any
 * 16-bit value.
 */
static void random_reachable_state(ka_g722_state *state)
{
	int16_t *words = (int16_t *)(void *)state;
	int band, i;
	for (i = 0; i < KA_G722_STATE_SAMPLES; i++) words[i] = (int16_t)(next_random() >> 16);
	for (band = 0; band < 2; band++) {
		ka_g722_band *b = &state->band[band];
		int32_t a2 = (int32_t)(next_random() % 24577) - 12288, limit = 15360 - a2;
		b->nb = (int16_t)(next_random() % (band ? 22529 : 18433));
		b->a[1] = (int16_t)a2;
		b->a[0] = (int16_t)((int32_t)(next_random() % (uint32_t)(2 * limit + 1)) - limit);
		for (i = 0; i < 6; i++) b->d[i] = (int16_t)((int32_t)(next_random() % 20457) - 10228);
	}
}

static void same_as_first_written_codec_from_random_reachable_states(void)
{
	size_t differing = 0, i;
	int round;
	make_speech(input, 320 * 500);
	for (round = 0; round < 2000; round++) {
		ka_g722_state ours, theirs;
		const int16_t *pcm = input + 320 * (round % 500);
		random_reachable_state(&ours);
		theirs = ours;
		ka_g722_encode(&ours, pcm, 320, ours_codes);
		reference_g722_encode(&theirs, pcm, 320, reference_codes);
		if (memcmp(ours_codes, reference_codes, 160) != 0 || !same_state(&ours, &theirs)) differing++;
		random_reachable_state(&ours);
		theirs = ours;
		for (i = 0; i < 160; i++) theirs_codes[i] = (uint8_t)(next_random() >> 24);
		ka_g722_decode(&ours, theirs_codes, 160, ours_pcm);
		reference_g722_decode(&theirs, theirs_codes, 160, reference_pcm);
		if (memcmp(ours_pcm, reference_pcm, 320 * sizeof(int16_t)) != 0 || !same_state(&ours, &theirs)) differing++;
	}
	CHECK(differing == 0, "%zu of 4000 frames from random states differ", differing);
}

int main(void)
{
	RUN(speech_like_minute_both_directions);
	RUN(sweep_both_directions);
	RUN(tones_from_100_hz_to_7500_hz_both_directions);
	RUN(noise_square_impulses_steps_silence_both_directions);
	RUN(random_codes_decode_alike);
	RUN(frames_of_20_ms_equal_one_call);
	RUN(tones_survive_encode_and_decode);
	RUN(full_scale_overshoot_saturates);
	RUN(any_state_contents_are_safe);
	RUN(same_as_first_written_codec_on_long_inputs);
	RUN(same_as_first_written_codec_in_calls_of_any_size);
	RUN(same_as_first_written_codec_on_random_codes);
	RUN(same_as_first_written_codec_from_every_scale_factor);
	RUN(same_as_first_written_codec_from_random_reachable_states);
	printf("# compared with libspandsp: %ld codes, %ld decoded samples (%ld of them wrapped by libspandsp, saturated here)\n",
		compared_codes, compared_samples, wrapped_samples);
	printf("# compared with the codec as first written: %ld codes, %ld decoded samples, no difference allowed\n",
		reference_codes_compared, reference_samples_compared);
	return failed_tests ? 1 : 0;
}
