/*
 * An adaptive jitter buffer for 20 ms G.711 frames, indexed by RTP timestamp. Frames go into a
 * ring of slots made once; playout takes one frame per tick and never waits: a frame that is not
 * there is reported for concealment. The playout delay follows the interarrival jitter (RFC 3550
 * §6.4.1) between 1 and 5 frames (20-100 ms): an underrun holds the playout point (the delay
 * grows by one frame), a buffer that stays deeper than needed for a second drops one frame, and
 * a buffer deeper than the maximum drops frames at once. "Deeper than needed" is counted in
 * frames (two more than the target) and, when `take` is told the time, in time: when every frame
 * played for a second had waited a whole frame more than the jitter calls for, one frame goes.
 * On a path without jitter that undoes the frame an underrun added (a packet that came a moment
 * after the tick once), which the frame count alone cannot see: it would keep 20 ms for the rest
 * of the call. Less than a frame to spare is reported (`spareMs`, once a second, and first after
 * a new stream's first 200 ms): the media session moves its playout clock sooner by that much.
 * A sender that paused or jumped in time (a new talk spurt, a restart) resynchronises the buffer.
 *
 * Slots are `12 + frameBytes` apart so that a plain packet (a 12-byte header and one frame) is
 * copied in whole with one native `set`, its payload landing in the slot; `take` hands out the
 * slot's own view. Packets of other lengths (10 or 30 ms, or with CSRCs or an extension) are cut
 * into the slots by sample position, a byte at a time (a view of the piece would be an allocation
 * on XS, for every packet): nothing is allocated per packet either way. Each slot notes which
 * milliseconds of its frame have arrived, so a duplicated piece is counted as one and cannot make
 * a frame look whole; a slot that is only partly filled plays once a later one is there, its gap
 * silent.
 */

/** What `take` produced. */
export const TAKE_SILENCE = 0;
export const TAKE_FRAME = 1;
export const TAKE_CONCEAL = 2;

export interface JitterCounters {
	/** Frames stored. */
	frames: number;
	played: number;
	late: number;
	duplicates: number;
	/** Frames missing at playout while later ones were there. */
	lost: number;
	/** Playout found the buffer empty and held its position. */
	underruns: number;
	/** Frames dropped to shorten the delay or on a resynchronisation. */
	dropped: number;
	resyncs: number;
	/** Empty payloads, or longer than the longest delay. */
	badSize: number;
}

const WINDOW_TICKS = 50;
/** A stream's first window is shorter: its phase is known after a few frames (200 ms: three 60 ms cycles of 30 ms packets). */
const FIRST_WINDOW_TICKS = 10;
/** Spare time a frame must have had beyond a whole frame, besides the jitter's (ms): the host's timers and the tick. */
const SPARE_MS = 4;
/** Bytes per millisecond of coded audio (G.711 and G.722 alike): what a slot notes as arrived, one bit each. */
const MS_BYTES = 8;

/** Copies `count` bytes of `from` at `at` into `to` at `into`, with no view of them. */
function copyBytes(from: Uint8Array, at: number, count: number, to: Uint8Array, into: number): void {
	for (let i = 0; i < count; i++) to[into + i] = from[at + i];
}

