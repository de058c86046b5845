/*
 * One 20 ms frame of call audio: decode 160 G.711 codes, mix them with a second source (a
 * chime at half gain), encode the mix. frame_core uses the audio core; frame_reference is a
 * straightforward per-sample codec and mixer (G.191 formulation), built the same way.
 * Run under `valgrind --tool=callgrind --toggle-collect=frame_core` (or frame_reference): the
 * collected instruction count divided by FRAMES is the cost per frame.
 *
 *   frame_bench FRAMES LAW     checks both paths give identical codes for every frame
 */
#include <stdio.h>
#include <stdlib.h>

#include "../g711_formulas.h"
#include "../klingel_audio.h"

#define N 160
#define DISTINCT 50

static int law;

__attribute__((noinline)) void frame_core(const uint8_t *in, const int16_t *chime, uint8_t *out)
{
	int16_t decoded[N], mixed[N];
	const int16_t *sources[2];
	int32_t gains[2] = { KA_GAIN_UNITY, KA_GAIN_UNITY / 2 };
	sources[0] = decoded;
	sources[1] = chime;
	ka_decode(law, in, decoded, N);
	ka_mix(mixed, N, sources, gains, 2);
	ka_encode(law, mixed, out, N);
}

__attribute__((noinline)) void frame_reference(const uint8_t *in, const int16_t *chime, uint8_t *out)
{
	int i;
	for (i = 0; i < N; i++) {
		int a = law ? alaw_value(in[i]) : ulaw_value(in[i]);
		int v = (a * KA_GAIN_UNITY + chime[i] * (KA_GAIN_UNITY / 2) + 2048) >> 12;
		if (v > 32767) v = 32767;
		if (v < -32768) v = -32768;
		out[i] = (uint8_t)(law ? alaw_code(v) : ulaw_code(v));
	}
}

int main(int argc, char **argv)
{
	static uint8_t in[DISTINCT][N], outCore[N], outReference[N];
	static int16_t chime[DISTINCT][N], speech[N];
	int32_t tone[KA_TONE_STATE_WORDS], voice[KA_TONE_STATE_WORDS];
	int frames, f, i;
	uint32_t noise = 1;
	if (argc != 3) {
		fprintf(stderr, "usage: frame_bench FRAMES LAW(0 µ-law, 1 A-law)\n");
		return 2;
	}
	frames = atoi(argv[1]);
	law = atoi(argv[2]);
	/* received audio: a 300 Hz tone plus noise, encoded; the chime: 880 Hz */
	ka_tone_init(voice, 300, 8000, 20000);
	ka_tone_init(tone, 880, 8000, 16000);
	for (f = 0; f < DISTINCT; f++) {
		ka_tone_fill(voice, speech, N);
		for (i = 0; i < N; i++) {
			noise = noise * 1664525u + 1013904223u;
			speech[i] = (int16_t)(speech[i] + (int16_t)((noise >> 16) & 0x0fff) - 0x800);
		}
		ka_encode(law, speech, in[f], N);
		ka_tone_fill(tone, chime[f], N);
	}
	for (f = 0; f < frames; f++) {
		frame_core(in[f % DISTINCT], chime[f % DISTINCT], outCore);
		frame_reference(in[f % DISTINCT], chime[f % DISTINCT], outReference);
		for (i = 0; i < N; i++) {
			if (outCore[i] != outReference[i]) {
				fprintf(stderr, "frame %d sample %d: core 0x%02x, reference 0x%02x\n", f, i, outCore[i], outReference[i]);
				return 1;
			}
		}
	}
	printf("%d frames bit-exact\n", frames);
	return 0;
}
