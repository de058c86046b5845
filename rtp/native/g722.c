/*
 * G.722 at 64 kbit/s (ITU-T G.722, mode 1): a 24-tap QMF splits 16 kHz audio into two 8 kHz
 * sub-bands, the lower coded by 6-bit ADPCM, the higher by 2-bit ADPCM; one byte per pair of
 * input samples, the higher band's bits on top. The arithmetic is the Recommendation's
 * fixed-point description (names in the comments are its block names), so that the bitstream
 * and the decoded samples are those of the ITU reference. The native tests compare both with
 * an independent implementation (libspandsp), and codes, samples and every state word with
 * the block-by-block form this codec was first written in (test/reference_g722.h).
 *
 * It is written for cost, as the device runs it for every 20 ms frame beside echo control:
 *   - a call works in passes over up to CHUNK codes, one per band, with the band's state in
 *     locals for the whole pass and its histories as windows sliding along arrays, so nothing
 *     is shifted per sample; the QMF runs in the lower band's pass when encoding and in the
 *     higher band's when decoding, over a window sliding along one buffer;
 *   - the QMF sums in 32 bits with no saturation per product (the bound is at qmf_a);
 *   - the step sizes (SCALEL, SCALEH) come from tables indexed by the log scale factor;
 *   - the lower band's quantiser finds its interval by one multiply with the reciprocal of
 *     the step size, a table and one comparison;
 *   - block 4 saturates only where a 16-bit result can leave the range (each dropped
 *     saturation has its bound at the place), each saturation is one unsigned comparison and
 *     a branch that is rarely taken (the three at PREDIC one comparison for all), and the
 *     zero predictor's sign-sign update costs no multiply or select per tap;
 *   - the tables the loops add or multiply from are 32-bit and their indices unsigned, so a
 *     lookup is one load with no sign extension.
 * A call takes about 1.5 KB of stack (CHUNK 40) and allocates nothing; the tables are 3 KB
 * of constant data (flash on the ESP32).
 *
 * The state holds what the blocks carry from one sample to the next, in the words it always
 * had. Any bit pattern is a state the code can run from (the XS binding hands JS memory in):
 * the log scale factors are limited when a pass loads them, and no other value can make an
 * index leave its table or a 32-bit product overflow. From the states the codec reaches (all
 * zeros and what follows) it computes exactly what the Recommendation's blocks do.
 */
#include "klingel_audio.h"

#define NBL_MAX 18432 /* LOGSCL's limit */
#define NBH_MAX 22528 /* LOGSCH's limit */
#define CHUNK 40      /* codes per pass: 20 ms is four passes */

#if defined(__GNUC__)
#define INLINE inline __attribute__((always_inline))
#define RARELY(condition) __builtin_expect((condition), 0)
#define COLD __attribute__((cold, noinline))
#else
#define INLINE inline
#define RARELY(condition) (condition)
#define COLD
#endif

