/*
 * G.722 per 20 ms frame (320 samples at 16 kHz, 160 codes): encode, decode, both, for the core
 * and for the codec as first written (test/reference_g722.h, block by block, one sample at a
 * time), built the same way. Built portable (-DKA_NO_SIMD, -O2 without vectorisation), as the
 * ESP32 runs it; run under `valgrind --tool=callgrind --toggle-collect=FUNCTION`: the
 * collected instructions divided by FRAMES are the cost per frame. The input is a speech-like
 * mix (a gliding voiced tone with harmonics and noise) so that the ADPCM adapts as it does on
 * speech. Every frame, both give the same codes and samples, or the program fails.
 *
 *   g722_bench FRAMES
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../klingel_audio.h"
#include "../test/reference_g722.h"

#define N 320
#define DISTINCT 50

static ka_g722_state encoder, decoder, referenceEncoder, referenceDecoder;

__attribute__((noinline)) void g722_frame_encode(const int16_t *pcm, uint8_t *codes)
{
	ka_g722_encode(&encoder, pcm, N, codes);
}

__attribute__((noinline)) void g722_frame_decode(const uint8_t *codes, int16_t *pcm)
{
	ka_g722_decode(&decoder, codes, N / 2, pcm);
}

__attribute__((noinline)) void g722_frame_both(const int16_t *pcm, uint8_t *codes, int16_t *out)
{
	g722_frame_encode(pcm, codes);
	g722_frame_decode(codes, out);
}

__attribute__((noinline)) void g722_reference_encode(const int16_t *pcm, uint8_t *codes)
{
	reference_g722_encode(&referenceEncoder, pcm, N, codes);
}

__attribute__((noinline)) void g722_reference_decode(const uint8_t *codes, int16_t *pcm)
{
	reference_g722_decode(&referenceDecoder, codes, N / 2, pcm);
}

__attribute__((noinline)) void g722_reference_both(const int16_t *pcm, uint8_t *codes, int16_t *out)
{
	g722_reference_encode(pcm, codes);
	g722_reference_decode(codes, out);
}

int main(int argc, char **argv)
{
	static int16_t input[DISTINCT][N], out[N], referenceOut[N];
	static uint8_t codes[N / 2], referenceCodes[N / 2];
	uint32_t noise = 1;
	int frames, f, i;
	if (argc != 2) {
		fprintf(stderr, "usage: g722_bench FRAMES\n");
		return 2;
	}
	frames = atoi(argv[1]);
	for (f = 0; f < DISTINCT; f++)
		for (i = 0; i < N; i++) {
			double t = (f * N + i) / 16000.0, pitch = 120 + 40 * sin(2 * M_PI * 0.7 * t);
			double v = 6000 * sin(2 * M_PI * pitch * t) + 2500 * sin(2 * M_PI * 3 * pitch * t) + 900 * sin(2 * M_PI * 11 * pitch * t);
			noise = noise * 1664525u + 1013904223u;
			input[f][i] = (int16_t)(v + (int)((noise >> 20) & 0x3ff) - 512);
		}
	memset(&encoder, 0, sizeof encoder);
	memset(&decoder, 0, sizeof decoder);
	memset(&referenceEncoder, 0, sizeof referenceEncoder);
	memset(&referenceDecoder, 0, sizeof referenceDecoder);
	for (f = 0; f < frames; f++) {
		g722_frame_both(input[f % DISTINCT], codes, out);
		g722_reference_both(input[f % DISTINCT], referenceCodes, referenceOut);
		if (memcmp(codes, referenceCodes, sizeof codes) != 0 || memcmp(out, referenceOut, sizeof out) != 0) {
			fprintf(stderr, "frame %d: the core and the reference differ\n", f);
			return 1;
		}
	}
	printf("%d frames\n", frames);
	return 0;
}
