/*
 * One 20 ms frame of call audio at both of a call's rates: 8 kHz (G.711) and 16 kHz (G.722).
 * The 8 kHz frame is made with the holder; the 16 kHz one the first time it is asked for, and the
 * 8 kHz one then becomes a view of its start, so a G.711 call keeps no 16 kHz frames and a G.722
 * call no 8 kHz ones beside them. Read `narrow` again after asking for `wide` once.
 */

export const FRAME_SAMPLES = 160;
/** A 20 ms frame at 16 kHz (G.722). */
export const WIDE_FRAME_SAMPLES = 320;

export class CallFrame {
	/** The frame at 8 kHz (FRAME_SAMPLES long). */
	narrow: Int16Array = new Int16Array(FRAME_SAMPLES);
	#wide: Int16Array | undefined;

	/** The frame at 16 kHz (WIDE_FRAME_SAMPLES long), made the first time. */
	get wide(): Int16Array {
		let wide = this.#wide;
		if (!wide) {
			wide = this.#wide = new Int16Array(WIDE_FRAME_SAMPLES);
			this.narrow = wide.subarray(0, FRAME_SAMPLES);
		}
		return wide;
	}

	/** The frame at a call's rate: 16 kHz (`wide`) or 8 kHz. */
	at(wide: boolean): Int16Array {
		return wide ? this.wide : this.narrow;
	}
}
