/*
 * Tests of the echo canceller (aec.c) on recordings made for the test (aec_scenes.h: espeak-ng
 * speech and noise through synthetic echo paths). Functional floors, not the benchmark's
 * goals: the figures themselves are in `npm run bench`.
 *
 *   test_aec FAR.raw NEAR.raw   (16 kHz s16le speech, made by the Makefile)
 */
#include "../klingel_audio.h"
#include "aec_scenes.h"
#include "aec_state.h"
#include "check.h"

static int failed_tests;
static const char *farPath, *nearPath;
static int16_t farSpeech[SCENE_SAMPLES], nearSpeech[SCENE_SAMPLES];
static Scene scene;
static int32_t state[AEC_STATE_WORDS];

static const SceneKind SPEECH = { "speech", 0, 0, 0, 0, 0, 0 };
static const SceneKind SPEECH_CLIPPING = { "speech, clipping speaker", 0, 1, 0, 0, 0, 0 };
static const SceneKind PATH_CHANGE = { "speech, clipping speaker, echo path changes", 0, 1, 0, PATH_QUIETER, 0, 0 };
static const SceneKind PATH_AS_LOUD_CHANGE = { "speech, echo path changes, as loud", 0, 0, 0, PATH_AS_LOUD, 0, 0 };
static const SceneKind NOISE = { "noise", 1, 0, 0, 0, 0, 0 };
static const SceneKind DOUBLE_TALK = { "speech, double talk", 0, 0, 1, 0, 0, 0 };

/* Runs a new canceller over the scene as it stands (far and mic into out) in 20 ms frames;
 * returns its delay. */
static int cancel(int flags)
{
	int i;
	ka_aec_init(state, SCENE_RATE, flags);
	for (i = 0; i < SCENE_SAMPLES; i += SCENE_FRAME) ka_aec_process(state, scene.far + i, scene.mic + i, scene.out + i, SCENE_FRAME);
	return ka_aec_delay(state);
}

/* Makes the scene, runs the canceller over it; returns the figures. */
static SceneFigures run(const SceneKind *kind, int flags)
{
	scene_make(&scene, kind, farSpeech, nearSpeech);
	return scene_figures(&scene, kind, cancel(flags));
}

static void state_fits_and_init_checks_the_rate(void)
{
	CHECK(ka_aec_state_bytes() <= sizeof state, "state is %zu bytes", ka_aec_state_bytes());
	CHECK(ka_aec_state_bytes() % 4 == 0, "state size %zu", ka_aec_state_bytes());
	CHECK(ka_aec_init(state, 44100, 0) == -1, "44.1 kHz accepted");
	CHECK(ka_aec_init(state, 16000, 0) == 0 && ka_aec_init(state, 8000, 0) == 0, "8 or 16 kHz refused");
}

static void process_refuses_a_state_not_set_up(void)
{
	int16_t far[160] = { 0 }, mic[160] = { 0 }, out[160];
	memset(state, 0, sizeof state);
	memset(out, 0x55, sizeof out);
	CHECK(ka_aec_process(state, far, mic, out, 160) == -1, "uninitialised state accepted");
	CHECK(out[0] == 0x5555 && out[159] == 0x5555, "wrote into out");
	CHECK(ka_aec_delay(state) == -1, "delay of an uninitialised state");
}

static void speech_echo_is_cancelled(void)
{
	SceneFigures f = run(&SPEECH, 0);
	printf("#   speech: ERLE %.1f dB, 30 dB reached after %.2f s\n", f.erle, f.convergence);
	CHECK(f.erle >= 30, "ERLE %.1f dB", f.erle);
	CHECK(f.convergence >= 0 && f.convergence <= 2, "convergence %.2f s", f.convergence);
}

