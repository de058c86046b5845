import type { EchoCanceller } from "../../modules/native-audio.js";

// Types of audio-xs.js, the XS host functions of the audio core; see modules/native-audio.ts (NativeAudio).
export declare function encode(law: number, pcm: Int16Array, codes: Uint8Array): void;
export declare function decode(law: number, codes: Uint8Array, pcm: Int16Array): void;
export declare function mix(out: Int16Array, sources: readonly Int16Array[], gains: readonly number[]): void;
export declare function toneInit(state: Int32Array, frequencyHz: number, sampleRate: number, amplitude: number): void;
export declare function toneFill(state: Int32Array, out: Int16Array): void;
export declare function downsample(state: Int16Array, input: Int16Array, output: Int16Array): void;
export declare function upsample(state: Int16Array, input: Int16Array, output: Int16Array): void;
export declare function g722Encode(state: Int16Array, pcm: Int16Array, codes: Uint8Array): void;
export declare function g722Decode(state: Int16Array, codes: Uint8Array, pcm: Int16Array): void;
export declare function echoCanceller(sampleRate: number, flags: number): EchoCanceller;
export declare function copyBytes(source: ArrayBuffer, target: Uint8Array): number;