/* The tables the per-sample code reads, in one object: one base address for all of them. */
static const struct {
	/* QUANTL's decision levels in units of DETL / 4096: [m] is the upper level of interval m */
	int16_t q6[30];
	/* the 6-bit code by how many levels lie below the magnitude, for el >= 0, then at 32 for el < 0 */
	uint8_t code6[64];
	/* INVQBL (the decoder's output), Q15 of DETL, by the 6-bit code */
	int32_t qm6[64];
	/* INVQAL (the predictor's input) by the code's top four bits */
	int32_t qm4[16];
	/* LOGSCL's multiplier (WL of the class RIL) by the code's top four bits */
	int32_t wl4[16];
	/* the higher band: INVQAH and LOGSCH's multiplier by the 2-bit code */
	int32_t qm2[4], wh2[4];
	/*
	 * SCALEL and SCALEH: the step size for a log scale factor nb is a function of i = nb >> 6,
	 * ((ILB[i & 31] << (i >> 5)) >> 8) << 2 for the lower band, >> 10 for the higher, with
	 * ILB[j] = 2^(j / 32) in Q11 (the tests run every nb against the reference).
	 */
	int16_t detl[NBL_MAX / 64 + 1], deth[NBH_MAX / 64 + 1];
	/* floor(2^32 / DETL) by nb >> 6, like detl: QUANTL divides by DETL with it */
	uint32_t recipl[NBL_MAX / 64 + 1];
	/* how many of QUANTL's levels [1..29] are at most 32·i, for i up to 91 (2912) */
	uint8_t below[92];
} tables = {
	{ 0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858,
		940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919 },
	{ 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40,
		39, 38, 37, 36, 35, 34, 33, 32, 32, 32,
		63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12,
		11, 10, 9, 8, 7, 6, 5, 4, 4, 4 },
	{ -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192,
		-10232, -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
		-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704,
		14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
		4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728,
		432, 136, -432, -136 },
	{ 0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
		20456, 12896, 8968, 6288, 4240, 2584, 1200, 0 },
	{ -60, 3042, 1198, 538, 334, 172, 58, -30, 3042, 1198, 538, 334, 172, 58, -30, -60 },
	{ -7408, -1616, 7408, 1616 },
	{ 798, -214, 798, -214 },
	{
		32, 32, 32, 32, 32, 32, 36, 36, 36, 36, 36, 40, 40, 40,
		40, 44, 44, 44, 44, 48, 48, 48, 48, 52, 52, 52, 56, 56,
		56, 56, 60, 60, 64, 64, 64, 68, 68, 68, 72, 72, 76, 76,
		76, 80, 80, 84, 84, 88, 88, 92, 92, 96, 96, 100, 100, 104,
		104, 108, 112, 112, 116, 116, 120, 124, 128, 128, 132, 136, 136, 140,
		144, 148, 152, 152, 156, 160, 164, 168, 172, 176, 180, 184, 188, 192,
		196, 200, 204, 208, 212, 220, 224, 228, 232, 236, 244, 248, 256, 260,
		264, 272, 276, 284, 288, 296, 304, 308, 316, 324, 332, 336, 344, 352,
		360, 368, 376, 384, 392, 400, 412, 420, 428, 440, 448, 456, 468, 476,
		488, 500, 512, 520, 532, 544, 556, 568, 580, 592, 608, 620, 632, 648,
		664, 676, 692, 708, 724, 740, 756, 772, 788, 804, 824, 840, 860, 880,
		896, 916, 936, 956, 980, 1000, 1024, 1044, 1068, 1092, 1116, 1140, 1164, 1188,
		1216, 1244, 1268, 1296, 1328, 1356, 1384, 1416, 1448, 1480, 1512, 1544, 1576, 1612,
		1648, 1684, 1720, 1760, 1796, 1836, 1876, 1916, 1960, 2004, 2048, 2092, 2136, 2184,
		2232, 2280, 2332, 2380, 2432, 2488, 2540, 2596, 2656, 2712, 2772, 2832, 2896, 2960,
		3024, 3088, 3156, 3228, 3296, 3368, 3444, 3520, 3596, 3676, 3756, 3836, 3920, 4008,
		4096, 4184, 4276, 4372, 4464, 4564, 4664, 4764, 4868, 4976, 5084, 5196, 5312, 5428,
		5548, 5668, 5792, 5920, 6048, 6180, 6316, 6456, 6596, 6740, 6888, 7040, 7192, 7352,
		7512, 7676, 7844, 8016, 8192, 8372, 8556, 8744, 8932, 9128, 9328, 9532, 9740, 9956,
		10172, 10396, 10624, 10856, 11096, 11336, 11584, 11840, 12100, 12364, 12632, 12912, 13192, 13484,
		13776, 14080, 14388, 14704, 15024, 15352, 15688, 16032, 16384
	},
	{
		8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
		8, 8, 8, 8, 8, 12, 12, 12, 12, 12, 12, 12, 12, 12,
		12, 12, 12, 12, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
		16, 20, 20, 20, 20, 20, 20, 20, 20, 24, 24, 24, 24, 24,
		24, 24, 28, 28, 28, 28, 28, 28, 32, 32, 32, 32, 32, 32,
		36, 36, 36, 36, 36, 40, 40, 40, 40, 44, 44, 44, 44, 48,
		48, 48, 48, 52, 52, 52, 56, 56, 56, 56, 60, 60, 64, 64,
		64, 68, 68, 68, 72, 72, 76, 76, 76, 80, 80, 84, 84, 88,
		88, 92, 92, 96, 96, 100, 100, 104, 104, 108, 112, 112, 116, 116,
		120, 124, 128, 128, 132, 136, 136, 140, 144, 148, 152, 152, 156, 160,
		164, 168, 172, 176, 180, 184, 188, 192, 196, 200, 204, 208, 212, 220,
		224, 228, 232, 236, 244, 248, 256, 260, 264, 272, 276, 284, 288, 296,
		304, 308, 316, 324, 332, 336, 344, 352, 360, 368, 376, 384, 392, 400,
		412, 420, 428, 440, 448, 456, 468, 476, 488, 500, 512, 520, 532, 544,
		556, 568, 580, 592, 608, 620, 632, 648, 664, 676, 692, 708, 724, 740,
		756, 772, 788, 804, 824, 840, 860, 880, 896, 916, 936, 956, 980, 1000,
		1024, 1044, 1068, 1092, 1116, 1140, 1164, 1188, 1216, 1244, 1268, 1296, 1328, 1356,
		1384, 1416, 1448, 1480, 1512, 1544, 1576, 1612, 1648, 1684, 1720, 1760, 1796, 1836,
		1876, 1916, 1960, 2004, 2048, 2092, 2136, 2184, 2232, 2280, 2332, 2380, 2432, 2488,
		2540, 2596, 2656, 2712, 2772, 2832, 2896, 2960, 3024, 3088, 3156, 3228, 3296, 3368,
		3444, 3520, 3596, 3676, 3756, 3836, 3920, 4008, 4096, 4184, 4276, 4372, 4464, 4564,
		4664, 4764, 4868, 4976, 5084, 5196, 5312, 5428, 5548, 5668, 5792, 5920, 6048, 6180,
		6316, 6456, 6596, 6740, 6888, 7040, 7192, 7352, 7512, 7676, 7844, 8016, 8192, 8372,
		8556, 8744, 8932, 9128, 9328, 9532, 9740, 9956, 10172, 10396, 10624, 10856, 11096, 11336,
		11584, 11840, 12100, 12364, 12632, 12912, 13192, 13484, 13776, 14080, 14388, 14704, 15024, 15352,
		15688, 16032, 16384
	},
	{
		134217728, 134217728, 134217728, 134217728, 134217728, 134217728, 119304647, 119304647, 119304647,
		119304647, 119304647, 107374182, 107374182, 107374182, 107374182, 97612893, 97612893, 97612893,
		97612893, 89478485, 89478485, 89478485, 89478485, 82595524, 82595524, 82595524, 76695844,
		76695844, 76695844, 76695844, 71582788, 71582788, 67108864, 67108864, 67108864, 63161283,
		63161283, 63161283, 59652323, 59652323, 56512727, 56512727, 56512727, 53687091, 53687091,
		51130563, 51130563, 48806446, 48806446, 46684427, 46684427, 44739242, 44739242, 42949672,
		42949672, 41297762, 41297762, 39768215, 38347922, 38347922, 37025580, 37025580, 35791394,
		34636833, 33554432, 33554432, 32537631, 31580641, 31580641, 30678337, 29826161, 29020049,
		28256363, 28256363, 27531841, 26843545, 26188824, 25565281, 24970740, 24403223, 23860929,
		23342213, 22845570, 22369621, 21913098, 21474836, 21053761, 20648881, 20259279, 19522578,
		19173961, 18837575, 18512790, 18199013, 17602324, 17318416, 16777216, 16519104, 16268815,
		15790320, 15561475, 15123124, 14913080, 14510024, 14128181, 13944699, 13591668, 13256071,
		12936648, 12782640, 12485370, 12201611, 11930464, 11671106, 11422785, 11184810, 10956549,
		10737418, 10424677, 10226112, 10034970, 9761289, 9586980, 9418787, 9177280, 9023040,
		8801162, 8589934, 8388608, 8259552, 8073246, 7895160, 7724761, 7561562, 7405116,
		7255012, 7064090, 6927366, 6795834, 6628035, 6468324, 6353501, 6206600, 6066337,
		5932275, 5804009, 5681173, 5563429, 5450466, 5341999, 5212338, 5113056, 4994148,
		4880644, 4793490, 4688828, 4588640, 4492643, 4382619, 4294967, 4194304, 4113953,
		4021504, 3933120, 3848537, 3767515, 3689834, 3615292, 3532045, 3452546, 3387198,
		3314017, 3234162, 3167380, 3103300, 3033168, 2966137, 2902004, 2840586, 2781714,
		2725233, 2664371, 2606169, 2550455, 2497074, 2440322, 2391407, 2339306, 2289428,
		2241632, 2191309, 2143197, 2097152, 2053043, 2010752, 1966560, 1924268, 1883757,
		1841752, 1804608, 1766022, 1726273, 1690932, 1654455, 1617081, 1583690, 1549411,
		1516584, 1483068, 1451002, 1420293, 1390857, 1360889, 1330535, 1303084, 1275227,
		1247086, 1220161, 1194373, 1168380, 1143495, 1119647, 1095654, 1071598, 1048576,
		1026521, 1004435, 982380, 962134, 941053, 920876, 901546, 882285, 863136,
		844800, 826591, 808540, 791261, 774146, 757757, 741534, 725501, 710146,
		694978, 680013, 665267, 651147, 637235, 623543, 610080, 597186, 584190,
		571747, 559531, 547548, 535799, 524288, 513015, 501983, 491190, 480851,
		470526, 460438, 450584, 440961, 431394, 422234, 413136, 404270, 395630,
		387073, 378878, 370767, 362750, 354955, 347376, 340006, 332633, 325573,
		318523, 311771, 305040, 298510, 292095, 285873, 279765, 273774, 267899,
		262144
	},
	{
		0, 0, 1, 2, 3, 4, 5, 5, 6, 7, 7, 8, 9, 9, 10, 11, 11, 12, 12, 13, 13, 14, 14,
		15, 15, 16, 16, 17, 17, 17, 18, 18, 19, 19, 19, 19, 20, 20, 20, 21, 21, 21, 22, 22, 22, 22,
		23, 23, 23, 23, 23, 24, 24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 26, 26, 26, 26, 26, 26, 26,
		27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28
	},
};