static void noise_echo_is_cancelled_by_the_filter_alone(void)
{
	SceneFigures f = run(&NOISE, KA_AEC_LINEAR_ONLY);
	printf("#   noise, adaptive filter only: ERLE %.1f dB after %.2f s\n", f.erle, f.convergence);
	CHECK(f.erle >= 35, "ERLE %.1f dB", f.erle);
	CHECK(f.convergence >= 0 && f.convergence <= 1, "convergence %.2f s", f.convergence);
}

static void suppression_adds_to_the_filter(void)
{
	SceneFigures linear = run(&SPEECH_CLIPPING, KA_AEC_LINEAR_ONLY), full = run(&SPEECH_CLIPPING, 0);
	printf("#   clipping speaker: ERLE %.1f dB with the filter alone, %.1f dB with suppression\n", linear.erle, full.erle);
	CHECK(linear.erle >= 8, "filter alone: ERLE %.1f dB", linear.erle);
	CHECK(full.erle >= linear.erle + 8, "suppression: ERLE %.1f dB", full.erle);
}

/* After a loud passage the clipping speaker's distortion leaves noise in the filter's taps that
 * shows in the quiet blocks after it; starting the filter over there let about a second of
 * echo through each time (ERLE 24 dB over the recording, 6 dB in its worst half second). */
static void clipping_passages_let_no_echo_through(void)
{
	SceneFigures f = run(&SPEECH_CLIPPING, 0);
	printf("#   clipping speaker: ERLE %.1f dB, worst half second after 1 s %.1f dB\n", f.erle, f.worst);
	CHECK(f.erle >= 30, "ERLE %.1f dB", f.erle);
	CHECK(f.worst >= 20, "worst half second %.1f dB", f.worst);
}

/* The echo path changes (10.5 dB quieter, 6 ms later, other reflections) after 5 s of clipping
 * speech: the filter checkpointed before the change is wrong too, so the canceller must give it
 * up and learn the new path, within a second. */
static void a_changed_echo_path_is_learnt_again(void)
{
	SceneFigures f = run(&PATH_CHANGE, 0);
	printf("#   echo path changed at 5 s: 30 dB again after %.2f s, ERLE from 6 s %.1f dB, worst half second %.1f dB\n", f.convergence, f.erle, f.worst);
	CHECK(f.convergence >= 0 && f.convergence <= 1, "30 dB after %.2f s", f.convergence);
	CHECK(f.erle >= 20, "ERLE from 6 s %.1f dB", f.erle);
	CHECK(f.worst >= 10, "worst half second from 6 s %.1f dB", f.worst);
}

/* The echo path changes to one as loud as before (6 ms later, other reflections): the error is
 * about twice the microphone, never the 6 dB over it that marks a divergent filter, and the
 * learning rate takes it for near-end speech. The canceller must still learn the new path
 * within a second, and not pass the microphone's echo on for good. */
static void a_path_as_loud_is_learnt_again(void)
{
	SceneFigures f = run(&PATH_AS_LOUD_CHANGE, 0);
	printf("#   echo path as loud changed at 5 s: 30 dB again after %.2f s, ERLE from 6 s %.1f dB\n", f.convergence, f.erle);
	CHECK(f.convergence >= 0 && f.convergence <= 1, "30 dB after %.2f s", f.convergence);
	CHECK(f.erle >= 20, "ERLE from 6 s %.1f dB", f.erle);
}

static void near_end_speech_survives_double_talk(void)
{
	SceneFigures f = run(&DOUBLE_TALK, 0);
	printf("#   double talk: near-end speech %.2f dB down, ERLE before it %.1f dB\n", f.nearLoss, f.erle);
	CHECK(f.nearLoss <= 4, "near-end speech %.2f dB down", f.nearLoss);
	CHECK(f.erle >= 25, "ERLE %.1f dB", f.erle);
	/* and the output stays mostly the near-end speech: what is not (echo left, distortion,
	 * comfort noise) is at least 5 dB below it */
	{
		double near = 0, residual = 0;
		int i, delay = ka_aec_delay(state);
		for (i = SCENE_NEAR_FROM; i < SCENE_SAMPLES - delay; i++) {
			double r = (double)scene.out[i + delay] - scene.near[i];
			residual += r * r;
			near += (double)scene.near[i] * scene.near[i];
		}
		CHECK(residual < near / 3, "output minus near-end: %.3g, near %.3g", residual, near);
	}
}

