/*
 * 16 kHz <-> 8 kHz through a 55-tap half-band low-pass FIR. In a half-band filter every other
 * tap is zero and the centre is 1/2, so a decimator needs 14 multiplies per output sample and
 * an interpolator's even outputs are plain delayed inputs.
 *
 * State: the last inputs, oldest first (downsample: 54 samples; upsample: 27 samples).
 */
#include "klingel_audio.h"
#include "saturate.h"
#include "tables.h"

#define CENTRE ((KA_FIR_TAPS - 1) / 2)  /* 27 */
#define DOWN_HISTORY (KA_FIR_TAPS - 1)  /* 54 input samples at 16 kHz */
#define UP_HISTORY CENTRE               /* 27 input samples at 8 kHz */
#define BLOCK 128


void ka_downsample(int16_t *state, const int16_t *input, size_t inputCount, int16_t *output)
{
	int16_t work[DOWN_HISTORY + 2 * BLOCK];
	size_t done = 0;
	int i;
	for (i = 0; i < DOWN_HISTORY; i++) work[i] = state[i];
	while (done < inputCount) {
		size_t n = inputCount - done, j;
		if (n > 2 * BLOCK) n = 2 * BLOCK;
		for (j = 0; j < n; j++) work[DOWN_HISTORY + j] = input[done + j];
		/* Output m uses work[2m + 1 .. 2m + 55]: the newest input is work[DOWN_HISTORY + 2m + 1]. */
		for (j = 0; j + 1 < n; j += 2) {
			const int16_t *centre = work + j + 1 + CENTRE;
			int32_t acc = (int32_t)centre[0] * 16384 + 16384;
			int p;
			for (p = 0; p < KA_HALFBAND_PAIRS; p++)
				acc += ka_halfband_q15[p] * (centre[-(2 * p + 1)] + centre[2 * p + 1]);
			*output++ = ka_saturate16(acc >> 15);
		}
		for (j = 0; j < DOWN_HISTORY; j++) work[j] = work[n + j];
		done += n;
	}
	for (i = 0; i < DOWN_HISTORY; i++) state[i] = work[i];
}

void ka_upsample(int16_t *state, const int16_t *input, size_t inputCount, int16_t *output)
{
	int16_t work[UP_HISTORY + BLOCK];
	size_t done = 0;
	int i;
	for (i = 0; i < UP_HISTORY; i++) work[i] = state[i];
	while (done < inputCount) {
		size_t n = inputCount - done, j;
		if (n > BLOCK) n = BLOCK;
		for (j = 0; j < n; j++) work[UP_HISTORY + j] = input[done + j];
		/*
		 * Zero-stuffed input u[2k] = x[k]; output y[t] = 2 Σ h[i] u[t - i]. With the newest input
		 * x[m] = work[UP_HISTORY + j]: y[2m] = x[m - 14] (the centre tap) and
		 * y[2m + 1] = 2 Σ_p h[2p+1] (x[m - 13 - p] + x[m - 14 + p + 1]) over the odd taps.
		 */
		for (j = 0; j < n; j++) {
			const int16_t *x = work + UP_HISTORY + j; /* x[0] = newest */
			int32_t acc = 8192;
			int p;
			*output++ = x[-(CENTRE + 1) / 2];
			for (p = 0; p < KA_HALFBAND_PAIRS; p++)
				acc += ka_halfband_q15[p] * (x[-(CENTRE - 1) / 2 + p] + x[-(CENTRE + 1) / 2 - p]);
			*output++ = ka_saturate16(acc >> 14);
		}
		for (j = 0; j < UP_HISTORY; j++) work[j] = work[n + j];
		done += n;
	}
	for (i = 0; i < UP_HISTORY; i++) state[i] = work[i];
}