/*
 * The QMF's two sums over the last 24 values x[0..23], oldest first: a = Σ h(2i)·x(23 - 2i)
 * over the newer value of each pair, b = Σ h(2i+1)·x(22 - 2i), with h0..h23 = 3, -11, -11, 53,
 * 12, -156, 32, 362, -210, -805, 951, 3876 and back (symmetric). Σ|h| over either half is
 * 6,482, so with |x| ≤ 32,768 each sum stays within ±212,402,176 and a ± b within
 * ±424,804,352: 32 bits hold every product and partial sum without saturation.
 */
static inline int32_t qmf_a(const int32_t *x)
{
	return 3 * x[23] - 11 * x[21] + 12 * x[19] + 32 * x[17] - 210 * x[15] + 951 * x[13] +
		3876 * x[11] - 805 * x[9] + 362 * x[7] - 156 * x[5] + 53 * x[3] - 11 * x[1];
}

static inline int32_t qmf_b(const int32_t *x)
{
	return -11 * x[22] + 53 * x[20] - 156 * x[18] + 362 * x[16] - 805 * x[14] + 3876 * x[12] +
		951 * x[10] - 210 * x[8] + 32 * x[6] + 12 * x[4] - 11 * x[2] + 3 * x[0];
}

/*
 * Saturation and limits as one unsigned comparison: a value in range (nearly always) costs an
 * add, a compare and a branch not taken; the rare value beyond goes through a call, which the
 * compiler cannot turn back into conditional moves on every sample.
 */