/* A near-end tone with no echo path while the speaker plays other tones (the chime's ding-dong,
 * a handset's 1 kHz), as in the simulator's calls: the far end explains none of the
 * microphone, so the canceller must hand the microphone on as it is, neither adapting to the
 * near-end tone nor suppressing or filling around it. Measured over the last 3 s of 5: the
 * zero-crossing frequency (as the end-to-end tone check measures it), the level, and what the
 * output has that the microphone had not. */
static void near_end_tone_passes_beside_far_end_tones(void)
{
	static int16_t far[5 * SCENE_RATE], mic[5 * SCENE_RATE], out[5 * SCENE_RATE];
	int n = 5 * SCENE_RATE, kind, i;
	for (kind = 0; kind < 3; kind++) {
		static const char *names[] = { "1 kHz", "chime", "1 kHz and chime" };
		double crossings = 0, first = -1, last = -1, micPower = 0, outPower = 0, residual = 0, hz, level, ratio;
		int delay, from = 2 * SCENE_RATE;
		scene_seed = 777;
		for (i = 0; i < n; i++) {
			double t = (double)i / SCENE_RATE, v = 0, ding = fmod(t, 1.4);
			if (kind != 1) v += 9000 * sin(2 * M_PI * 1000 * t);
			/* ding-dong: 880 Hz, then 660 Hz 0.35 s later, each fading over a third of a second */
			if (kind != 0) v += 12000 * (ding < 0.35 ? exp(-3 * ding) * sin(2 * M_PI * 880 * t) : ding < 0.7 ? exp(-3 * (ding - 0.35)) * sin(2 * M_PI * 660 * t) : 0);
			far[i] = scene_clamp(v);
			mic[i] = scene_clamp(10000 * sin(2 * M_PI * 440 * t) + 10.0 * scene_gauss());
		}
		ka_aec_init(state, SCENE_RATE, 0);
		for (i = 0; i < n; i += SCENE_FRAME) ka_aec_process(state, far + i, mic + i, out + i, SCENE_FRAME);
		delay = ka_aec_delay(state);
		for (i = from; i < n - delay; i++) {
			double a = out[i + delay - 1], b = out[i + delay], r = b - mic[i];
			if (a < 0 && b >= 0) {
				double at = i - 1 + a / (a - b);
				if (first < 0) first = at;
				last = at;
				crossings++;
			}
			micPower += (double)mic[i] * mic[i];
			outPower += b * b;
			residual += r * r;
		}
		hz = crossings > 1 ? (crossings - 1) * SCENE_RATE / (last - first) : 0;
		level = 10 * log10((outPower + 1) / (micPower + 1));
		ratio = 10 * log10((residual + 1) / (micPower + 1));
		printf("#   440 Hz beside %s: %.2f Hz, level %+.2f dB, output minus microphone %.1f dB\n", names[kind], hz, level, ratio);
		CHECK(fabs(hz - 440) <= 2, "beside %s: %.2f Hz", names[kind], hz);
		CHECK(fabs(level) <= 0.5, "beside %s: level %+.2f dB", names[kind], level);
		CHECK(ratio <= -15, "beside %s: output minus microphone %.1f dB", names[kind], ratio);
	}
}

/* A steady near-end tone while the far end talks louder (double talk from the start, as at
 * the door with its 440 Hz tone while a handset talks): the speech scene's echo 1.4 times as
 * loud, a 440 Hz tone of amplitude 5000 at the microphone. The tone's level in the output
 * (a single-bin DFT at 440 Hz) must stay within 6 dB of it in every half second from 2 s on,
 * as the end-to-end test asks. */
