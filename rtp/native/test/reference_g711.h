/*
 * An independent G.711 reference for the tests: the segment tables of ITU-T G.711 (Tables 1
 * and 2) searched linearly, with floor division instead of shifts. It shares no code or
 * formulation with gen_tables.c (one's complement and shifting exponent search).
 */
#ifndef KLINGEL_REFERENCE_G711_H
#define KLINGEL_REFERENCE_G711_H

/* floor(x / d) for d > 0 */
static int floor_div(int x, int d)
{
	return x >= 0 ? x / d : -((-x + d - 1) / d);
}

/* µ-law on the 14-bit scale: segment s holds magnitudes from MU_LOWER[s] + 1 (0 for s = 0). */
static const int MU_LOWER[8] = { -1, 31, 95, 223, 479, 991, 2015, 4063 };

static int reference_ulaw_encode(int x)
{
	int v = floor_div(x, 4), negative = v < 0;
	int magnitude = negative ? -v - 1 : v;
	int s = 7, step, q;
	while (s > 0 && magnitude < MU_LOWER[s]) s--;
	step = 2 << s;
	q = (magnitude - MU_LOWER[s]) / step;
	if (q > 15) q = 15;
	return (negative ? 0x7f : 0xff) - (16 * s + q);
}

static int reference_ulaw_decode(int code)
{
	int negative = code < 0x80;
	int t = (negative ? 0x7f : 0xff) - code, s = t / 16, q = t % 16;
	int step = 2 << s;
	int value = s == 0 ? 2 * q : MU_LOWER[s] + step * q + step / 2;
	return 4 * (negative ? -value : value);
}

/* A-law on the 13-bit scale. */
static const int A_LOWER[8] = { 0, 32, 64, 128, 256, 512, 1024, 2048 };
static const int A_STEP[8] = { 2, 2, 4, 8, 16, 32, 64, 128 };

static int reference_alaw_encode(int x)
{
	int v = floor_div(x, 8), negative = v < 0;
	int magnitude = negative ? -v - 1 : v;
	int s = 7;
	while (magnitude < A_LOWER[s]) s--;
	return (16 * s + (magnitude - A_LOWER[s]) / A_STEP[s] + (negative ? 0 : 128)) ^ 0x55;
}

static int reference_alaw_decode(int code)
{
	int raw = code ^ 0x55, negative = raw < 128;
	int s = (raw % 128) / 16, q = raw % 16;
	int value = A_LOWER[s] + A_STEP[s] * q + A_STEP[s] / 2;
	return 8 * (negative ? -value : value);
}

#endif
