/* Unit tests of the C audio core. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../klingel_audio.h"
#include "../tables.h"
#include "check.h"
#include "reference_g711.h"

static int failed_tests;

/* ---- G.711 ---- */

static void ulaw_encode_all_65536_inputs(void)
{
	static int16_t pcm[65536];
	static uint8_t codes[65536];
	int i;
	for (i = 0; i < 65536; i++) pcm[i] = (int16_t)(i - 32768);
	ka_encode(KA_LAW_PCMU, pcm, codes, 65536);
	for (i = 0; i < 65536; i++) {
		int want = reference_ulaw_encode(pcm[i]);
		CHECK(codes[i] == want, "µ-law encode(%d) = 0x%02x, reference 0x%02x", pcm[i], codes[i], want);
		CHECK(ka_encode_sample(KA_LAW_PCMU, pcm[i]) == want, "µ-law encode_sample(%d)", pcm[i]);
	}
}

static void alaw_encode_all_65536_inputs(void)
{
	static int16_t pcm[65536];
	static uint8_t codes[65536];
	int i;
	for (i = 0; i < 65536; i++) pcm[i] = (int16_t)(i - 32768);
	ka_encode(KA_LAW_PCMA, pcm, codes, 65536);
	for (i = 0; i < 65536; i++) {
		int want = reference_alaw_encode(pcm[i]);
		CHECK(codes[i] == want, "A-law encode(%d) = 0x%02x, reference 0x%02x", pcm[i], codes[i], want);
		CHECK(ka_encode_sample(KA_LAW_PCMA, pcm[i]) == want, "A-law encode_sample(%d)", pcm[i]);
	}
}

static void decode_all_256_codes_of_each_law(void)
{
	uint8_t codes[256];
	int16_t pcm[256];
	int law, i;
	for (i = 0; i < 256; i++) codes[i] = (uint8_t)i;
	for (law = 0; law < 2; law++) {
		ka_decode(law, codes, pcm, 256);
		for (i = 0; i < 256; i++) {
			int want = law == KA_LAW_PCMU ? reference_ulaw_decode(i) : reference_alaw_decode(i);
			CHECK(pcm[i] == want, "law %d decode(0x%02x) = %d, reference %d", law, i, pcm[i], want);
			CHECK(ka_decode_sample(law, (uint8_t)i) == want, "law %d decode_sample(0x%02x)", law, i);
		}
	}
}

static void values_from_the_standard(void)
{
	/* Well-known points: silence, the largest magnitudes, the smallest steps. */
	CHECK(ka_encode_sample(KA_LAW_PCMU, 0) == 0xff, "µ-law 0");
	CHECK(ka_encode_sample(KA_LAW_PCMU, -1) == 0x7f, "µ-law -1");
	CHECK(ka_encode_sample(KA_LAW_PCMU, 32767) == 0x80, "µ-law max");
	CHECK(ka_encode_sample(KA_LAW_PCMU, -32768) == 0x00, "µ-law min");
	CHECK(ka_decode_sample(KA_LAW_PCMU, 0x80) == 32124, "µ-law 0x80");
	CHECK(ka_decode_sample(KA_LAW_PCMU, 0x00) == -32124, "µ-law 0x00");
	CHECK(ka_decode_sample(KA_LAW_PCMU, 0xff) == 0 && ka_decode_sample(KA_LAW_PCMU, 0x7f) == 0, "µ-law zeros");
	CHECK(ka_encode_sample(KA_LAW_PCMA, 0) == 0xd5, "A-law 0");
	CHECK(ka_encode_sample(KA_LAW_PCMA, -1) == 0x55, "A-law -1");
	CHECK(ka_encode_sample(KA_LAW_PCMA, 32767) == 0xaa, "A-law max");
	CHECK(ka_encode_sample(KA_LAW_PCMA, -32768) == 0x2a, "A-law min");
	CHECK(ka_decode_sample(KA_LAW_PCMA, 0xd5) == 8 && ka_decode_sample(KA_LAW_PCMA, 0x55) == -8, "A-law smallest");
	CHECK(ka_decode_sample(KA_LAW_PCMA, 0xaa) == 32256 && ka_decode_sample(KA_LAW_PCMA, 0x2a) == -32256, "A-law largest");
}