static void near_end_tone_survives_louder_echo(void)
{
	int i, at, delay, from = 2 * SCENE_RATE, half = SCENE_RATE / 2;
	double worst = 0;
	scene_make(&scene, &SPEECH, farSpeech, nearSpeech);
	for (i = 0; i < SCENE_SAMPLES; i++) {
		scene.far[i] = scene_clamp(scene.far[i] * 1.4);
		scene.mic[i] = scene_clamp(scene.echo[i] * 1.4 + 5000 * sin(2 * M_PI * 440 * i / SCENE_RATE));
	}
	delay = cancel(0);
	for (at = from; at + half + delay <= SCENE_SAMPLES; at += half) {
		double re, im, level;
		scene_tone_at(scene.out, at, half, delay, 440, &re, &im);
		level = 20 * log10(hypot(re, im) / 5000);
		if (fabs(level) > fabs(worst)) worst = level;
	}
	printf("#   440 Hz near-end tone under louder far-end speech: worst half second %+.1f dB\n", worst);
	CHECK(fabs(worst) <= 6, "a half second %+.1f dB", worst);
}

/* A steady 440 Hz tone at the microphone throughout (a hum at the door) while the far end
 * talks: the echo must still be cancelled (the ERLE over the output with the tone fitted out in
 * each half second) and the tone must keep its level within 6 dB in every half second from 1 s
 * on. A tone of 3000 (louder than much of the echo) once left 8.4 dB ERLE, one of 1000 21.3 dB
 * and a half second 12.1 dB down (now 20.2 and 28.0 dB, -2.2 and -4.0 dB): the filter learnt
 * the tone as echo, blocks passed the microphone and the filter started over, and comfort
 * noise took the place of the tone's spread. */
static void echo_is_cancelled_beside_a_steady_near_end_tone(void)
{
	static const SceneKind kinds[] = { { "speech, 440 Hz tone of 3000 at the door", 0, 0, 0, 0, 3000, 0 }, { "speech, 440 Hz tone of 1000 at the door", 0, 0, 0, 0, 1000, 0 } };
	static const double floors[] = { 16, 25 };
	unsigned i;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		SceneFigures f = run(&kinds[i], 0);
		printf("#   440 Hz tone of %d at the door: ERLE %.1f dB, the tone's worst half second %+.1f dB\n", kinds[i].nearTone, f.erle, f.toneLevel);
		CHECK(f.erle >= floors[i], "tone of %d: ERLE %.1f dB", kinds[i].nearTone, f.erle);
		CHECK(fabs(f.toneLevel) <= 6, "tone of %d: a half second %+.1f dB", kinds[i].nearTone, f.toneLevel);
	}
}

/* The speech scene with a steady tone of 3000 at `hz` at the microphone from the start until
 * `until` (a sample index): the microphone is the echo plus the tone. */
static int cancel_beside_tone(double hz, int until)
{
	int i;
	scene_make(&scene, &SPEECH, farSpeech, nearSpeech);
	for (i = 0; i < until; i++) scene.mic[i] = scene_clamp(scene.echo[i] + 3000 * sin(2 * M_PI * hz * i / SCENE_RATE));
	return cancel(0);
}

/* Not tuned to one frequency: a steady 1 kHz tone of 3000 throughout leaves the echo at least
 * 18 dB down (the ERLE from 1 s with the tone fitted out in each half second; 11.2 dB before
 * the steady sound was told apart from echo, now 23.0 dB). And a steady sound that stops is no
 * longer taken into account: a 440 Hz tone of 3000 until 5 s, then speech alone, must be
 * cancelled by at least 40 dB from 5.5 s (27.9 dB before, 52.7 dB now). */
