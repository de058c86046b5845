// Test-only host functions of the XS test host (test/test-xs.c).
export function referenceEncode(law, sample) @ "xs_test_reference_encode";
export function referenceDecode(law, code) @ "xs_test_reference_decode";
export function staleEncode(law, pcm, codes) @ "xs_test_stale_encode";
export function coreTone(frequency, rate, amplitude, frames, frameLength) @ "xs_test_core_tone";
export function coreResample(down, frames, inputLength) @ "xs_test_core_resample";
export function coreG722(frames) @ "xs_test_core_g722";
export function coreAec(frames) @ "xs_test_core_aec";
export function nativeBlocks() @ "xs_test_native_blocks";
// XS's own petrify (xsLockdown.c): an ArrayBuffer it is given becomes read-only; JS writes to it
// throw "read-only buffer", as to any buffer XS holds read-only.
export function petrify(object) @ "fx_petrify";
