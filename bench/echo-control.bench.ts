/*
 * Echo control: the door's canceller (rtp/native/aec.c) beside Debian's libspeexdsp (its echo
 * canceller, 1,024-sample tail, with its preprocessor's residual echo suppression; host only,
 * never in the firmware) on the recordings of rtp/native/test/aec_scenes.h: espeak-ng speech and
 * noise played through a synthetic echo path (2 ms delay, room-like reflections over 62.5 ms,
 * optionally a small speaker that clips), with near-end speech from 4 s for double talk, and
 * two where the echo path changes at 5 s (to a quieter one, and to one as loud), and two with a
 * steady 440 Hz tone at the microphone throughout.
 *
 * Quality comes from rtp/native/bench/aec_bench (deterministic). Cost: instructions per 20 ms
 * frame (320 samples at 16 kHz) counted by valgrind's callgrind inside the frame function only
 * (--toggle-collect), over the 500 frames of the speech recording, x86-64 -O2, portable C as on
 * the ESP32. The goals are judged on the build with -fno-tree-vectorize (and KA_NO_SIMD, the
 * code paths of a build without SSE2), since the ESP32-S3's compiler has no SIMD to turn loops
 * into; the vectorised build (gcc turns some of the canceller's loops into SSE on x86) is
 * shown beside it. G.722 is measured by its own program (g722_bench, portable build, also
 * without vectorisation), so the total shows whatever g722.c costs today.
 *
 * x86's SSE float instructions overwrite one of their operands and have no multiply-add, so the
 * goal's build counts register copies and separate multiplications that the ESP32-S3's FPU
 * (three-register add.s and mul.s, fused madd.s) does not need. A third build, still scalar,
 * with AVX's three-operand encoding and FMA's fused multiply-adds, shows the canceller in that
 * shape, where the CPU has both (G.722 is integer code: its count is the same). It is a model,
 * not the device's count: x86 also folds loads into arithmetic, which the ESP32 cannot.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { instructionsPerFrame, nativeOut as out, run } from "./callgrind.js";

const speech = [join(out, "aec-far.raw"), join(out, "aec-near.raw")];
const SCENE_FRAMES = 500;
const G722_FRAMES = 1000;
const ERLE_GOAL = 30;
const CONVERGENCE_GOAL = 1;
const NEAR_LOSS_GOAL = 3;
const AEC_GOAL = 120_000;
const TOTAL_GOAL = 250_000;

interface Figures {
	erle: number;
	convergence: number;
	nearLoss: number;
	worst: number;
	toneLevel: number;
	/** How far the canceller held the reference back, ms (NaN for speexdsp). */
	held: number;
}

/** aec_bench's lines: recording, canceller, ERLE, time to 30 dB (-1: never), near-end loss, lowest ERLE over 0.5 s, a near-end tone's level, the reference's hold in ms (- for speexdsp). */
function quality(): Map<string, Figures> {
	const figures = new Map<string, Figures>();
	for (const line of run(join(out, "aec_bench"), speech).trim().split("\n")) {
		const [recording, canceller, erle, convergence, nearLoss, worst, toneLevel, held] = line.split("\t");
		figures.set(`${recording}/${canceller}`, { erle: Number(erle), convergence: Number(convergence), nearLoss: Number(nearLoss), worst: Number(worst), toneLevel: Number(toneLevel), held: Number(held) });
	}
	return figures;
}

const dB = (v: number) => `${v.toFixed(1)} dB`;
const seconds = (v: number) => (v < 0 ? "never" : `${v.toFixed(2)} s`);
const count = (v: number) => Math.round(v).toLocaleString("en");
// aec_scenes.h reports 99 when the output holds nothing of the near-end speech.
const loss = (v: number) => (v >= 99 ? "all (output uncorrelated with it)" : `${v.toFixed(2)} dB`);
const met = (ok: boolean) => (ok ? "yes" : "NO");

/** Whether this x86 CPU runs AVX and FMA instructions (for the fused build). */
function hasFusedFloat(): boolean {
	try {
		const flags = /^flags\s*:(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1].split(/\s+/) ?? [];
		return flags.includes("avx") && flags.includes("fma");
	} catch {
		return false;
	}
}