static void a_steady_tone_elsewhere_or_stopped(void)
{
	int delay, from = 5 * SCENE_RATE + SCENE_RATE / 2;
	double erle;
	SceneFigures f;
	delay = cancel_beside_tone(1000, SCENE_SAMPLES);
	scene_tone_figures(&scene, 1000, 3000, delay, &f);
	printf("#   1 kHz tone of 3000 at the door: ERLE %.1f dB\n", f.erle);
	CHECK(f.erle >= 18, "1 kHz tone: ERLE %.1f dB", f.erle);
	delay = cancel_beside_tone(SCENE_TONE_HZ, 5 * SCENE_RATE);
	erle = 10 * log10(scene_energy(scene.echo, from, SCENE_SAMPLES - delay, 0) / (scene_energy(scene.out, from, SCENE_SAMPLES - delay, delay) + 1));
	printf("#   440 Hz tone of 3000 at the door until 5 s: ERLE from 5.5 s %.1f dB\n", erle);
	CHECK(erle >= 40, "tone stopped at 5 s: ERLE from 5.5 s %.1f dB", erle);
}

/* A filter found wrong (it adds to the microphone) hands the microphone on as it is, with no
 * suppression driven by that filter's echo estimate: the echo path's polarity swaps at 4 s, a
 * block boundary during speech, so the filter learnt until then doubles the echo in the blocks
 * after. */
static void a_wrong_filter_passes_the_microphone(void)
{
	int i, delay, from = 4 * SCENE_RATE, passed = 0, count = 3 * 128;
	scene_make(&scene, &SPEECH, farSpeech, nearSpeech);
	for (i = from; i < SCENE_SAMPLES; i++) scene.mic[i] = scene_clamp(-(double)scene.echo[i]);
	delay = cancel(0);
	for (i = from; i < from + count; i++) passed += scene.out[i + delay] == scene.mic[i];
	printf("#   echo path swapped: %d of the next %d samples passed as they were\n", passed, count);
	CHECK(passed == count, "%d of %d samples passed as they were", passed, count);
}

/* A filter wrong at one frequency passes the microphone there only: the far end plays 500 Hz
 * and 3 kHz, and from 4 s (a block boundary) the 500 Hz echo swaps polarity, so the filter,
 * still right at 3 kHz, makes the microphone louder as a whole and those blocks pass it; the
 * 3 kHz echo must still be cancelled in them, not handed on with the rest. */
static void a_filter_wrong_at_one_frequency_still_cancels_the_others(void)
{
	static int16_t far[5 * SCENE_RATE], mic[5 * SCENE_RATE], out[5 * SCENE_RATE];
	int i, delay, from = 4 * SCENE_RATE, count = 5 * 128, passed;
	double re, im, before, after;
	for (i = 0; i < 5 * SCENE_RATE; i++) {
		double t = (double)i / SCENE_RATE, low = 8000 * sin(2 * M_PI * 500 * t), high = 3000 * sin(2 * M_PI * 3000 * t);
		far[i] = scene_clamp(low + high);
		if (i >= 32) {
			double u = (double)(i - 32) / SCENE_RATE, echoLow = 0.5 * 8000 * sin(2 * M_PI * 500 * u), echoHigh = 0.5 * 3000 * sin(2 * M_PI * 3000 * u);
			mic[i] = scene_clamp((i >= from ? -echoLow : echoLow) + echoHigh);
		}
	}
	ka_aec_init(state, SCENE_RATE, 0);
	for (i = 0; i < from; i += 128) ka_aec_process(state, far + i, mic + i, out + i, 128);
	passed = ka_aec_count(state, KA_AEC_COUNT_PASSED);
	for (i = from; i < from + count; i += 128) ka_aec_process(state, far + i, mic + i, out + i, 128);
	passed = ka_aec_count(state, KA_AEC_COUNT_PASSED) - passed;
	delay = ka_aec_delay(state);
	scene_tone_at(mic, from, count - delay, 0, 3000, &re, &im);
	before = hypot(re, im);
	scene_tone_at(out, from, count - delay, delay, 3000, &re, &im);
	after = hypot(re, im);
	printf("#   500 Hz echo swapped: %d of 5 blocks passed the microphone, its 3 kHz echo %.1f dB less\n", passed, 20 * log10(before / (after + 1e-9)));
	CHECK(passed >= 3, "%d of 5 blocks passed the microphone", passed);
	CHECK(20 * log10(before / (after + 1e-9)) >= 20, "3 kHz echo %.1f dB less", 20 * log10(before / (after + 1e-9)));
}