export class JitterBuffer {
	readonly frameBytes: number;
	readonly slots: number;
	readonly minFrames: number;
	readonly maxFrames: number;
	readonly counters: JitterCounters = { frames: 0, played: 0, late: 0, duplicates: 0, lost: 0, underruns: 0, dropped: 0, resyncs: 0, badSize: 0 };
	#codes: Uint8Array;
	#stride: number;
	#views: Uint8Array[] = [];
	/** The frame the last TAKE_FRAME produced (a view into the buffer, valid until the next put). */
	frame: Uint8Array;
	#ts: Int32Array;
	#full: Uint8Array;
	/** The milliseconds of each slot's frame that have arrived, a bit each (bit 0: its first). */
	#filled: Uint32Array;
	/** Every millisecond of a frame. */
	#whole: number;
	/** The code of silence for the stream's law (µ-law 0xff, A-law 0xd5), for gaps in partly filled slots. */
	silence = 0xff;
	#count = 0;
	#started = false;
	#playTs = 0;
	#playSlot = 0;
	#newest = 0;
	#prefill = 0;
	#target: number;
	/** Interarrival jitter in timestamp units (1/8 ms), and the last transit time. */
	#jitter = 0;
	#transit = 0;
	#haveTransit = false;
	#windowMin = 0;
	#windowTicks = 0;
	#windowLength = FIRST_WINDOW_TICKS;
	/** When each slot's frame was complete (the `arrivalMs` of its last piece). */
	#arrived: Float64Array;
	/** The shortest wait of a frame played in this window (ms; Infinity when none was timed). */
	#windowWait = Infinity;
	/** The last put's arrival time. */
	#arrivalMs = 0;
	/**
	 * How much sooner the frames of the last whole second could have played, keeping the margin
	 * for the jitter (ms; NaN until a second of timed frames has passed since the start or a reset).
	 */
	spareMs = NaN;

	constructor(options: { frameBytes?: number; slots?: number; minFrames?: number; maxFrames?: number } = {}) {
		this.frameBytes = options.frameBytes ?? 160;
		this.minFrames = options.minFrames ?? 1;
		this.maxFrames = options.maxFrames ?? 5;
		this.slots = Math.max(options.slots ?? 16, this.maxFrames * 2 + 2);
		this.#stride = 12 + this.frameBytes;
		this.#codes = new Uint8Array(this.slots * this.#stride);
		for (let i = 0; i < this.slots; i++) this.#views.push(this.#codes.subarray(i * this.#stride + 12, (i + 1) * this.#stride));
		this.frame = this.#views[0];
		this.#ts = new Int32Array(this.slots);
		this.#full = new Uint8Array(this.slots);
		const ms = this.frameBytes / MS_BYTES;
		if (!(ms >= 1 && ms <= 31 && ms === Math.floor(ms))) throw new RangeError(`frames of ${this.frameBytes} bytes: 8 to 248, in whole milliseconds of ${MS_BYTES} bytes`);
		this.#filled = new Uint32Array(this.slots);
		this.#whole = 2 ** ms - 1;
		this.#arrived = new Float64Array(this.slots);
		this.#target = this.minFrames;
		this.#windowMin = this.slots;
	}

	/** The playout delay aimed at, in frames. */
	get targetFrames(): number {
		return this.#target;
	}

	/** Frames stored from the playout point to the newest one (0 when empty). */
	get depth(): number {
		return this.#count === 0 ? 0 : ((this.#newest - this.#playTs) | 0) / this.frameBytes + 1;
	}

	/** Interarrival jitter in ms. */
	get jitterMs(): number {
		return this.#jitter / 8;
	}

	/** Empties the buffer and forgets the stream (a new SSRC or peer). */
	reset(): void {
		this.#clear();
		this.#started = false;
		this.#haveTransit = false;
		this.#jitter = 0;
		this.#target = this.minFrames;
		this.#windowTicks = 0;
		this.#windowMin = this.slots;
		this.#windowWait = Infinity;
		this.spareMs = NaN;
	}