static COLD int32_t beyond(int32_t v, int32_t low, int32_t high)
{
	return v < low ? low : high;
}

static inline int32_t sat16(int32_t v)
{
	if (RARELY((uint32_t)v + 32768u > 65535u)) v = beyond(v, -32768, 32767);
	return v;
}

/* LIMIT: the decoder's reconstructed sub-band signals to 14 bits */
static inline int32_t limit14(int32_t v)
{
	if (RARELY((uint32_t)v + 16384u > 32767u)) v = beyond(v, -16384, 16383);
	return v;
}

/* v limited to [-limit, limit], limit >= 0 */
static inline int32_t clamp_symmetric(int32_t v, int32_t limit)
{
	if (RARELY((uint32_t)v + (uint32_t)limit > 2u * (uint32_t)limit)) v = beyond(v, -limit, limit);
	return v;
}

/* v limited to [-256, 255] */
static INLINE int32_t clamp256(int32_t v)
{
	return v < -256 ? -256 : v > 255 ? 255 : v;
}

/* v limited to [0, limit] */
static inline int32_t clamp_positive(int32_t v, int32_t limit)
{
	if (RARELY((uint32_t)v > (uint32_t)limit)) v = beyond(v, 0, limit);
	return v;
}

/*
 * One band's state for a pass. The histories are windows sliding along arrays: the sample at
 * k sees its six previous quantised differences at dq[k..k+5] (oldest first) and writes its
 * own at dq[k+6], with the UPZERO step its sign gives (±128) at up[k+6]; likewise its RECONS
 * and PARREC sums at rq[k+2], pq[k+2], the previous two at [k+1] and [k]. Those sums are kept
 * before saturation: the loop needs only the signs of PARREC's (which saturation keeps) and
 * RECONS's 2·r saturated, which is the saturation of 2·sum; they are saturated once, into the
 * state, when the pass ends.
 */
