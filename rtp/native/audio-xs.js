/*
 * The audio core's XS host functions (audio-xs.c over klingel_audio.c). A Moddable manifest
 * builds this file and the C files for the device; the XS test host (xs-host/) runs the same.
 * Together they implement NativeAudio (modules/native-audio.ts).
 */
export function encode(law, pcm, codes) @ "xs_klingel_encode";
export function decode(law, codes, pcm) @ "xs_klingel_decode";
export function mix(out, sources, gains) @ "xs_klingel_mix";
export function toneInit(state, frequencyHz, sampleRate, amplitude) @ "xs_klingel_tone_init";
export function toneFill(state, out) @ "xs_klingel_tone_fill";
export function downsample(state, input, output) @ "xs_klingel_downsample";
export function upsample(state, input, output) @ "xs_klingel_upsample";
export function g722Encode(state, pcm, codes) @ "xs_klingel_g722_encode";
export function g722Decode(state, codes, pcm) @ "xs_klingel_g722_decode";
export function copyBytes(source, target) @ "xs_klingel_copy_bytes";

// An echo canceller (EchoCanceller in modules/native-audio.ts). Its state is a block of native
// memory, not in the XS heap: close() frees it, or the destructor when an unclosed one is collected.
class EchoCanceller @ "xs_klingel_aec_destructor" {
	constructor(sampleRate, flags) @ "xs_klingel_aec";
	process(far, mic, out) @ "xs_klingel_aec_process";
	close() @ "xs_klingel_aec_close";
	count(which) @ "xs_klingel_aec_count";
}

export function echoCanceller(sampleRate, flags) {
	return new EchoCanceller(sampleRate, flags);
}
