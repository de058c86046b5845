/*
 * On the XS test host: decode + mix of two sources + encode of one 20 ms frame through the XS
 * binding, repeated; prints one JSON line with the time and the XS computrons per frame.
 */
import * as audio from "../audio-xs.js";

const FRAMES = 20000;
const codes = new Uint8Array(160), out = new Uint8Array(160);
const decoded = new Int16Array(160), chime = new Int16Array(160), mixed = new Int16Array(160);
const tone = new Int32Array(8);
audio.toneInit(tone, 300, 8000, 20000);
audio.toneFill(tone, decoded);
audio.encode(0, decoded, codes);
audio.toneInit(tone, 880, 8000, 16000);
audio.toneFill(tone, chime);
const sources = [decoded, chime], gains = [4096, 2048];

function frame() {
	audio.decode(0, codes, decoded);
	audio.mix(mixed, sources, gains);
	audio.encode(0, mixed, out);
}

for (let i = 0; i < 1000; i++) frame();
gc();
const slotsBefore = heapSlots(), chunksBefore = heapChunkBytes();
const computronsBefore = computrons();
const started = Date.now();
for (let i = 0; i < FRAMES; i++) frame();
const elapsed = Date.now() - started;
const computronsPerFrame = (computrons() - computronsBefore) / FRAMES;
gc();
const slotGrowth = heapSlots() - slotsBefore, chunkGrowth = heapChunkBytes() - chunksBefore;
print(JSON.stringify({
	frames: FRAMES,
	nsPerFrame: (elapsed * 1e6) / FRAMES,
	computronsPerFrame,
	slotGrowth,
	chunkGrowth,
}));