typedef struct {
	int32_t s, sz, nb, r2, a1, a2; /* r2: saturate16(2·r) of the last sample */
	int32_t b[6];
	int32_t dq[6 + CHUNK], up[6 + CHUNK];
	int32_t rq[2 + CHUNK], pq[2 + CHUNK];
} band_vars;

/*
 * One of the six history words into the windows (i: 0 the newest), and back: written out six
 * times, cheaper than a loop in every pass.
 */
#define LOAD_HISTORY(i) \
	v->b[i] = band->b[i]; \
	v->dq[5 - (i)] = band->d[i]; \
	v->up[5 - (i)] = band->d[i] < 0 ? -128 : 128;
#define STORE_HISTORY(i) \
	band->b[i] = (int16_t)v->b[i]; \
	band->d[i] = (int16_t)v->dq[n + 5 - (i)];

static INLINE void band_load(const ka_g722_band *band, int32_t nbMax, band_vars *v)
{
	v->s = band->s;
	v->sz = band->sz;
	v->nb = clamp_positive(band->nb, nbMax); /* the one value that indexes a table */
	v->r2 = sat16(band->r[0] * 2);
	v->a1 = band->a[0];
	v->a2 = band->a[1];
	v->rq[0] = band->r[1];
	v->rq[1] = band->r[0];
	v->pq[0] = band->p[1];
	v->pq[1] = band->p[0];
	LOAD_HISTORY(0) LOAD_HISTORY(1) LOAD_HISTORY(2)
	LOAD_HISTORY(3) LOAD_HISTORY(4) LOAD_HISTORY(5)
}

static INLINE void band_store(ka_g722_band *band, const band_vars *v, size_t n)
{
	band->s = (int16_t)v->s;
	band->sz = (int16_t)v->sz;
	band->nb = (int16_t)v->nb;
	band->r[0] = (int16_t)sat16(v->rq[n + 1]);
	band->r[1] = (int16_t)sat16(v->rq[n]);
	band->p[0] = (int16_t)sat16(v->pq[n + 1]);
	band->p[1] = (int16_t)sat16(v->pq[n]);
	band->a[0] = (int16_t)v->a1;
	band->a[1] = (int16_t)v->a2;
	STORE_HISTORY(0) STORE_HISTORY(1) STORE_HISTORY(2)
	STORE_HISTORY(3) STORE_HISTORY(4) STORE_HISTORY(5)
}
#undef LOAD_HISTORY
#undef STORE_HISTORY

/*
 * Block 4 of either band for sample k's quantised difference d: RECONS, PARREC, UPPOL2,
 * UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC; leaves the next signal estimate in v->s. A
 * difference is |d| ≤ 10,228 (the largest step size, 16,384, times the largest INVQAL level,
 * 20,456, in Q15). Signs are those of the 16-bit values ((x ^ y) >= 0 compares them).
 */
