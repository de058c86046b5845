/*
 * The simulator's camera: `--camera FILE.jpg` serves that JPEG as it is (read once, checked to
 * be a JPEG), `--camera testcard` draws colour bars with the time on them and encodes each frame
 * with jpeg-js. Frames come on a timer, only while the camera is open, as on the device.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { CameraFactory } from "../ports.js";

/** jpeg-js, loaded when a test card is drawn (a still file and the rest of the simulator need it not). */
function jpegJs(): typeof import("jpeg-js") {
	return createRequire(import.meta.url)("jpeg-js") as typeof import("jpeg-js");
}

export const TESTCARD = "testcard";
export const TESTCARD_WIDTH = 320;
export const TESTCARD_HEIGHT = 240;

/** 5x7 glyphs for the clock, one row a number (bit 4 is the leftmost column). */
const GLYPHS: Record<string, number[]> = {
	"0": [14, 17, 19, 21, 25, 17, 14], "1": [4, 12, 4, 4, 4, 4, 14], "2": [14, 17, 1, 2, 4, 8, 31],
	"3": [31, 2, 4, 2, 1, 17, 14], "4": [2, 6, 10, 18, 31, 2, 2], "5": [31, 16, 30, 1, 1, 17, 14],
	"6": [6, 8, 16, 30, 17, 17, 14], "7": [31, 1, 2, 4, 8, 8, 8], "8": [14, 17, 17, 14, 17, 17, 14],
	"9": [14, 17, 17, 15, 1, 2, 12], ":": [0, 12, 12, 0, 12, 12, 0],
};

const BARS: Array<[number, number, number]> = [[192, 192, 192], [192, 192, 0], [0, 192, 192], [0, 192, 0], [192, 0, 192], [192, 0, 0], [0, 0, 192], [16, 16, 16]];

/** A test-card frame with `text` (digits and colons) in large white figures on a dark band. */
export function testcardJpeg(text: string, width = TESTCARD_WIDTH, height = TESTCARD_HEIGHT): Buffer {
	const data = Buffer.alloc(width * height * 4);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const [r, g, b] = BARS[Math.floor((x * BARS.length) / width)];
			const i = (y * width + x) * 4;
			data[i] = r;
			data[i + 1] = g;
			data[i + 2] = b;
			data[i + 3] = 255;
		}
	}
	const scale = 5, top = Math.floor(height / 2 - 4 * scale), bandTop = top - scale * 2, bandBottom = top + 9 * scale;
	for (let y = Math.max(0, bandTop); y < Math.min(height, bandBottom); y++) data.fill(0, y * width * 4, (y + 1) * width * 4);
	for (let y = Math.max(0, bandTop); y < Math.min(height, bandBottom); y++) for (let x = 0; x < width; x++) data[(y * width + x) * 4 + 3] = 255;
	const left = Math.floor((width - text.length * 6 * scale) / 2);
	for (let c = 0; c < text.length; c++) {
		const glyph = GLYPHS[text[c]];
		if (!glyph) continue;
		for (let row = 0; row < 7; row++) {
			for (let col = 0; col < 5; col++) {
				if (!(glyph[row] & (16 >> col))) continue;
				for (let dy = 0; dy < scale; dy++) {
					for (let dx = 0; dx < scale; dx++) {
						const x = left + (c * 6 + col) * scale + dx, y = top + row * scale + dy;
						if (x < 0 || x >= width || y < 0 || y >= height) continue;
						data.fill(255, (y * width + x) * 4, (y * width + x) * 4 + 4);
					}
				}
			}
		}
	}
	return jpegJs().encode({ width, height, data }, 80).data;
}

function clockText(): string {
	const now = new Date();
	const two = (n: number) => String(n).padStart(2, "0");
	return `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
}

/** Whether the bytes begin and end as a JPEG does (SOI ... EOI). */
export function looksLikeJpeg(bytes: Uint8Array): boolean {
	return bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
}

/** The camera for `--camera SOURCE`; throws with a clear message for a file that is not a JPEG. */
export function openCamera(source: string): CameraFactory {
	let still: ArrayBuffer | undefined;
	if (source === TESTCARD) {
		try {
			jpegJs();
		} catch {
			throw new Error("--camera testcard needs the npm package jpeg-js (npm install)");
		}
	} else {
		let bytes: Buffer;
		try {
			bytes = readFileSync(source);
		} catch (error) {
			throw new Error(`--camera ${source}: ${(error as Error).message}`);
		}
		if (!looksLikeJpeg(bytes)) throw new Error(`--camera ${source}: not a JPEG file (give a .jpg, or "testcard")`);
		still = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
	}
	return (options) => {
		const frame = (): ArrayBuffer => {
			if (still) return still.slice(0);
			const jpg = testcardJpeg(clockText());
			return jpg.buffer.slice(jpg.byteOffset, jpg.byteOffset + jpg.byteLength) as ArrayBuffer;
		};
		const deliver = () => {
			try {
				options.onFrame(frame());
			} catch (error) {
				options.onError?.(error as Error);
			}
		};
		// The first frame a moment after the start, as a sensor needs; then one per interval.
		const first = setTimeout(deliver, 50);
		const timer = setInterval(deliver, Math.max(100, options.intervalMs));
		return {
			close() {
				clearTimeout(first);
				clearInterval(timer);
			},
		};
	};
}
