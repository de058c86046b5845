/*
 * The echo canceller on the recordings of test/aec_scenes.h, beside Debian's libspeexdsp (its
 * echo canceller with the preprocessor's residual echo suppression; host only, the anchor to
 * beat). Prints one line per recording and canceller: ERLE after 1 s, the time to 30 dB, the
 * near-end loss in double talk, the lowest ERLE over half a second, a near-end tone's level
 * (SceneFigures), and how far the canceller held the reference back, in ms (- for speexdsp).
 *
 *   aec_bench FAR.raw NEAR.raw
 *   aec_bench FAR.raw NEAR.raw core|speexdsp   the speech recording (500 frames of 20 ms) through one
 *       canceller only, for `valgrind --tool=callgrind --toggle-collect=frame_aec` (or frame_speex):
 *       the collected instructions / 500 are its cost per frame
 */
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include "../klingel_audio.h"
#include "../test/aec_scenes.h"
#include "../test/aec_state.h"

static Scene scene;
static int16_t farSpeech[SCENE_SAMPLES], nearSpeech[SCENE_SAMPLES];
static int32_t state[AEC_STATE_WORDS];
static double heldMs; /* run_core's last scene: KA_AEC_COUNT_DELAY in ms */

__attribute__((noinline)) void frame_aec(const int16_t *far, const int16_t *mic, int16_t *out)
{
	ka_aec_process(state, far, mic, out, SCENE_FRAME);
}

static SceneFigures run_core(const SceneKind *kind)
{
	int i;
	scene_make(&scene, kind, farSpeech, nearSpeech);
	ka_aec_init(state, SCENE_RATE, 0);
	for (i = 0; i < SCENE_SAMPLES; i += SCENE_FRAME) frame_aec(scene.far + i, scene.mic + i, scene.out + i);
	heldMs = ka_aec_count(state, KA_AEC_COUNT_DELAY) * 1000.0 / SCENE_RATE;
	return scene_figures(&scene, kind, ka_aec_delay(state));
}

__attribute__((noinline)) void frame_speex(SpeexEchoState *echo, SpeexPreprocessState *pre, const int16_t *far, const int16_t *mic, int16_t *out)
{
	speex_echo_cancellation(echo, mic, far, out);
	speex_preprocess_run(pre, out);
}

static SceneFigures run_speex(const SceneKind *kind)
{
	SpeexEchoState *echo = speex_echo_state_init(SCENE_FRAME, 1024);
	SpeexPreprocessState *pre = speex_preprocess_state_init(SCENE_FRAME, SCENE_RATE);
	int rate = SCENE_RATE, i;
	SceneFigures f;
	speex_echo_ctl(echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	speex_preprocess_ctl(pre, SPEEX_PREPROCESS_SET_ECHO_STATE, echo);
	scene_make(&scene, kind, farSpeech, nearSpeech);
	for (i = 0; i < SCENE_SAMPLES; i += SCENE_FRAME) frame_speex(echo, pre, scene.far + i, scene.mic + i, scene.out + i);
	f = scene_figures(&scene, kind, 0);
	speex_echo_state_destroy(echo);
	speex_preprocess_state_destroy(pre);
	return f;
}

int main(int argc, char **argv)
{
	static const SceneKind kinds[] = { { "speech", 0, 0, 0, 0, 0, 0 }, { "speech, clipping speaker", 0, 1, 0, 0, 0, 0 }, { "noise", 1, 0, 0, 0, 0, 0 }, { "noise, clipping speaker", 1, 1, 0, 0, 0, 0 }, { "speech, double talk", 0, 0, 1, 0, 0, 0 }, { "speech, clipping speaker, double talk", 0, 1, 1, 0, 0, 0 }, { "speech, clipping speaker, echo path changes", 0, 1, 0, PATH_QUIETER, 0, 0 }, { "speech, echo path changes, as loud", 0, 0, 0, PATH_AS_LOUD, 0, 0 }, { "speech, 440 Hz tone of 1000 at the door", 0, 0, 0, 0, 1000, 0 }, { "speech, 440 Hz tone of 3000 at the door", 0, 0, 0, 0, 3000, 0 }, { "speech, the echo 100 ms later", 0, 0, 0, 0, 0, 1600 }, { "speech, the echo 200 ms later", 0, 0, 0, 0, 0, 3200 }, { "speech, clipping speaker, double talk, the echo 100 ms later", 0, 1, 1, 0, 0, 1600 } };
	unsigned k;
	if ((argc != 3 && argc != 4) || !scene_read(argv[1], farSpeech, SCENE_SAMPLES) || !scene_read(argv[2], nearSpeech, SCENE_SAMPLES)) {
		fprintf(stderr, "usage: aec_bench FAR.raw NEAR.raw [core|speexdsp]\n");
		return 2;
	}
	if (argc == 4) {
		if (strcmp(argv[3], "core") == 0) run_core(&kinds[0]);
		else if (strcmp(argv[3], "speexdsp") == 0) run_speex(&kinds[0]);
		else {
			fprintf(stderr, "aec_bench: core or speexdsp, not %s\n", argv[3]);
			return 2;
		}
		printf("%d frames\n", SCENE_SAMPLES / SCENE_FRAME);
		return 0;
	}
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		SceneFigures a = run_core(&kinds[k]), b = run_speex(&kinds[k]);
		printf("%s\tcore\t%.1f\t%.2f\t%.2f\t%.1f\t%.1f\t%.1f\n", kinds[k].name, a.erle, a.convergence, a.nearLoss, a.worst, a.toneLevel, heldMs);
		printf("%s\tspeexdsp\t%.1f\t%.2f\t%.2f\t%.1f\t%.1f\t-\n", kinds[k].name, b.erle, b.convergence, b.nearLoss, b.worst, b.toneLevel);
	}
	return 0;
}