static INLINE void block4(band_vars *v, size_t k, int32_t d)
{
	int32_t *dq = v->dq + k, *rq = v->rq + k, *pq = v->pq + k;
	const int32_t *up = v->up + k;
	int32_t r = v->s + d;  /* RECONS, before saturation */
	int32_t p = v->sz + d; /* PARREC, before saturation */
	int32_t same1 = (p ^ pq[1]) >= 0, same2 = (p ^ pq[0]) >= 0;
	int32_t a1 = v->a1, a2 = v->a2, w, sz, r2;

	/*
	 * UPPOL2 from the old a1 and a2, and UPPOL1's sign term (a branch: cheaper than selecting
	 * two values). The Recommendation's saturate16(±4·a1) >> 7 (the negated -32768 limited to
	 * 32767) is (±a1 >> 5) limited to [-256, 255], with no 16-bit step. Half the samples of
	 * speech reach a limit, so a rarely taken branch would not do; the two comparisons are
	 * written as a clamp, which the ESP32-S3's LX7 does in one instruction (CLAMPS, a signed
	 * clamp to [-2^8, 2^8 - 1]). A table of 2,049 limits was a little cheaper on x86 (about
	 * 1,900 instructions per frame) but took 4 KB of flash and a cache line per lookup there.
	 */
	if (same1) {
		w = clamp256(-a1 >> 5);
		a1 = ((a1 * 32640) >> 15) + 192;
	} else {
		w = clamp256(a1 >> 5);
		a1 = ((a1 * 32640) >> 15) - 192;
	}
	w += (same2 ? 128 : -128) + ((a2 * 32512) >> 15);
	a2 = clamp_symmetric(w, 12288);

	/*
	 * UPPOL1. |a1| ≤ 15360 + 12288 = 27,648 (its own limit), so ±192 + a1·32640 / 2^15 stays
	 * within 16 bits and needs no saturation; from any other stored a1 the result is still
	 * limited to ±(15360 - a2).
	 */
	a1 = clamp_symmetric(a1, 15360 - a2);

	/*
	 * UPZERO, DELAYA and FILTEZ in one pass over the six taps. The sign-sign step of tap i is
	 * the older difference's step (±128 by its sign) for d > 0, negated for d < 0, none for
	 * d = 0: two branches on d per sample pick the taps' code, with no multiply or select per
	 * tap, and the step d gives later samples (-128 for d < 0, else 128). A coefficient
	 * b·32640 / 2^15 lies within [-32640, 32639] for any 16-bit b, so b ± 128 needs no
	 * saturation. FILTEZ's (b·2d) >> 15 is (b·d) >> 14, a product below 2^30 for any 16-bit
	 * values.
	 */
	dq[6] = d;
	rq[2] = r;
	pq[2] = p;
	sz = 0;
#define TAP(i, STEP) \
	v->b[i] = ((v->b[i] * 32640) >> 15) STEP; \
	sz += (v->b[i] * dq[6 - (i)]) >> 14;
	if (d > 0) {
		v->up[k + 6] = 128;
		TAP(0, + up[5]) TAP(1, + up[4]) TAP(2, + up[3]) TAP(3, + up[2]) TAP(4, + up[1]) TAP(5, + up[0])
	} else if (d < 0) {
		v->up[k + 6] = -128;
		TAP(0, - up[5]) TAP(1, - up[4]) TAP(2, - up[3]) TAP(3, - up[2]) TAP(4, - up[1]) TAP(5, - up[0])
	} else {
		v->up[k + 6] = 128;
		TAP(0, ) TAP(1, ) TAP(2, ) TAP(3, ) TAP(4, ) TAP(5, )
	}
#undef TAP

	/*
	 * FILTEP and PREDIC; saturate16(2·saturate16(r)) is saturate16(2·r). FILTEZ's sum (six
	 * terms of up to 20,456 each) and FILTEP's can each leave 16 bits, and so can theirs; when
	 * both lie within 15 bits (nearly always) none of the three saturations can act: one test.
	 */
	r2 = sat16(r * 2);
	w = ((a1 * r2) >> 15) + ((a2 * v->r2) >> 15);
	if (RARELY((((uint32_t)w + 16384u) | ((uint32_t)sz + 16384u)) > 32767u)) {
		sz = sat16(sz);
		w = sat16(w);
		v->s = sat16(w + sz);
	} else {
		v->s = w + sz;
	}
	v->sz = sz;
	v->r2 = r2;
	v->a1 = a1;
	v->a2 = a2;
}

/* LOGSCL / LOGSCH: leak the log scale factor and add the multiplier of the code's class. */
static inline int32_t next_scale(int32_t nb, int32_t multiplier, int32_t limit)
{
	/* nb·127 >> 7 for nb >= 0 is nb - ceil(nb / 128) */
	return clamp_positive(nb - ((nb + 127) >> 7) + multiplier, limit);
}

/*
 * The transmit QMF and the lower band's encoder over n pairs of input, which it appends to the
 * window x (after the QMF's 22 newest values of history) as it goes: xL = (xA + xB) / 2^14 for
 * QUANTL, INVQAL, LOGSCL, SCALEL and block 4, and xH = (xA - xB) / 2^14 into xh for the higher
 * band (both within ±25,928).
 */