	/**
	 * Stores the frames of one packet (`packet`, the whole datagram): `length` payload bytes at
	 * `offset`, starting at RTP `timestamp`, that arrived at `arrivalMs`.
	 */
	put(packet: Uint8Array, offset: number, length: number, timestamp: number, arrivalMs: number): void {
		const frameBytes = this.frameBytes;
		if (length === 0 || length > frameBytes * this.maxFrames) {
			this.counters.badSize++;
			return;
		}
		this.#arrival(timestamp, arrivalMs);
		this.#arrivalMs = arrivalMs;
		if (!this.#started) this.#resync(timestamp, false);
		// Samples from the playout point to the packet's first one.
		let d = (timestamp - this.#playTs) | 0;
		const span = this.slots * frameBytes;
		if (d + length <= 0) {
			if (this.#count > 0 || d > -span) {
				this.counters.late++;
				return;
			}
			this.#resync(timestamp, true);
			d = 0;
		} else if (d >= span || (this.#count === 0 && (d >= this.maxFrames * frameBytes || d % frameBytes !== 0))) {
			// Far ahead, or the buffer is empty and the stream moved on (a new talk spurt): start again there.
			this.#resync(timestamp, true);
			d = 0;
		} else if (d < 0) {
			// Partly before the playout point: keep the rest.
			offset -= d;
			length += d;
			d = 0;
		}
		if (d % frameBytes === 0 && length % frameBytes === 0) {
			const whole = length === frameBytes && offset === 12 && packet.length === this.#stride;
			for (let at = 0; at < length; at += frameBytes) this.#storeFrame(packet, offset + at, (d + at) / frameBytes, whole);
			return;
		}
		while (length > 0) {
			const frame = Math.floor(d / frameBytes);
			if (frame >= this.slots) return;
			const within = d - frame * frameBytes;
			const n = Math.min(frameBytes - within, length);
			const slot = this.#slot(frame);
			// The milliseconds the piece touches (a piece that is not in whole milliseconds counts for the ones it touches).
			const first = Math.floor(within / MS_BYTES), end = Math.ceil((within + n) / MS_BYTES);
			const piece = (2 ** end - 2 ** first) >>> 0, had = this.#filled[slot];
			if ((had & piece) === piece) this.counters.duplicates++;
			else {
				copyBytes(packet, offset, n, this.#codes, slot * this.#stride + 12 + within);
				const filled = (had | piece) >>> 0;
				this.#filled[slot] = filled;
				if (filled === this.#whole) {
					this.counters.frames++;
					this.#arrived[slot] = arrivalMs;
				}
			}
			d += n;
			offset += n;
			length -= n;
		}
	}

	/**
	 * The next frame: TAKE_FRAME (its codes in `frame`), TAKE_CONCEAL or TAKE_SILENCE. Never waits.
	 * `nowMs` (the clock of put's `arrivalMs`) lets the delay shrink by how long frames waited.
	 */
	take(nowMs = NaN): number {
		if (!this.#started) return TAKE_SILENCE;
		if (this.#prefill > 0) {
			this.#prefill--;
			return TAKE_SILENCE;
		}
		this.#adapt();
		const slot = this.#playSlot;
		const here = this.#full[slot] === 1 && this.#ts[slot] === this.#playTs;
		// A partly filled slot waits for its rest until a later one is there.
		if (here && (this.#filled[slot] === this.#whole || this.#newest !== this.#playTs)) {
			const wait = nowMs - this.#arrived[slot];
			if (wait < this.#windowWait) this.#windowWait = wait;
			this.frame = this.#views[slot];
			this.counters.played++;
			this.#advance();
			return TAKE_FRAME;
		}
		if (!here && this.#count > 0) {
			this.counters.lost++;
			this.#advance();
			return TAKE_CONCEAL;
		}
		// Empty, or only part of this frame is there: hold the playout point, so that a late frame
		// still plays (the delay grows by a frame).
		this.counters.underruns++;
		return TAKE_CONCEAL;
	}

	#arrival(timestamp: number, arrivalMs: number): void {
		const transit = arrivalMs * 8 - timestamp;
		if (this.#haveTransit) {
			let d = transit - this.#transit;
			// The timestamp is 32-bit and wraps; a jump of more than a second is a new talk spurt, not jitter.
			if (d > 2147483648) d -= 4294967296;
			else if (d < -2147483648) d += 4294967296;
			if (d < 0) d = -d;
			if (d < 8000) this.#jitter += (d - this.#jitter) / 16;
		}
		this.#transit = transit;
		this.#haveTransit = true;
		const wanted = Math.ceil((3 * this.jitterMs + 2) / 20);
		this.#target = wanted < this.minFrames ? this.minFrames : wanted > this.maxFrames ? this.maxFrames : wanted;
	}

	/** One whole frame, `frame` frames after the playout point; `whole` when `bytes` is exactly header + frame. */
	#storeFrame(bytes: Uint8Array, offset: number, frame: number, whole: boolean): void {
		const frameBytes = this.frameBytes;
		if (frame >= this.slots) return;
		const slot = (this.#playSlot + frame) % this.slots;
		const timestamp = (this.#playTs + frame * frameBytes) | 0;
		if (this.#full[slot] === 1 && this.#ts[slot] === timestamp && this.#filled[slot] === this.#whole) {
			this.counters.duplicates++;
			return;
		}
		this.#slot(frame);
		if (whole) this.#codes.set(bytes, slot * this.#stride);
		else copyBytes(bytes, offset, frameBytes, this.#codes, slot * this.#stride + 12);
		this.#filled[slot] = this.#whole;
		this.#arrived[slot] = this.#arrivalMs;
		this.counters.frames++;
	}

	/** The slot of the frame `frame` frames after the playout point, taken into use (silent) if it was free. */
	#slot(frame: number): number {
		const slot = (this.#playSlot + frame) % this.slots;
		const timestamp = (this.#playTs + frame * this.frameBytes) | 0;
		if (this.#full[slot] === 1 && this.#ts[slot] === timestamp) return slot;
		if (this.#full[slot] === 0) this.#count++;
		this.#full[slot] = 1;
		this.#ts[slot] = timestamp;
		this.#filled[slot] = 0;
		this.#arrived[slot] = NaN;
		const base = slot * this.#stride + 12;
		this.#codes.fill(this.silence, base, base + this.frameBytes);
		if (this.#count === 1 || ((timestamp - this.#newest) | 0) > 0) this.#newest = timestamp;
		return slot;
	}

	/** Shortens a delay that has been longer than needed for a whole window, or longer than the maximum. */
	#adapt(): void {
		let depth = this.depth;
		while (depth > this.maxFrames) {
			this.#drop();
			depth--;
		}
		if (depth < this.#windowMin) this.#windowMin = depth;
		if (++this.#windowTicks < this.#windowLength) return;
		this.#windowLength = WINDOW_TICKS;
		const min = this.#windowMin;
		const timed = this.#windowWait !== Infinity;
		const spare = this.#windowWait - 3 * this.jitterMs - SPARE_MS;
		// Every frame played waited a frame (20 ms) more than the jitter asks for (untimed ones do not count).
		if (min > this.#target + 1 || (min > this.#target && timed && spare >= this.frameBytes / 8)) {
			this.#drop();
			this.spareMs = NaN;
		} else if (timed) this.spareMs = spare > 0 ? spare : 0;
		this.#windowTicks = 0;
		this.#windowMin = this.slots;
		this.#windowWait = Infinity;
	}

	#drop(): void {
		if (this.#full[this.#playSlot] === 1) this.counters.dropped++;
		this.#advance();
	}

	#advance(): void {
		const slot = this.#playSlot;
		if (this.#full[slot] === 1) {
			this.#full[slot] = 0;
			this.#count--;
		}
		this.#playTs = (this.#playTs + this.frameBytes) | 0;
		this.#playSlot = (slot + 1) % this.slots;
	}

	#resync(timestamp: number, counted: boolean): void {
		if (counted) this.counters.resyncs++;
		else {
			// A new stream: its first window starts with its first frame.
			this.#windowTicks = 0;
			this.#windowMin = this.slots;
			this.#windowWait = Infinity;
			this.#windowLength = FIRST_WINDOW_TICKS;
		}
		this.counters.dropped += this.#count;
		this.#clear();
		this.#started = true;
		this.#playTs = timestamp | 0;
		this.#playSlot = 0;
		this.#newest = timestamp | 0;
		this.#prefill = this.#target - 1;
	}

	#clear(): void {
		this.#full.fill(0);
		this.#count = 0;
	}
}
