/*
 * The simulator's door box (`--echo`, modules/host/echo-box.ts) per 20 ms frame: the speaker's
 * frame written and the microphone's read through the echo path (720 taps at 16 kHz), with a
 * 16 kHz tone as the `--mic` source, on Node; also with the longest `--echo-latency` (a larger
 * history, the same work). Without `--echo` there is no box and nothing to
 * measure. Allocation: after a warm-up and a full collection, the heap's growth over the
 * measured frames, with the collections V8 reported meanwhile (none, or the growth is a lower
 * bound); a control that allocates 4 doubles a frame shows what the method sees.
 */
import { performance, PerformanceObserver } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadNativeAudio } from "../modules/host/native-audio.js";
import { ECHO_LATENCY_MAX_MS, EchoBox, type EchoMode } from "../modules/host/echo-box.js";
import { ToneMic } from "../modules/host/audio.js";

const FRAME = 320;
const WARM_UP = 3000;
const FRAMES = 5000;
/** A 20 ms frame's time; the box should take a small part of it. */
const FRAME_US = 20_000;

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function measure(frame: () => void): Promise<{ us: number; heapBytes: number; collections: number }> {
	setFlagsFromString("--expose-gc");
	const gc = runInNewContext("gc") as () => void;
	let collections = 0;
	const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
	for (let f = 0; f < WARM_UP; f++) frame();
	gc();
	await settle();
	observer.observe({ entryTypes: ["gc"] });
	const heapBefore = process.memoryUsage().heapUsed;
	const start = performance.now();
	for (let f = 0; f < FRAMES; f++) frame();
	const us = ((performance.now() - start) * 1000) / FRAMES;
	const heapBytes = (process.memoryUsage().heapUsed - heapBefore) / FRAMES;
	await settle();
	observer.disconnect();
	return { us, heapBytes, collections };
}

function box(mode: EchoMode, latencyMs = 0): () => void {
	const audio = loadNativeAudio();
	const echo = new EchoBox({ mode, audio, source: new ToneMic(audio, 440, 16000), latencyMs });
	const speaker = new Int16Array(FRAME), mic = new Int16Array(FRAME);
	let seed = 1;
	for (let i = 0; i < FRAME; i++) {
		seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
		speaker[i] = (seed >>> 18) - 8192;
	}
	return () => {
		echo.speaker.write(speaker);
		echo.mic.read(mic);
	};
}

export default async function (): Promise<{ title: string; rows: Array<Record<string, string | number>> }> {
	const rows: Array<Record<string, string | number>> = [];
	const kept: number[][] = [];
	for (const [what, frame] of [["--echo room", box("room")], ["--echo clip", box("clip")], [`--echo room --echo-latency ${ECHO_LATENCY_MAX_MS}`, box("room", ECHO_LATENCY_MAX_MS)], ["control: 4 doubles a frame", () => void (kept[0] = [1.5, 2.5, 3.5, 4.5])]] as const) {
		const m = await measure(frame);
		rows.push({
			"": what,
			"µs per 20 ms frame": m.us.toFixed(1),
			"share of the frame's time": `${((100 * m.us) / FRAME_US).toFixed(2)} %`,
			"heap growth per frame": `${m.heapBytes.toFixed(1)} B`,
			collections: m.collections,
			goal: what.startsWith("control") ? "(shows the method works)" : "small next to 20 ms; 0 B",
		});
	}
	return { title: "Simulator door box (--echo): speaker write + microphone read per 20 ms frame, Node", rows };
}
