/*
 * The native audio core per 20 ms frame (160 samples): decode, mix with a second source,
 * encode. Instructions counted by valgrind's callgrind with collection switched on only inside
 * the frame function (--toggle-collect), over 1,000 frames, for the core and for a
 * straightforward per-sample codec built the same way (-O2), checked bit-exact against each
 * other; then the time per frame through the Node addon and through the XS binding.
 */
import { join } from "node:path";
import { instructionsPerFrame as callgrind, nativeOut as out, root, run } from "./callgrind.js";
import { loadNativeAudio } from "../modules/host/native-audio.js";
import { GAIN_UNITY, LAW_PCMU } from "../modules/native-audio.js";

const FRAMES = 1000;

/** Instructions per frame inside `fn` of `program` (its arguments: FRAMES, then `law` unless undefined). */
function instructionsPerFrame(program: string, fn: string, law: number | undefined): number {
	return callgrind(program, fn, [String(FRAMES), ...(law === undefined ? [] : [String(law)])], FRAMES);
}

function nodeNsPerFrame(): number {
	const audio = loadNativeAudio();
	const codes = new Uint8Array(160), encoded = new Uint8Array(160);
	const decoded = new Int16Array(160), chime = new Int16Array(160), mixed = new Int16Array(160);
	const tone = new Int32Array(8);
	audio.toneInit(tone, 300, 8000, 20000);
	audio.toneFill(tone, decoded);
	audio.encode(LAW_PCMU, decoded, codes);
	audio.toneInit(tone, 880, 8000, 16000);
	audio.toneFill(tone, chime);
	const sources = [decoded, chime], gains = [GAIN_UNITY, GAIN_UNITY / 2];
	const frame = () => {
		audio.decode(LAW_PCMU, codes, decoded);
		audio.mix(mixed, sources, gains);
		audio.encode(LAW_PCMU, mixed, encoded);
	};
	for (let i = 0; i < 20000; i++) frame();
	let best = Infinity;
	for (let round = 0; round < 5; round++) {
		const started = process.hrtime.bigint();
		for (let i = 0; i < 20000; i++) frame();
		best = Math.min(best, Number(process.hrtime.bigint() - started) / 20000);
	}
	return best;
}

export default async function nativeAudioBench() {
	run("make", ["-s", "-C", "rtp/native", "bench-programs", "addon", "xs-host"]);
	const rows: Array<Record<string, string | number>> = [];
	for (const [lawName, law] of [["µ-law", 0], ["A-law", 1]] as const) {
		// Both paths run on every frame and must give the same codes, or the program fails.
		run(join(out, "frame_bench"), [String(FRAMES), String(law)]);
		const core = instructionsPerFrame("frame_bench", "frame_core", law);
		const portable = instructionsPerFrame("frame_bench_portable", "frame_core", law);
		const reference = instructionsPerFrame("frame_bench", "frame_reference", law);
		rows.push(
			{ measure: `${lawName}: decode + mix of 2 + encode, core (x86-64, SSE2 mixer)`, value: `${core.toFixed(0)} instructions/frame`, goal: "≤ 2,000", met: core <= 2000 ? "yes" : "NO" },
			{ measure: `${lawName}: the same, core built portable (-DKA_NO_SIMD, as on the ESP32)`, value: `${portable.toFixed(0)} instructions/frame`, goal: "", met: "" },
			{ measure: `${lawName}: the same, per-sample reference codec (G.191 style)`, value: `${reference.toFixed(0)} instructions/frame`, goal: "", met: `core ${(reference / core).toFixed(1)}× fewer` },
		);
	}
	// G.722, built portable as on the ESP32 and without vectorisation: one 20 ms frame is 320
	// samples at 16 kHz, 160 codes. The program checks the core against the codec as first
	// written (block by block, one sample at a time) on every frame and fails if they differ.
	const g722 = (fn: string) => instructionsPerFrame("g722_bench_portable", fn, undefined);
	const g722Encode = g722("g722_frame_encode"), g722Decode = g722("g722_frame_decode"), g722Both = g722("g722_frame_both");
	const firstEncode = g722("g722_reference_encode"), firstDecode = g722("g722_reference_decode"), firstBoth = g722("g722_reference_both");
	const fewer = (before: number, after: number) => `${(before / after).toFixed(1)}× fewer than as first written (${before.toFixed(0)})`;
	rows.push(
		{ measure: "G.722 encode, 320 samples → 160 codes (portable, as on the ESP32)", value: `${g722Encode.toFixed(0)} instructions/frame`, goal: "", met: fewer(firstEncode, g722Encode) },
		{ measure: "G.722 decode, 160 codes → 320 samples (portable)", value: `${g722Decode.toFixed(0)} instructions/frame`, goal: "", met: fewer(firstDecode, g722Decode) },
		{ measure: "G.722 both ways (portable): its share of the 250,000 with echo control", value: `${g722Both.toFixed(0)} instructions/frame`, goal: "≤ 120,000", met: `${g722Both <= 120000 ? "yes" : "NO"}; ${fewer(firstBoth, g722Both)}` },
	);
	rows.push({ measure: "Node addon: decode + mix + encode, µ-law (best of 5 × 20,000)", value: `${nodeNsPerFrame().toFixed(0)} ns/frame`, goal: "", met: "" });
	const xs = JSON.parse(run(join(out, "xs-host"), [join(root, "rtp/native/bench/frame-xs.js")]).trim().split("\n").pop()!);
	rows.push(
		{ measure: `XS binding (XS test host, -O2): decode + mix + encode, µ-law (${xs.frames} frames)`, value: `${Number(xs.nsPerFrame).toFixed(0)} ns/frame`, goal: "", met: "" },
		{ measure: "XS binding: computrons per frame (3 host calls)", value: `${Number(xs.computronsPerFrame).toFixed(0)}`, goal: "", met: "" },
		{ measure: "XS binding: heap growth over the frames (slots, chunk bytes)", value: `${xs.slotGrowth}, ${xs.chunkGrowth}`, goal: "none", met: xs.slotGrowth <= 0 && xs.chunkGrowth <= 0 ? "yes" : "NO" },
	);
	return { title: "Native audio core: cost of one 20 ms frame (160 samples)", rows };
}