static void decode_then_encode_gives_the_code_back(void)
{
	int law, i;
	for (law = 0; law < 2; law++)
		for (i = 0; i < 256; i++) {
			int back = ka_encode_sample(law, ka_decode_sample(law, (uint8_t)i));
			int want = (law == KA_LAW_PCMU && i == 0x7f) ? 0xff : i; /* µ-law has two zeros */
			CHECK(back == want, "law %d: 0x%02x -> %d -> 0x%02x", law, i, ka_decode_sample(law, (uint8_t)i), back);
		}
}

static void encode_error_stays_within_half_a_step(void)
{
	int law, x;
	for (law = 0; law < 2; law++)
		for (x = -32768; x < 32768; x++) {
			int y = ka_decode_sample(law, ka_encode_sample(law, (int16_t)x));
			int error = abs(y - x), magnitude = abs(x);
			/* step in 16-bit units: A-law 16·2^(s-1), µ-law 8·2^s; half a step plus truncation */
			int limit = magnitude < 512 ? 16 : magnitude / 16 + 32;
			if (magnitude > 32124) limit = 700;
			CHECK(error <= limit, "law %d: %d -> %d", law, x, y);
		}
}

static void block_calls_equal_single_samples_at_every_length(void)
{
	int16_t pcm[37], back[37];
	uint8_t codes[37 + 1];
	int law, n, i;
	for (i = 0; i < 37; i++) pcm[i] = (int16_t)(i * 1789 - 30000);
	for (law = 0; law < 2; law++)
		for (n = 0; n <= 37; n++) {
			memset(codes, 0xa5, sizeof codes);
			ka_encode(law, pcm, codes, (size_t)n);
			for (i = 0; i < n; i++) CHECK(codes[i] == ka_encode_sample(law, pcm[i]), "law %d n %d i %d", law, n, i);
			CHECK(codes[n] == 0xa5, "encode wrote past %d", n);
			memset(back, 0x5a, sizeof back);
			ka_decode(law, codes, back, (size_t)n);
			for (i = 0; i < n; i++) CHECK(back[i] == ka_decode_sample(law, codes[i]), "decode law %d n %d i %d", law, n, i);
			if (n < 37) CHECK(back[n] == 0x5a5a, "decode wrote past %d", n);
		}
}

/* ---- mixer ---- */

static int16_t reference_mix(const int16_t *const *sources, const int32_t *gains, int count, int i)
{
	double sum = 0;
	int k;
	long long value;
	for (k = 0; k < count; k++) sum += (double)sources[k][i] * gains[k];
	value = (long long)floor(sum / 4096.0 + 0.5);
	return (int16_t)(value > 32767 ? 32767 : value < -32768 ? -32768 : value);
}

static uint32_t rng = 12345;
static int32_t next_random(void)
{
	rng = rng * 1103515245u + 12345u;
	return (int32_t)(rng >> 8);
}

static void mix_saturates_both_ways(void)
{
	int16_t a[20], b[20], out[20];
	const int16_t *sources[2] = { a, b };
	int32_t gains[2] = { KA_GAIN_UNITY, KA_GAIN_UNITY };
	int i;
	for (i = 0; i < 20; i++) {
		a[i] = (int16_t)(i < 10 ? 30000 : -30000);
		b[i] = (int16_t)(i < 10 ? 10000 : -10000);
	}
	ka_mix(out, 20, sources, gains, 2);
	for (i = 0; i < 20; i++) CHECK(out[i] == (i < 10 ? 32767 : -32768), "out[%d] = %d", i, out[i]);
	gains[0] = 65536; /* 16x, the generic path */
	ka_mix(out, 20, sources, gains, 1);
	for (i = 0; i < 20; i++) CHECK(out[i] == (i < 10 ? 32767 : -32768), "16x out[%d] = %d", i, out[i]);
}

static void mix_matches_a_floating_point_reference(void)
{
	static int16_t src[5][173], out[173];
	const int16_t *sources[5];
	int32_t gains[5];
	int round, count, k, i;
	for (k = 0; k < 5; k++) sources[k] = src[k];
	for (round = 0; round < 400; round++) {
		int n = 1 + round % 173;
		count = round % 6;
		for (k = 0; k < count; k++) {
			for (i = 0; i < n; i++) src[k][i] = (int16_t)(next_random() & 0xffff);
			gains[k] = round % 7 == 0 ? KA_GAIN_UNITY : next_random() % (round % 3 == 0 ? 65537 : 32768);
		}
		ka_mix(out, (size_t)n, sources, gains, (size_t)count);
		for (i = 0; i < n; i++) {
			int16_t want = reference_mix(sources, gains, count, i);
			CHECK(out[i] == want, "round %d count %d i %d: %d, want %d", round, count, i, out[i], want);
		}
	}
}

