/*
 * G.711 the way the ITU-T G.191 reference software formulates it, one sample at a time:
 * one's complement magnitude, exponent found by shifting. gen_tables.c makes the core's tables
 * with it; the benchmark uses it as the straightforward per-sample reference codec.
 */
#ifndef KLINGEL_G711_FORMULAS_H
#define KLINGEL_G711_FORMULAS_H

static inline unsigned alaw_code(int x)
{
	int ix = (x < 0 ? ~x : x) >> 4; /* 0..2047 */
	if (ix > 15) {
		int exponent = 1;
		while (ix > 31) {
			ix >>= 1;
			exponent++;
		}
		ix = (ix - 16) + (exponent << 4);
	}
	if (x >= 0) ix |= 0x80;
	return (unsigned)(ix ^ 0x55);
}

static inline unsigned ulaw_code(int x)
{
	int biased = ((x < 0 ? ~x : x) >> 2) + 33;
	int segment = 1, rest, low;
	if (biased > 0x1fff) biased = 0x1fff;
	for (rest = biased >> 6; rest; rest >>= 1) segment++;
	low = 15 - ((biased >> segment) & 15);
	return (unsigned)((((8 - segment) << 4) | low) | (x >= 0 ? 0x80 : 0));
}

static inline int alaw_value(unsigned code)
{
	int ix = (int)(code ^ 0x55) & 0x7f;
	int exponent = ix >> 4, mantissa = ix & 15;
	if (exponent > 0) mantissa += 16;
	mantissa = (mantissa << 4) + 8;
	if (exponent > 1) mantissa <<= exponent - 1;
	return code > 127 ? mantissa : -mantissa;
}

static inline int ulaw_value(unsigned code)
{
	int complement = (int)(~code & 0xff);
	int exponent = (complement >> 4) & 7, mantissa = complement & 15;
	int step = 4 << (exponent + 1);
	int magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
	return code < 0x80 ? -magnitude : magnitude;
}

#endif
