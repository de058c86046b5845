/*
 * The native audio core on Node: the N-API addon (rtp/native/addon.c over the same C99 core as
 * the device's XS binding), built into build/native/klingel_audio.node by
 * `make -C rtp/native addon` (npm start and npm test build it when it is missing).
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { EchoCanceller, NativeAudio } from "../native-audio.js";

/** What the addon exports: the functions of NativeAudio, and the class behind echoCanceller(). */
type Addon = Omit<NativeAudio, "echoCanceller"> & { EchoCanceller: new (sampleRate: number, flags: number) => EchoCanceller };

/** Where the addon lives: build/native/, next to build/modules/ where this module is compiled to. */
export const NATIVE_AUDIO_ADDON = fileURLToPath(new URL("../../native/klingel_audio.node", import.meta.url));

let loaded: NativeAudio | undefined;

/** Loads the addon once; throws an Error that names the make command when it is missing. */
export function loadNativeAudio(path = NATIVE_AUDIO_ADDON): NativeAudio {
	if (loaded && path === NATIVE_AUDIO_ADDON) return loaded;
	if (!existsSync(path)) {
		throw new Error(`native audio addon missing: ${path} (build it with \`make -C rtp/native addon\`)`);
	}
	const addon = createRequire(import.meta.url)(path) as Addon;
	const EchoCancellerClass = addon.EchoCanceller;
	const audio: NativeAudio = {
		encode: addon.encode,
		decode: addon.decode,
		mix: addon.mix,
		toneInit: addon.toneInit,
		toneFill: addon.toneFill,
		downsample: addon.downsample,
		upsample: addon.upsample,
		g722Encode: addon.g722Encode,
		g722Decode: addon.g722Decode,
		echoCanceller: (sampleRate, flags) => new EchoCancellerClass(sampleRate, flags),
		copyBytes: addon.copyBytes,
	};
	// Every export taken must be a function (EchoCanceller the class): an older build may lack some.
	for (const [name, fn] of Object.entries({ ...audio, EchoCanceller: EchoCancellerClass })) {
		if (typeof fn !== "function") throw new Error(`native audio addon ${path} lacks ${name}: rebuild it with \`make -C rtp/native addon\``);
	}
	if (path === NATIVE_AUDIO_ADDON) loaded = audio;
	return audio;
}

/** The NativeAudio port of the host simulator, loaded on first use. */
export const nativeAudio: NativeAudio = {
	encode: (law, pcm, codes) => loadNativeAudio().encode(law, pcm, codes),
	decode: (law, codes, pcm) => loadNativeAudio().decode(law, codes, pcm),
	mix: (out, sources, gains) => loadNativeAudio().mix(out, sources, gains),
	toneInit: (state, frequencyHz, sampleRate, amplitude) => loadNativeAudio().toneInit(state, frequencyHz, sampleRate, amplitude),
	toneFill: (state, out) => loadNativeAudio().toneFill(state, out),
	downsample: (state, input, output) => loadNativeAudio().downsample(state, input, output),
	upsample: (state, input, output) => loadNativeAudio().upsample(state, input, output),
	g722Encode: (state, pcm, codes) => loadNativeAudio().g722Encode(state, pcm, codes),
	g722Decode: (state, codes, pcm) => loadNativeAudio().g722Decode(state, codes, pcm),
	echoCanceller: (sampleRate, flags) => loadNativeAudio().echoCanceller(sampleRate, flags),
	copyBytes: (source, target) => loadNativeAudio().copyBytes(source, target),
};