/* Silence in, silence out; full-scale square waves and DC do not upset it. */
static void silence_clipping_and_dc_are_stable(void)
{
	static int16_t far[SCENE_SAMPLES / 2], mic[SCENE_SAMPLES / 2], out[SCENE_SAMPLES / 2];
	int i, nonzero = 0, n = SCENE_SAMPLES / 2;
	ka_aec_init(state, 16000, 0);
	for (i = 0; i < n; i += SCENE_FRAME) ka_aec_process(state, far + i, mic + i, out + i, SCENE_FRAME);
	for (i = 0; i < n; i++) nonzero += out[i] != 0;
	CHECK(nonzero == 0, "%d non-zero samples out of silence", nonzero);
	/* full-scale 500 Hz square waves, the microphone clipping as well; then DC on both */
	for (i = 0; i < n; i++) {
		far[i] = (i / 16) % 2 ? 32767 : -32768;
		mic[i] = i < n / 2 ? ((i / 16) % 2 ? -32768 : 32767) : 20000;
		if (i >= n / 2) far[i] = -25000;
	}
	for (i = 0; i < n; i += SCENE_FRAME) ka_aec_process(state, far + i, mic + i, out + i, SCENE_FRAME);
	/* then the speech scene on the same state must still be cancelled: nothing is poisoned */
	{
		SceneFigures f;
		scene_make(&scene, &SPEECH, farSpeech, nearSpeech);
		for (i = 0; i < SCENE_SAMPLES; i += SCENE_FRAME) ka_aec_process(state, scene.far + i, scene.mic + i, scene.out + i, SCENE_FRAME);
		f = scene_figures(&scene, &SPEECH, ka_aec_delay(state));
		CHECK(f.erle >= 25, "ERLE after square waves and DC: %.1f dB", f.erle);
	}
}

/*
 * A device's audio buffers delay the whole echo (the SDK's default ESP32 output buffers alone
 * by 128-256 ms): beyond the filter's 64 ms, which then holds none of it. The canceller finds
 * where the echo begins and holds the reference back so that the onset lands in the first half
 * of its tail: 100 and 200 ms later (the onset 2 ms after that: the scenes' direct sound), the
 * speech's echo is cancelled by 30 dB from 3 s, and double talk with a clipping speaker keeps
 * the near-end speech within 3 dB. Without the hold these give about 0.5 dB.
 */
static void an_echo_beyond_the_tail_is_found(void)
{
	static const int delays[] = { 1600, 3200 };
	SceneKind late = SPEECH, talk = { "speech, clipping speaker, double talk, the echo 100 ms later", 0, 1, 1, 0, 0, 1600 };
	SceneFigures f;
	unsigned d;
	for (d = 0; d < sizeof delays / sizeof delays[0]; d++) {
		int onset = delays[d] + SCENE_DIRECT, hold;
		late.bulkDelay = delays[d];
		f = run(&late, 0);
		hold = ka_aec_count(state, KA_AEC_COUNT_DELAY);
		printf("#   the echo %d ms later: held back %d samples (the onset at %d), ERLE from 3 s %.1f dB, 30 dB after %.2f s\n", delays[d] / 16, hold, onset, f.erle, f.convergence);
		CHECK(hold <= onset && onset - hold < KA_AEC_PARTITIONS / 2 * KA_AEC_BLOCK, "held back %d samples, the onset at %d", hold, onset);
		CHECK(f.erle >= 30, "ERLE %.1f dB", f.erle);
		CHECK(f.convergence >= 0 && f.convergence <= 1, "30 dB after %.2f s", f.convergence);
	}
	f = run(&talk, 0);
	printf("#   %s: near-end loss %.2f dB, ERLE from 3 s %.1f dB\n", talk.name, f.nearLoss, f.erle);
	CHECK(f.nearLoss <= 3, "near-end loss %.2f dB", f.nearLoss);
	CHECK(f.erle >= 30, "ERLE %.1f dB", f.erle);
}

