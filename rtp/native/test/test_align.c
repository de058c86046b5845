/*
 * Tests of the search for an echo beyond the canceller's tail (align.c) on block energies made
 * for the test: a far end that talks in bursts (syllables and pauses of random lengths and
 * levels) and a microphone that hears it some blocks later, or hears something else. The
 * canceller's own scenes (test_aec.c) show what the hold does to the echo; these show the
 * decision itself: where the hold goes, when, and when it stays.
 */
#include <string.h>

#include "../align.h"
#include "check.h"

#define N KA_AEC_BLOCK
#define BLOCKS 2000 /* 16 s at 16 kHz */
#define SOUND (1000.0f * N) /* a block with sound: above the canceller's FAR_ACTIVE (100 a sample) */

static int failed_tests;
static uint32_t seed;
static float farEnergy[BLOCKS], otherEnergy[BLOCKS];

static float uniform(void)
{
	seed = seed * 1664525u + 1013904223u;
	return (float)(seed >> 8) / 16777216.0f;
}

/* Bursts of 3 to 20 blocks, a quarter of them pauses (a floor of 1 a sample), the others at a
 * level from 1 to 100 times SOUND. */
static void talk(float *energy)
{
	int b = 0;
	while (b < BLOCKS) {
		int run = 3 + (int)(uniform() * 18.0f);
		float level = uniform() < 0.25f ? (float)N : SOUND * (1.0f + 99.0f * uniform() * uniform());
		for (; run > 0 && b < BLOCKS; run--, b++) energy[b] = level * (0.7f + 0.6f * uniform());
	}
}

/*
 * Runs a KaAlign over the blocks: the microphone hears the far end `lag` blocks later at a
 * quarter of its energy (or `other` when it is given), the error keeps `kept` of the
 * microphone's energy. The lag may change at block `switchAt` to `lag2`. Returns the hold at
 * the end; *moves counts its changes, *firstAt the block of the first.
 */
static int32_t run(int lag, int switchAt, int lag2, const float *other, float kept, int *moves, int *firstAt)
{
	KaAlign a;
	int32_t hold = 0;
	int b;
	memset(&a, 0, sizeof a);
	*moves = 0;
	*firstAt = -1;
	for (b = 0; b < BLOCKS; b++) {
		int l = b < switchAt ? lag : lag2;
		float mic = other ? other[b] : (b >= l ? 0.25f * farEnergy[b - l] : 0) + (float)N;
		int32_t next;
		int held = b - hold / N;
		next = ka_align_block(&a, farEnergy[b], farEnergy[b] > SOUND, mic, kept * mic, held >= 0 && farEnergy[held] > SOUND, hold);
		if (next != hold) {
			if (*firstAt < 0) *firstAt = b;
			++*moves;
			hold = next;
		}
	}
	return hold;
}

static void a_late_echo_is_found_once(void)
{
	int lags[] = { 6, 12, 25 }, moves, firstAt;
	unsigned i;
	for (i = 0; i < sizeof lags / sizeof lags[0]; i++) {
		int32_t hold = run(lags[i], BLOCKS, 0, 0, 1.0f, &moves, &firstAt);
		printf("#   echo %d blocks late: hold %d samples after block %d, %d move(s)\n", lags[i], (int)hold, firstAt, moves);
		CHECK(hold == (lags[i] - 2) * N, "echo %d blocks late: hold %d", lags[i], (int)hold);
		CHECK(moves == 1, "echo %d blocks late: %d moves", lags[i], moves);
		CHECK(firstAt >= 64 && firstAt <= 400, "echo %d blocks late: moved at block %d", lags[i], firstAt);
	}
}

static void the_hold_reaches_no_further_than_its_limit(void)
{
	int moves, firstAt;
	int32_t hold = run(KA_ALIGN_LAGS - 2, BLOCKS, 0, 0, 1.0f, &moves, &firstAt);
	printf("#   echo %d blocks late: hold %d samples\n", KA_ALIGN_LAGS - 2, (int)hold);
	CHECK(hold == KA_ALIGN_HOLD_MAX, "hold %d", (int)hold);
}

static void nothing_moves_it_within_the_tail_while_cancelling_or_without_echo(void)
{
	int moves, firstAt;
	int32_t hold = run(2, BLOCKS, 0, 0, 1.0f, &moves, &firstAt);
	CHECK(hold == 0 && moves == 0, "echo 2 blocks late: hold %d, %d moves", (int)hold, moves);
	hold = run(12, BLOCKS, 0, 0, 0.01f, &moves, &firstAt);
	CHECK(hold == 0 && moves == 0, "echo 12 blocks late, the filter cancelling: hold %d, %d moves", (int)hold, moves);
	hold = run(12, BLOCKS, 0, otherEnergy, 1.0f, &moves, &firstAt);
	CHECK(hold == 0 && moves == 0, "another talker at the microphone: hold %d, %d moves", (int)hold, moves);
}

/* The device's buffers change in a call (say, the speaker's queue grew): the hold follows. */
static void a_changed_delay_is_followed(void)
{
	int moves, firstAt;
	int32_t hold = run(12, 1000, 20, 0, 1.0f, &moves, &firstAt);
	printf("#   echo 12 then 20 blocks late: hold %d samples, %d moves\n", (int)hold, moves);
	CHECK(hold == 18 * N, "hold %d", (int)hold);
	CHECK(moves == 2, "%d moves", moves);
}

int main(void)
{
	seed = 20261205;
	talk(farEnergy);
	talk(otherEnergy);
	RUN(a_late_echo_is_found_once);
	RUN(the_hold_reaches_no_further_than_its_limit);
	RUN(nothing_moves_it_within_the_tail_while_cancelling_or_without_echo);
	RUN(a_changed_delay_is_followed);
	return failed_tests ? 1 : 0;
}