static void encode_low(ka_g722_band *band, const int16_t *pcm, int32_t *x, int16_t *xh, size_t n, uint8_t *codes)
{
	band_vars v;
	size_t k;
	band_load(band, NBL_MAX, &v);
	for (k = 0; k < n; k++) {
		int32_t qa, qb, det, el, bound;
		size_t bucket, m;
		uint32_t code, top;
		x[22 + 2 * k] = pcm[2 * k];
		x[23 + 2 * k] = pcm[2 * k + 1];
		qa = qmf_a(x + 2 * k);
		qb = qmf_b(x + 2 * k);
		det = tables.detl[(uint32_t)v.nb >> 6];
		/*
		 * SUBTRA's difference el, not saturated: only its sign and its interval count, and
		 * above 16 bits it lies beyond the highest level (2919·16384 / 4096 = 11,676) either
		 * way. QUANTL compares the magnitude el (el >= 0) or -(el + 1) with the levels
		 * L·DETL >> 12; L·DETL >> 12 ≤ magnitude exactly when L·DETL < bound = (magnitude +
		 * 1)·4096 (below 2^28: |xL| ≤ 25,928, |s| ≤ 32,768), that is when L ≤ q = (bound - 1) /
		 * DETL. The interval m counts the levels L[1..29] up to q. (bound - 1)·floor(2^32 /
		 * DETL) / 2^32 is q or q - 1 (the reciprocal's error times bound is below 2^28 / 2^32),
		 * so below[] by its 32-wide bucket counts the levels up to a place at most 32 below q;
		 * as the levels lie at least 35 apart, one more may lie above that place, and one exact
		 * comparison adds it. Buckets from 91 on count up to 2912: the comparison decides
		 * 2919, the highest level. No search, one multiply.
		 */
		el = ((qa + qb) >> 14) - v.s;
		bound = ((el ^ (el >> 31)) + 1) << 12;
		xh[k] = (int16_t)((qa - qb) >> 14);
		bucket = (size_t)(((uint64_t)(uint32_t)(bound - 1) * tables.recipl[(uint32_t)v.nb >> 6]) >> 37);
		m = tables.below[bucket > 91 ? 91 : bucket];
		m += tables.q6[m + 1] * det < bound;
		code = tables.code6[(el < 0 ? 32u : 0u) + m];
		top = code >> 2;
		v.nb = next_scale(v.nb, tables.wl4[top], NBL_MAX);
		block4(&v, k, (det * tables.qm4[top]) >> 15);
		codes[k] = (uint8_t)code;
	}
	band_store(band, &v, n);
}

/*
 * Higher band encoder: QUANTH, INVQAH, LOGSCH, SCALEH, block 4; its 2 bits go on top. A small
 * step size can round INVQAH's smaller positive level to d = 0 (never a negative level: the
 * shift rounds those down).
 */
static void encode_high(ka_g722_band *band, const int16_t *xh, size_t n, uint8_t *codes)
{
	band_vars v;
	size_t k;
	band_load(band, NBH_MAX, &v);
	for (k = 0; k < n; k++) {
		int32_t det = tables.deth[(uint32_t)v.nb >> 6];
		/* not saturated either: above 16 bits it lies beyond the level (at most 2256) anyway */
		int32_t eh = xh[k] - v.s;
		int32_t magnitude = eh ^ (eh >> 31);
		/* interval 2 (codes 2, 0 by sign) from the decision level 564·DETH / 4096, else 1 (3, 1) */
		uint32_t code = (eh < 0 ? 0u : 2u) + (magnitude >= ((564 * det) >> 12) ? 0u : 1u);
		int32_t dh = (det * tables.qm2[code]) >> 15;
		v.nb = next_scale(v.nb, tables.wh2[code], NBH_MAX);
		block4(&v, k, dh);
		codes[k] = (uint8_t)(codes[k] | code << 6);
	}
	band_store(band, &v, n);
}

/*
 * The QMF window's 24 values of history: from the state, after a pass of n pairs to the start
 * for the next pass, into the state after the last (four at a time: a quarter of the loop).
 */
static INLINE void qmf_load(int32_t *x, const int16_t *qmf)
{
	size_t i;
	for (i = 0; i < 24; i += 4) {
		x[i] = qmf[i];
		x[i + 1] = qmf[i + 1];
		x[i + 2] = qmf[i + 2];
		x[i + 3] = qmf[i + 3];
	}
}

static INLINE void qmf_slide(int32_t *x, size_t n)
{
	size_t i;
	for (i = 0; i < 24; i += 4) {
		x[i] = x[2 * n + i];
		x[i + 1] = x[2 * n + i + 1];
		x[i + 2] = x[2 * n + i + 2];
		x[i + 3] = x[2 * n + i + 3];
	}
}