export default async function echoControlBench() {
	run("make", ["-s", "-C", "rtp/native", "aec-bench-programs"]);
	const q = quality();
	const get = (recording: string, canceller: string) => {
		const f = q.get(`${recording}/${canceller}`);
		if (!f) throw new Error(`aec_bench printed nothing for ${recording} / ${canceller}`);
		return f;
	};
	const rows: Array<Record<string, string>> = [];
	for (const recording of ["speech", "speech, clipping speaker", "noise"]) {
		const k = get(recording, "core"), s = get(recording, "speexdsp");
		rows.push(
			{ measure: `${recording}: ERLE after 1 s`, klingel: dB(k.erle), speexdsp: dB(s.erle), goal: `≥ ${ERLE_GOAL} dB`, met: met(k.erle >= ERLE_GOAL) },
			{ measure: `${recording}: time to 30 dB ERLE (over the next 0.5 s)`, klingel: seconds(k.convergence), speexdsp: seconds(s.convergence), goal: `≤ ${CONVERGENCE_GOAL} s`, met: met(k.convergence >= 0 && k.convergence <= CONVERGENCE_GOAL) },
			{ measure: `${recording}: lowest ERLE over half a second after 1 s`, klingel: dB(k.worst), speexdsp: dB(s.worst), goal: "", met: "" },
		);
	}
	{
		const recording = "speech, clipping speaker, echo path changes", k = get(recording, "core"), s = get(recording, "speexdsp");
		rows.push(
			{ measure: "speech, clipping speaker, the echo path changes at 5 s (10.5 dB quieter, 6 ms later): ERLE from 6 s", klingel: dB(k.erle), speexdsp: dB(s.erle), goal: "", met: "" },
			{ measure: "the same: time from the change to 30 dB ERLE again", klingel: seconds(k.convergence), speexdsp: seconds(s.convergence), goal: `≤ ${CONVERGENCE_GOAL} s`, met: met(k.convergence >= 0 && k.convergence <= CONVERGENCE_GOAL) },
		);
	}
	{
		const recording = "speech, echo path changes, as loud", k = get(recording, "core"), s = get(recording, "speexdsp");
		rows.push(
			{ measure: "speech, the echo path changes at 5 s to one as loud (6 ms later, other reflections): ERLE from 6 s", klingel: dB(k.erle), speexdsp: dB(s.erle), goal: "", met: "" },
			{ measure: "the same: time from the change to 30 dB ERLE again", klingel: seconds(k.convergence), speexdsp: seconds(s.convergence), goal: `≤ ${CONVERGENCE_GOAL} s`, met: met(k.convergence >= 0 && k.convergence <= CONVERGENCE_GOAL) },
		);
	}
	for (const amplitude of [1000, 3000]) {
		const recording = `speech, 440 Hz tone of ${amplitude} at the door`, k = get(recording, "core"), s = get(recording, "speexdsp");
		rows.push({
			measure: `speech with a steady 440 Hz tone of amplitude ${amplitude} at the door (a hum): ERLE from 1 s with the tone taken out / the tone's level, its worst half second`,
			klingel: `${dB(k.erle)} / ${dB(k.toneLevel)}`,
			speexdsp: `${dB(s.erle)} / ${dB(s.toneLevel)}`,
			goal: "",
			met: "",
		});
	}
	// A device's audio buffers delay the whole echo: beyond the 64 ms tail, the canceller finds
	// where it begins and holds the reference back (align.c).
	for (const ms of [100, 200]) {
		const recording = `speech, the echo ${ms} ms later`, k = get(recording, "core"), s = get(recording, "speexdsp");
		rows.push({
			measure: `speech, the whole echo ${ms} ms later (a device's audio buffers): ERLE from 3 s, time to 30 dB ERLE; the reference held back by`,
			klingel: `${dB(k.erle)}, ${seconds(k.convergence)}; ${k.held.toFixed(0)} ms`,
			speexdsp: `${dB(s.erle)}, ${seconds(s.convergence)}`,
			goal: "",
			met: "",
		});
	}
	{
		const recording = "speech, clipping speaker, double talk, the echo 100 ms later", k = get(recording, "core"), s = get(recording, "speexdsp");
		rows.push({ measure: `${recording}: near-end speech attenuation; ERLE from 3 s until the near end speaks (4 s)`, klingel: `${loss(k.nearLoss)}; ${dB(k.erle)}`, speexdsp: `${loss(s.nearLoss)}; ${dB(s.erle)}`, goal: `≤ ${NEAR_LOSS_GOAL} dB`, met: met(k.nearLoss <= NEAR_LOSS_GOAL) });
	}
	for (const recording of ["speech, double talk", "speech, clipping speaker, double talk"]) {
		const k = get(recording, "core"), s = get(recording, "speexdsp");
		rows.push(
			{ measure: `${recording}: near-end speech attenuation`, klingel: loss(k.nearLoss), speexdsp: loss(s.nearLoss), goal: `≤ ${NEAR_LOSS_GOAL} dB`, met: met(k.nearLoss <= NEAR_LOSS_GOAL) },
			{ measure: `${recording}: ERLE from 1 s until the near end speaks (4 s)`, klingel: dB(k.erle), speexdsp: dB(s.erle), goal: "", met: "" },
		);
	}
	const core = instructionsPerFrame("aec_bench", "frame_aec", [...speech, "core"], SCENE_FRAMES);
	const scalar = instructionsPerFrame("aec_bench_scalar", "frame_aec", [...speech, "core"], SCENE_FRAMES);
	const speex = instructionsPerFrame("aec_bench", "frame_speex", [...speech, "speexdsp"], SCENE_FRAMES);
	const g722 = instructionsPerFrame("g722_bench_portable", "g722_frame_both", [String(G722_FRAMES)], G722_FRAMES);
	let fused: number | undefined;
	if (hasFusedFloat()) {
		run("make", ["-s", "-C", "rtp/native", "aec-bench-fused"]);
		fused = instructionsPerFrame("aec_bench_fused", "frame_aec", [...speech, "core"], SCENE_FRAMES);
	}
	rows.push(
		{ measure: "instructions per 20 ms frame (callgrind, x86-64 -O2 -fno-tree-vectorize, KA_NO_SIMD: no SIMD, as on the ESP32)", klingel: count(scalar), speexdsp: "", goal: `≤ ${count(AEC_GOAL)} (beside G.722)`, met: met(scalar <= AEC_GOAL) },
		{ measure: "the same with gcc's vectorising (SSE on x86; not the device's figure)", klingel: count(core), speexdsp: count(speex), goal: "", met: "" },
		{ measure: "G.722 encode + decode of a 20 ms frame (g722_bench, portable, no SIMD)", klingel: count(g722), speexdsp: "", goal: "", met: "" },
		{ measure: "echo control + G.722 both ways, per 20 ms frame (no SIMD)", klingel: count(scalar + g722), speexdsp: "", goal: `≤ ${count(TOTAL_GOAL)}`, met: met(scalar + g722 <= TOTAL_GOAL) },
		{ measure: "the same with the canceller's vectorised build (libspeexdsp's as Debian builds it)", klingel: count(core + g722), speexdsp: count(speex + g722), goal: "", met: "" },
		fused === undefined
			? { measure: "echo control + G.722 with three-operand float instructions and fused multiply-adds", klingel: "not measured: this CPU has no AVX and FMA", speexdsp: "", goal: "", met: "" }
			: { measure: "echo control + G.722 with three-operand float instructions and fused multiply-adds (AVX + FMA, no vectorising: the ESP32-S3 FPU's shape, a model)", klingel: `${count(fused)} + ${count(g722)} = ${count(fused + g722)}`, speexdsp: "", goal: `≤ ${count(TOTAL_GOAL)}`, met: met(fused + g722 <= TOTAL_GOAL) },
	);
	return { title: "Echo control: the door's canceller beside libspeexdsp (16 kHz, 64 ms tail)", rows };
}
