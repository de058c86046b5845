/*
 * Room for the echo canceller's state in the C tests and the benchmark, which keep it in a static
 * buffer: ka_aec_state_bytes() must fit (the tests check it does).
 */
#ifndef KLINGEL_AEC_STATE_H
#define KLINGEL_AEC_STATE_H

#define AEC_STATE_WORDS 12288 /* int32_t words: 48 KiB */

#endif