static INLINE void qmf_store(int16_t *qmf, const int32_t *x, size_t n)
{
	size_t i;
	for (i = 0; i < 24; i += 4) {
		qmf[i] = (int16_t)x[2 * n + i];
		qmf[i + 1] = (int16_t)x[2 * n + i + 1];
		qmf[i + 2] = (int16_t)x[2 * n + i + 2];
		qmf[i + 3] = (int16_t)x[2 * n + i + 3];
	}
}

void ka_g722_encode(ka_g722_state *state, const int16_t *pcm, size_t sampleCount, uint8_t *codes)
{
	/* x: the QMF history (24 values), then the pass's input; xh: the higher sub-band */
	int32_t x[24 + 2 * CHUNK];
	int16_t xh[CHUNK];
	size_t pairs = sampleCount / 2, n;
	if (pairs == 0) return;
	qmf_load(x, state->qmf);
	for (;;) {
		n = pairs < CHUNK ? pairs : CHUNK;
		encode_low(&state->band[0], pcm, x + 2, xh, n, codes);
		encode_high(&state->band[1], xh, n, codes);
		pairs -= n;
		if (pairs == 0) break;
		qmf_slide(x, n);
		pcm += 2 * n;
		codes += n;
	}
	qmf_store(state->qmf, x, n);
}

/*
 * Lower band decoder: INVQBL, RECONS, LIMIT for the output rL, which goes into both places of
 * its pair in the receive QMF's window x (after the 24 values of history) for the higher band's
 * pass to add and subtract rH; INVQAL, LOGSCL, SCALEL, block 4.
 */
static void decode_low(ka_g722_band *band, const uint8_t *codes, size_t n, int32_t *x)
{
	band_vars v;
	size_t k;
	band_load(band, NBL_MAX, &v);
	for (k = 0; k < n; k++) {
		uint32_t low = codes[k] & 63u, top = low >> 2;
		int32_t det = tables.detl[(uint32_t)v.nb >> 6];
		int32_t rl = limit14(v.s + ((det * tables.qm6[low]) >> 15));
		x[24 + 2 * k] = rl;
		x[25 + 2 * k] = rl;
		v.nb = next_scale(v.nb, tables.wl4[top], NBL_MAX);
		block4(&v, k, (det * tables.qm4[top]) >> 15);
	}
	band_store(band, &v, n);
}

/*
 * Higher band decoder: INVQAH, RECONS, LIMIT; LOGSCH, SCALEH, block 4; and the receive QMF.
 * Completes the QMF's input pairs in its window x: xs = rL + rH (the older), xd = rL - rH (the
 * newer), within 16 bits as both are limited to 14; each pair's two output samples are the
 * sums over 2^11, saturated (they reach ±103,712) by one test for both.
 */
static void decode_high(ka_g722_band *band, const uint8_t *codes, size_t n, int32_t *x, int16_t *pcm)
{
	band_vars v;
	size_t k;
	band_load(band, NBH_MAX, &v);
	for (k = 0; k < n; k++) {
		uint32_t high = codes[k] >> 6u;
		int32_t det = tables.deth[(uint32_t)v.nb >> 6];
		int32_t dh = (det * tables.qm2[high]) >> 15;
		int32_t rh = limit14(v.s + dh), older, newer;
		v.nb = next_scale(v.nb, tables.wh2[high], NBH_MAX);
		block4(&v, k, dh);
		x[24 + 2 * k] += rh;
		x[25 + 2 * k] -= rh;
		older = qmf_a(x + 2 + 2 * k) >> 11;
		newer = qmf_b(x + 2 + 2 * k) >> 11;
		if (RARELY((((uint32_t)older + 32768u) | ((uint32_t)newer + 32768u)) > 65535u)) {
			older = sat16(older);
			newer = sat16(newer);
		}
		pcm[2 * k] = (int16_t)older;
		pcm[2 * k + 1] = (int16_t)newer;
	}
	band_store(band, &v, n);
}

void ka_g722_decode(ka_g722_state *state, const uint8_t *codes, size_t count, int16_t *pcm)
{
	int32_t x[24 + 2 * CHUNK];
	size_t n;
	if (count == 0) return;
	qmf_load(x, state->qmf);
	for (;;) {
		n = count < CHUNK ? count : CHUNK;
		decode_low(&state->band[0], codes, n, x);
		decode_high(&state->band[1], codes, n, x, pcm);
		count -= n;
		if (count == 0) break;
		qmf_slide(x, n);
		codes += n;
		pcm += 2 * n;
	}
	qmf_store(state->qmf, x, n);
}
