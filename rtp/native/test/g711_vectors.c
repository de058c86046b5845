/*
 * Writes the reference G.711 results for the host test (test/host/native-audio.test.ts):
 * per law (µ-law, then A-law): the codes of all 65,536 inputs -32768..32767 (65,536 bytes),
 * their decoded values (65,536 int16, little-endian), and the 256 decoded codes (int16 LE).
 */
#include <stdio.h>

#include "reference_g711.h"

static void put16(FILE *f, int v)
{
	fputc(v & 0xff, f);
	fputc((v >> 8) & 0xff, f);
}

int main(int argc, char **argv)
{
	FILE *f;
	int law, x;
	if (argc != 2 || !(f = fopen(argv[1], "wb"))) {
		fprintf(stderr, "usage: g711_vectors OUTPUT\n");
		return 2;
	}
	for (law = 0; law < 2; law++) {
		for (x = -32768; x < 32768; x++) fputc(law ? reference_alaw_encode(x) : reference_ulaw_encode(x), f);
		for (x = -32768; x < 32768; x++) {
			int code = law ? reference_alaw_encode(x) : reference_ulaw_encode(x);
			put16(f, law ? reference_alaw_decode(code) : reference_ulaw_decode(code));
		}
		for (x = 0; x < 256; x++) put16(f, law ? reference_alaw_decode(x) : reference_ulaw_decode(x));
	}
	return fclose(f) == 0 ? 0 : 1;
}