static void mix_rounds_to_nearest(void)
{
	int16_t a[4] = { 1, 3, -1, -3 }, b[4] = { 0, 0, 0, 0 }, out[4];
	const int16_t *sources[2] = { a, b };
	int32_t gains[2] = { 2048, 0 }; /* halve: 0.5, 1.5, -0.5, -1.5 */
	ka_mix(out, 4, sources, gains, 2);
	CHECK(out[0] == 1 && out[1] == 2 && out[2] == 0 && out[3] == -1, "%d %d %d %d", out[0], out[1], out[2], out[3]);
	ka_mix(out, 4, sources, gains, 1);
	CHECK(out[0] == 1 && out[1] == 2 && out[2] == 0 && out[3] == -1, "one source: %d %d %d %d", out[0], out[1], out[2], out[3]);
}

static void mix_in_place_into_a_source(void)
{
	int16_t a[30], b[30], want[30];
	const int16_t *sources[2];
	int32_t gains[2] = { 3000, 5000 };
	int i;
	for (i = 0; i < 30; i++) {
		a[i] = (int16_t)(i * 1000 - 15000);
		b[i] = (int16_t)(20000 - i * 999);
	}
	sources[0] = a;
	sources[1] = b;
	for (i = 0; i < 30; i++) want[i] = reference_mix(sources, gains, 2, i);
	ka_mix(a, 30, sources, gains, 2);
	CHECK(memcmp(a, want, sizeof want) == 0, "in place into the first source");
}