/* The hold stays 0 where the filter reaches the echo: every other scene, as in every other
 * test, whose figures a hold would move, and an echo 20 ms later (its onset 22 ms into the
 * tail, in the first half). */
static void an_echo_within_the_tail_holds_nothing_back(void)
{
	static const SceneKind *kinds[] = { &SPEECH, &SPEECH_CLIPPING, &NOISE, &DOUBLE_TALK, &PATH_CHANGE, &PATH_AS_LOUD_CHANGE };
	SceneKind late = SPEECH;
	SceneFigures f;
	unsigned k;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		run(kinds[k], 0);
		CHECK(ka_aec_count(state, KA_AEC_COUNT_DELAY) == 0, "%s: held back %d samples", kinds[k]->name, (int)ka_aec_count(state, KA_AEC_COUNT_DELAY));
	}
	late.bulkDelay = 320;
	f = run(&late, 0);
	printf("#   the echo 20 ms later: held back %d samples, ERLE from 3 s %.1f dB\n", (int)ka_aec_count(state, KA_AEC_COUNT_DELAY), f.erle);
	CHECK(ka_aec_count(state, KA_AEC_COUNT_DELAY) == 0, "held back %d samples", (int)ka_aec_count(state, KA_AEC_COUNT_DELAY));
	CHECK(f.erle >= 30, "ERLE %.1f dB", f.erle);
}

/*
 * A filter still learning is not started over in the quiet blocks after a passage: the far end
 * plays bursts of noise (200 ms on, 200 off, or 150 and 100), and the room is dry (outdoors: its
 * reflections die away 60 dB within 5 ms), so each burst's echo is gone from the microphone
 * within a block of its end, while a filter some 20 dB down still predicts its share of it from
 * the burst its tail holds. Counting those blocks, the canceller started over 3 and 13 times
 * (27.4 and 18.5 dB from 1 s).
 */
static void bursts_in_a_dry_room_do_not_restart_a_learning_filter(void)
{
	static const int bursts[][2] = { { 200, 200 }, { 150, 100 } };
	static double path[SCENE_PATH];
	unsigned b;
	int i, k;
	scene_seed = 7;
	for (i = 0; i < SCENE_PATH; i++) path[i] = 0;
	path[SCENE_DIRECT] = 0.5;
	for (i = SCENE_DIRECT + 16; i < SCENE_DIRECT + 240; i++) path[i] = 0.1 * scene_gauss() * exp(-6.9 * (i - SCENE_DIRECT - 16) / (0.005 * SCENE_RATE));
	for (b = 0; b < sizeof bursts / sizeof bursts[0]; b++) {
		double mic = 0, out = 0;
		int on = bursts[b][0], period = bursts[b][0] + bursts[b][1], delay;
		for (i = 0; i < SCENE_SAMPLES; i++) scene.far[i] = (i * 1000 / SCENE_RATE) % period < on ? scene_clamp(3000 * scene_gauss()) : 0;
		for (i = 0; i < SCENE_SAMPLES; i++) {
			double e = 3 * scene_gauss();
			for (k = SCENE_DIRECT; k < SCENE_DIRECT + 240 && k <= i; k++) e += path[k] * scene.far[i - k];
			scene.mic[i] = scene_clamp(e);
		}
		delay = cancel(0);
		for (i = SCENE_RATE; i + delay < SCENE_SAMPLES; i++) {
			mic += (double)scene.mic[i] * scene.mic[i];
			out += (double)scene.out[i + delay] * scene.out[i + delay];
		}
		printf("#   bursts of %d ms every %d ms in a dry room: %d restarts, ERLE from 1 s %.1f dB\n", on, period, (int)ka_aec_count(state, KA_AEC_COUNT_RESTARTS), 10 * log10(mic / (out + 1)));
		CHECK(ka_aec_count(state, KA_AEC_COUNT_RESTARTS) == 0, "bursts of %d ms: %d restarts", on, (int)ka_aec_count(state, KA_AEC_COUNT_RESTARTS));
		CHECK(10 * log10(mic / (out + 1)) >= 30, "bursts of %d ms: ERLE from 1 s %.1f dB", on, 10 * log10(mic / (out + 1)));
	}
}

