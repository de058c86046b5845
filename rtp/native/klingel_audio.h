/*
 * klingel audio core: G.711 µ-law/A-law, G.722, an N-source mixer, a sine tone generator,
 * 16 kHz <-> 8 kHz conversion and an acoustic echo canceller. Plain C99, no allocation, no
 * engine includes: the XS binding (audio-xs.c) and the Node addon (addon.c) are thin layers
 * over these functions.
 *
 * Every function works on caller-owned buffers; argument checking is the bindings' job, the
 * core only asserts the documented preconditions in its comments.
 */
#ifndef KLINGEL_AUDIO_H
#define KLINGEL_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	KA_LAW_PCMU = 0, /* G.711 µ-law, RTP payload type 0 */
	KA_LAW_PCMA = 1  /* G.711 A-law, RTP payload type 8 */
} ka_law;

#define KA_GAIN_UNITY 4096     /* mixer gains are Q12 */
#define KA_GAIN_MAX 65536      /* largest gain accepted (16x) */
#define KA_MIX_MAX_SOURCES 16  /* largest number of mixer sources */

#define KA_TONE_STATE_WORDS 8
#define KA_RESAMPLER_STATE_SAMPLES 64

/*
 * G.711 as specified by ITU-T G.711 and implemented by the ITU-T G.191 reference software:
 * the 16-bit sample is truncated to 13 bits (A-law) or 14 bits (µ-law) by an arithmetic
 * shift, negative values are coded by their one's complement, decoding yields the interval's
 * reconstruction value scaled back to 16 bits.
 */
void ka_encode(ka_law law, const int16_t *pcm, uint8_t *codes, size_t count);
void ka_decode(ka_law law, const uint8_t *codes, int16_t *pcm, size_t count);

/* Single-sample forms (the same tables). */
uint8_t ka_encode_sample(ka_law law, int16_t sample);
int16_t ka_decode_sample(ka_law law, uint8_t code);

/*
 * out[i] = saturate16((Σ sources[k][i] * gains[k] + 2048) >> 12) for i < count: Q12 gains
 * (KA_GAIN_UNITY = 1.0, 0 mutes), rounded to nearest (halves up), saturated to int16.
 * 0 <= gains[k] <= KA_GAIN_MAX, 0 <= sourceCount <= KA_MIX_MAX_SOURCES; no source may overlap
 * `out` unless it is exactly `out` (in-place mixing into the first source is allowed).
 */
void ka_mix(int16_t *out, size_t count, const int16_t *const *sources, const int32_t *gains, size_t sourceCount);

/*
 * Sine tone: a 32-bit phase accumulator over a 256-entry sine table with linear interpolation.
 * state[0] = KA_TONE_MAGIC once initialised, [1] phase, [2] phase increment, [3] amplitude.
 * ka_tone_init returns 0, or -1 when 0 < frequency < sampleRate / 2, sampleRate in
 * [1, 192000] and amplitude in [0, 32767] do not hold (frequency 0 gives silence).
 */
#define KA_TONE_MAGIC 0x546f6e65 /* "Tone" */
int ka_tone_init(int32_t *state, double frequencyHz, double sampleRate, int32_t amplitude);
/* Returns 0, or -1 (and writes nothing) when state was not initialised by ka_tone_init. */
int ka_tone_fill(int32_t *state, int16_t *out, size_t count);

/*
 * Rate conversion by 2 with a 55-tap half-band low-pass FIR (Kaiser window; passband to
 * 3.4 kHz, stopband from 4.6 kHz at 16 kHz). The history lives in the caller's state
 * (KA_RESAMPLER_STATE_SAMPLES int16; all zeros = silence, a valid start).
 * ka_downsample: inputCount must be even; writes inputCount / 2 samples.
 * ka_upsample: writes inputCount * 2 samples.
 * A state array belongs to one direction.
 */
#define KA_FIR_TAPS 55
void ka_downsample(int16_t *state, const int16_t *input, size_t inputCount, int16_t *output);
void ka_upsample(int16_t *state, const int16_t *input, size_t inputCount, int16_t *output);

/*
 * G.722 at 64 kbit/s (ITU-T G.722 mode 1, RTP payload type 9): 16 kHz audio, one code byte per
 * two samples. Bit-exact with the ITU reference arithmetic. A state belongs to one direction
 * (encoder or decoder); all zeros is the Recommendation's reset state, and any contents are
 * safe to run from. The structs hold int16_t only: KA_G722_STATE_SAMPLES of them, so that a
 * binding can keep a state in an Int16Array.
 */
