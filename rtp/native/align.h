/*
 * Where an echo begins when it begins beyond the echo canceller's tail (align.c): on a device
 * the speaker's sound leaves after its output buffers and the microphone's frames come after
 * its input buffers, so the echo can reach the canceller well after the reference that made it.
 * The canceller holds the reference back by the hold this finds. float32, no state of its own
 * beyond the caller's KaAlign (all zero to start), no pointer in it.
 */
#ifndef KLINGEL_ALIGN_H
#define KLINGEL_ALIGN_H

#include <stdint.h>

#include "klingel_audio.h"

#define KA_ALIGN_HOLD_MAX 4096 /* the most the reference is held back, in samples: 256 ms at 16 kHz */
#define KA_ALIGN_LAGS (KA_ALIGN_HOLD_MAX / KA_AEC_BLOCK + KA_AEC_PARTITIONS) /* where the onset is looked for, in blocks: the hold's reach and the tail */

typedef struct {
	int32_t envelopeAt;     /* farEnvelope's newest slot */
	int32_t started;        /* the levels have their first values */
	int32_t compared;       /* blocks compared since the start or the hold's last move, up to ALIGN_BLOCKS */
	int32_t farSilent;      /* blocks since the reference as it comes in had sound, up to KA_ALIGN_LAGS */
	int32_t peak;           /* the lag (blocks) where the envelopes matched best in the last block */
	int32_t peakBlocks;     /* blocks in a row it stayed there (within one) */
	float farLevel;         /* the mean of the envelopes (log2 of a block's energy) */
	float micLevel;
	float farSpread;        /* the mean square of their deviations from it */
	float micSpread;
	float cancelled;        /* smoothed error / microphone energy in blocks whose reference had sound */
	float farEnvelope[2 * KA_ALIGN_LAGS]; /* the reference's envelope as it comes in, a ring written twice over (envelopeAt newest), so the last KA_ALIGN_LAGS are in a row */
	float likeness[KA_ALIGN_LAGS];        /* smoothed product of the microphone's envelope and the reference's l blocks earlier */
} KaAlign;

/*
 * One block of KA_AEC_BLOCK samples: the energy of the reference as it came in (before the
 * hold) and whether that is sound, the microphone's and the canceller's error's energy, whether
 * the held reference had sound (the canceller adapted), and the hold now (a multiple of
 * KA_AEC_BLOCK). Returns the hold to use from the next block: the same, or a new one (a
 * multiple of KA_AEC_BLOCK, at most KA_ALIGN_HOLD_MAX).
 */
int32_t ka_align_block(KaAlign *a, float inEnergy, int inActive, float micEnergy, float errorEnergy, int active, int32_t hold);

#endif