/* The output's delay: none for whole blocks, the least the piece sizes allow otherwise; in
 * place gives the same samples. */
static void delay_and_in_place(void)
{
	static int16_t out[SCENE_SAMPLES], inPlace[SCENE_SAMPLES];
	static const int sizes[][2] = { { 128, 0 }, { 256, 0 }, { 320, 64 }, { 160, 96 }, { 480, 96 }, { 100, 124 } };
	unsigned s;
	int i;
	scene_make(&scene, &SPEECH, farSpeech, nearSpeech);
	for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		int size = sizes[s][0];
		ka_aec_init(state, 16000, 0);
		for (i = 0; i + size <= SCENE_SAMPLES; i += size) ka_aec_process(state, scene.far + i, scene.mic + i, out + i, (size_t)size);
		CHECK(ka_aec_delay(state) <= sizes[s][1], "pieces of %d: delay %d", size, (int)ka_aec_delay(state));
	}
	/* one call over everything, pieces of 320, and in place: the same output */
	ka_aec_init(state, 16000, 0);
	ka_aec_process(state, scene.far, scene.mic, out, SCENE_SAMPLES);
	CHECK(ka_aec_delay(state) == 0, "one call: delay %d", (int)ka_aec_delay(state));
	memcpy(inPlace, scene.mic, sizeof inPlace);
	ka_aec_init(state, 16000, 0);
	for (i = 0; i < SCENE_SAMPLES; i += 128) ka_aec_process(state, scene.far + i, inPlace + i, inPlace + i, 128);
	CHECK(memcmp(out, inPlace, sizeof out) == 0, "in place differs");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_aec FAR.raw NEAR.raw\n");
		return 2;
	}
	farPath = argv[1];
	nearPath = argv[2];
	if (!scene_read(farPath, farSpeech, SCENE_SAMPLES) || !scene_read(nearPath, nearSpeech, SCENE_SAMPLES)) {
		printf("not ok - the speech recordings %s and %s could not be read\n", farPath, nearPath);
		return 1;
	}
	RUN(state_fits_and_init_checks_the_rate);
	RUN(process_refuses_a_state_not_set_up);
	RUN(speech_echo_is_cancelled);
	RUN(noise_echo_is_cancelled_by_the_filter_alone);
	RUN(suppression_adds_to_the_filter);
	RUN(clipping_passages_let_no_echo_through);
	RUN(a_changed_echo_path_is_learnt_again);
	RUN(a_path_as_loud_is_learnt_again);
	RUN(near_end_speech_survives_double_talk);
	RUN(near_end_tone_passes_beside_far_end_tones);
	RUN(near_end_tone_survives_louder_echo);
	RUN(echo_is_cancelled_beside_a_steady_near_end_tone);
	RUN(a_steady_tone_elsewhere_or_stopped);
	RUN(a_wrong_filter_passes_the_microphone);
	RUN(a_filter_wrong_at_one_frequency_still_cancels_the_others);
	RUN(bursts_in_a_dry_room_do_not_restart_a_learning_filter);
	RUN(silence_clipping_and_dc_are_stable);
	RUN(delay_and_in_place);
	RUN(an_echo_beyond_the_tail_is_found);
	RUN(an_echo_within_the_tail_holds_nothing_back);
	return failed_tests ? 1 : 0;
}