typedef struct {
	int16_t s;      /* signal estimate (PREDIC) */
	int16_t sz;     /* zero section's part of it (FILTEZ) */
	int16_t nb;     /* log scale factor (NBL / NBH) */
	int16_t r[2];   /* reconstructed signal, last two */
	int16_t p[2];   /* partially reconstructed signal, last two */
	int16_t a[2];   /* pole coefficients a1, a2 */
	int16_t b[6];   /* zero coefficients b1..b6 */
	int16_t d[6];   /* quantised differences, last six */
} ka_g722_band;

typedef struct {
	ka_g722_band band[2]; /* lower, higher */
	int16_t qmf[24];      /* QMF history, oldest first */
} ka_g722_state;

#define KA_G722_STATE_SAMPLES 66 /* sizeof (ka_g722_state) / 2 */

/* Encodes sampleCount 16 kHz samples (an even number) into sampleCount / 2 codes. */
void ka_g722_encode(ka_g722_state *state, const int16_t *pcm, size_t sampleCount, uint8_t *codes);
/* Decodes `count` codes into count * 2 samples at 16 kHz. */
void ka_g722_decode(ka_g722_state *state, const uint8_t *codes, size_t count, int16_t *pcm);

/*
 * Acoustic echo canceller (aec.c): the signal sent to the speaker is the reference `far`, the
 * microphone `mic`; `out` is the microphone with the echo removed. A partitioned-block
 * frequency-domain adaptive filter over KA_AEC_PARTITIONS blocks of KA_AEC_BLOCK samples (a
 * 1,024-sample tail: 64 ms at 16 kHz, 128 ms at 8 kHz), residual echo suppression and comfort
 * noise. The state is caller-owned, ka_aec_state_bytes() long, 4-byte aligned, and holds no
 * pointer (it may be moved between calls).
 *
 * ka_aec_init: sampleRate 8000 or 16000, flags 0 or KA_AEC_LINEAR_ONLY (the adaptive filter
 * alone, no suppression or comfort noise: for measurements); returns 0, or -1 for a bad rate.
 * ka_aec_process: any count; `out` may be `mic` (in place) but not `far`. The output runs
 * ka_aec_delay() samples behind the input: 0 when count is always a multiple of KA_AEC_BLOCK,
 * otherwise found from the first calls (at most KA_AEC_BLOCK - 1), silence filling the gap
 * once. Returns 0, or -1 (writing nothing) when the state was not set up by ka_aec_init.
 */
#define KA_AEC_BLOCK 128
#define KA_AEC_PARTITIONS 8
#define KA_AEC_LINEAR_ONLY 1
size_t ka_aec_state_bytes(void);
int ka_aec_init(void *state, int32_t sampleRate, int32_t flags);
int ka_aec_process(void *state, const int16_t *far, const int16_t *mic, int16_t *out, size_t count);
int32_t ka_aec_delay(const void *state);
/*
 * ka_aec_count: what the canceller counted since ka_aec_init, for diagnostics: the blocks it
 * processed (KA_AEC_COUNT_BLOCKS), those whose microphone it passed, unsuppressed, because its
 * filter added to it (KA_AEC_COUNT_PASSED; the bins the filter still made smaller keep its output), and the filter's restarts (KA_AEC_COUNT_RESTARTS); and
 * the samples by which it holds the reference back (KA_AEC_COUNT_DELAY: 0, or where it found
 * the echo to begin beyond its tail, at most 4,096). -1 for another `which` or a state not set
 * up by ka_aec_init.
 */
#define KA_AEC_COUNT_BLOCKS 0
#define KA_AEC_COUNT_PASSED 1
#define KA_AEC_COUNT_RESTARTS 2
#define KA_AEC_COUNT_DELAY 3
#define KA_AEC_COUNTS 4 /* how many there are: `which` runs from 0 to KA_AEC_COUNTS - 1 */
#define KA_STRING_(x) #x
#define KA_STRING(x) KA_STRING_(x) /* a macro's value as a string literal */
#define KA_AEC_COUNT_RANGE "count: which must be an integer, 0 or more and less than " KA_STRING(KA_AEC_COUNTS)
int32_t ka_aec_count(const void *state, int which);

#ifdef __cplusplus
}
#endif

#endif