static void mix_of_no_source_is_silence(void)
{
	int16_t out[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	ka_mix(out, 9, NULL, NULL, 0);
	for (int i = 0; i < 9; i++) CHECK(out[i] == 0, "out[%d]", i);
}

/* ---- tone ---- */

/* Amplitude of the component at `frequency` (least squares over whole periods). */
static double amplitude_at(const int16_t *x, int n, double frequency, double rate)
{
	double c = 0, s = 0;
	int i;
	for (i = 0; i < n; i++) {
		c += x[i] * cos(2 * M_PI * frequency * i / rate);
		s += x[i] * sin(2 * M_PI * frequency * i / rate);
	}
	return 2 * sqrt(c * c + s * s) / n;
}

static double rms(const int16_t *x, int n)
{
	double sum = 0;
	int i;
	for (i = 0; i < n; i++) sum += (double)x[i] * x[i];
	return sqrt(sum / n);
}

static void tone_has_the_frequency_and_amplitude_asked_for(void)
{
	static int16_t out[8000];
	int32_t state[KA_TONE_STATE_WORDS];
	const double freqs[3] = { 425, 1000, 440 };
	int f, i;
	for (f = 0; f < 3; f++) {
		int crossings = 0, peak = 0;
		CHECK(ka_tone_init(state, freqs[f], 8000, 16000) == 0, "init");
		CHECK(ka_tone_fill(state, out, 8000) == 0, "fill");
		for (i = 1; i < 8000; i++) {
			if ((out[i - 1] < 0) != (out[i] < 0)) crossings++;
			if (abs(out[i]) > peak) peak = abs(out[i]);
		}
		CHECK(abs(crossings - (int)(2 * freqs[f])) <= 1, "%g Hz: %d zero crossings in 1 s", freqs[f], crossings);
		CHECK(peak >= 15990 && peak <= 16000, "peak %d", peak);
		{
			/* purity: what is left after removing the fundamental is below -70 dB */
			double a = amplitude_at(out, 8000, freqs[f], 8000), total = rms(out, 8000);
			double residual = sqrt(fabs(total * total - a * a / 2));
			CHECK(fabs(a - 16000) < 3, "%g Hz: amplitude %f", freqs[f], a);
			CHECK(20 * log10(residual / (a / sqrt(2))) < -70, "%g Hz: residual %f", freqs[f], residual);
		}
	}
}

static void tone_phase_continues_across_fills(void)
{
	static int16_t whole[8000], parts[8000];
	int32_t a[KA_TONE_STATE_WORDS], b[KA_TONE_STATE_WORDS];
	int i;
	ka_tone_init(a, 425, 8000, 12000);
	ka_tone_init(b, 425, 8000, 12000);
	ka_tone_fill(a, whole, 8000);
	for (i = 0; i < 8000; i += 160) ka_tone_fill(b, parts + i, 160);
	CHECK(memcmp(whole, parts, sizeof whole) == 0, "160-sample frames differ from one fill");
	CHECK(a[1] == b[1], "phase");
}

static void tone_rejects_bad_arguments(void)
{
	int32_t state[KA_TONE_STATE_WORDS] = { 0 };
	int16_t out[4] = { 7, 7, 7, 7 };
	CHECK(ka_tone_fill(state, out, 4) == -1 && out[0] == 7, "fill of a state never initialised");
	CHECK(ka_tone_init(state, 4000, 8000, 100) == -1, "Nyquist");
	CHECK(ka_tone_init(state, -1, 8000, 100) == -1, "negative frequency");
	CHECK(ka_tone_init(state, NAN, 8000, 100) == -1, "NaN frequency");
	CHECK(ka_tone_init(state, 400, 0, 100) == -1, "rate 0");
	CHECK(ka_tone_init(state, 400, 8000, 32768) == -1, "amplitude too large");
	CHECK(ka_tone_init(state, 400, 8000, -1) == -1, "negative amplitude");
	CHECK(ka_tone_init(state, 0, 8000, 100) == 0, "0 Hz is silence");
	ka_tone_fill(state, out, 4);
	CHECK(out[0] == 0 && out[3] == 0, "silence");
}

/* ---- resampler ---- */

static double filter_gain_db(double frequency, double rate)
{
	double h = 0.5;
	int p;
	for (p = 0; p < KA_HALFBAND_PAIRS; p++) h += 2 * ka_halfband_q15[p] / 32768.0 * cos(2 * M_PI * frequency * (2 * p + 1) / rate);
	return 20 * log10(fabs(h) + 1e-12);
}

static void filter_response_from_its_coefficients(void)
{
	double f, worstPass = 0, worstStop = -200;
	int sum = 0, p;
	for (p = 0; p < KA_HALFBAND_PAIRS; p++) sum += ka_halfband_q15[p];
	CHECK(sum == 8192, "DC gain: taps sum to %d", sum);
	for (f = 0; f <= 3400; f += 5) {
		double g = fabs(filter_gain_db(f, 16000));
		if (g > worstPass) worstPass = g;
	}
	for (f = 4600; f <= 8000; f += 5) {
		double g = filter_gain_db(f, 16000);
		if (g > worstStop) worstStop = g;
	}
	printf("# half-band FIR: passband 0-3400 Hz within ±%.4f dB, stopband 4600-8000 Hz at %.1f dB\n", worstPass, worstStop);
	CHECK(worstPass < 0.02, "passband ripple %f dB", worstPass);
	CHECK(worstStop < -60, "stopband %f dB", worstStop);
}

static void downsample_keeps_the_passband_and_removes_aliases(void)
{
	static int16_t in[16000], out[8000];
	double f, worstPass = 0, worstStop = -200;
	int i;
	for (f = 100; f <= 7900; f += 100) {
		int16_t state[KA_RESAMPLER_STATE_SAMPLES] = { 0 };
		double a, gain;
		if (f > 3400 && f < 4600) continue;
		for (i = 0; i < 16000; i++) in[i] = (int16_t)lround(20000 * sin(2 * M_PI * f * i / 16000));
		for (i = 0; i < 16000; i += 320) ka_downsample(state, in + i, 320, out + i / 2);
		/* skip the filter's start (64 outputs), measure over 7,800 samples = whole periods */
		if (f <= 3400) {
			a = amplitude_at(out + 200, 7800, f, 8000);
			gain = fabs(20 * log10(a / 20000));
			if (gain > worstPass) worstPass = gain;
		}
		else {
			gain = 20 * log10(rms(out + 200, 7800) / (20000 / sqrt(2)));
			if (gain > worstStop) worstStop = gain;
		}
	}
	printf("# downsample 16->8 kHz, measured: passband within ±%.4f dB, aliases from 4600-7900 Hz at %.1f dB\n", worstPass, worstStop);
	CHECK(worstPass < 0.05, "passband %f dB", worstPass);
	CHECK(worstStop < -60, "stopband %f dB", worstStop);
}

static void upsample_keeps_the_passband_and_removes_images(void)
{
	static int16_t in[8000], out[16000];
	double f, worstPass = 0, worstImage = -200;
	int i;
	for (f = 100; f <= 3400; f += 100) {
		int16_t state[KA_RESAMPLER_STATE_SAMPLES] = { 0 };
		double a, image;
		for (i = 0; i < 8000; i++) in[i] = (int16_t)lround(20000 * sin(2 * M_PI * f * i / 8000));
		for (i = 0; i < 8000; i += 160) ka_upsample(state, in + i, 160, out + 2 * i);
		a = amplitude_at(out + 400, 15600, f, 16000);
		image = amplitude_at(out + 400, 15600, 8000 - f, 16000);
		if (fabs(20 * log10(a / 20000)) > worstPass) worstPass = fabs(20 * log10(a / 20000));
		if (20 * log10(image / 20000) > worstImage) worstImage = 20 * log10(image / 20000);
	}
	printf("# upsample 8->16 kHz, measured: passband within ±%.4f dB, images at %.1f dB\n", worstPass, worstImage);
	CHECK(worstPass < 0.05, "passband %f dB", worstPass);
	CHECK(worstImage < -60, "images %f dB", worstImage);
}

static void resampler_state_makes_frames_seamless(void)
{
	static int16_t in[4000], once[2000], framed[2000], up1[8000], up2[8000];
	int16_t s1[KA_RESAMPLER_STATE_SAMPLES] = { 0 }, s2[KA_RESAMPLER_STATE_SAMPLES] = { 0 };
	int i, at;
	for (i = 0; i < 4000; i++) in[i] = (int16_t)(next_random() % 20000);
	ka_downsample(s1, in, 4000, once);
	for (at = 0, i = 0; at < 4000; i++) {
		int n = 2 * (1 + i % 150); /* frames of 2 to 300 samples */
		if (at + n > 4000) n = 4000 - at;
		ka_downsample(s2, in + at, (size_t)n, framed + at / 2);
		at += n;
	}
	CHECK(memcmp(once, framed, sizeof once) == 0, "downsample: framed output differs");
	memset(s1, 0, sizeof s1);
	memset(s2, 0, sizeof s2);
	ka_upsample(s1, in, 4000, up1);
	for (at = 0, i = 0; at < 4000; i++) {
		int n = 1 + i % 170;
		if (at + n > 4000) n = 4000 - at;
		ka_upsample(s2, in + at, (size_t)n, up2 + 2 * at);
		at += n;
	}
	CHECK(memcmp(up1, up2, sizeof up1) == 0, "upsample: framed output differs");
}

static void resampler_passes_dc_exactly_and_saturates(void)
{
	int16_t in[400], out[800];
	int16_t state[KA_RESAMPLER_STATE_SAMPLES] = { 0 };
	int i;
	for (i = 0; i < 400; i++) in[i] = 12345;
	ka_downsample(state, in, 400, out);
	for (i = 60; i < 200; i++) CHECK(out[i] == 12345, "down DC out[%d] = %d", i, out[i]);
	memset(state, 0, sizeof state);
	ka_upsample(state, in, 400, out);
	for (i = 120; i < 800; i++) CHECK(out[i] == 12345, "up DC out[%d] = %d", i, out[i]);
	/* a full-scale square wave overshoots: the output saturates instead of wrapping */
	for (i = 0; i < 400; i++) in[i] = (int16_t)((i / 8) % 2 ? 32767 : -32768);
	memset(state, 0, sizeof state);
	ka_upsample(state, in, 400, out);
	{
		int wrapped = 0;
		for (i = 100; i < 800; i++)
			if ((in[(i - 60) / 2] > 0 && out[i] < -20000 && out[i - 1] > 20000)) wrapped++;
		CHECK(wrapped == 0, "wrapped %d", wrapped);
	}
}

int main(void)
{
	RUN(ulaw_encode_all_65536_inputs);
	RUN(alaw_encode_all_65536_inputs);
	RUN(decode_all_256_codes_of_each_law);
	RUN(values_from_the_standard);
	RUN(decode_then_encode_gives_the_code_back);
	RUN(encode_error_stays_within_half_a_step);
	RUN(block_calls_equal_single_samples_at_every_length);
	RUN(mix_saturates_both_ways);
	RUN(mix_matches_a_floating_point_reference);
	RUN(mix_rounds_to_nearest);
	RUN(mix_in_place_into_a_source);
	RUN(mix_of_no_source_is_silence);
	RUN(tone_has_the_frequency_and_amplitude_asked_for);
	RUN(tone_phase_continues_across_fills);
	RUN(tone_rejects_bad_arguments);
	RUN(filter_response_from_its_coefficients);
	RUN(downsample_keeps_the_passband_and_removes_aliases);
	RUN(upsample_keeps_the_passband_and_removes_images);
	RUN(resampler_state_makes_frames_seamless);
	RUN(resampler_passes_dc_exactly_and_saturates);
	return failed_tests ? 1 : 0;
}
