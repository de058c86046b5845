/*
 * rtp/jitter-buffer.ts (as tsc emits it) on the XS test host, as the device runs it: packets
 * that are not one plain 20 ms frame (10 ms and 30 ms packets, and 20 ms with CSRCs) are cut into
 * the buffer's slots by sample position. Every frame must play whole and in order, and in steady
 * state the JS heap must not grow: no slot and no chunk byte allocated per packet (without a
 * collection in between, so that every allocation counts). Prints "ok - …" / "not ok - …" lines
 * and "N passed, N failed".
 */
import { JitterBuffer, TAKE_FRAME } from "../../build/rtp/jitter-buffer.js";
import { allocations, check, summary } from "./xs-checks.js";

const WARMUP_MS = 1000, MS = 20000;

/** The coded byte at RTP timestamp `ts` of the test's stream: it differs from its neighbours. */
const code = (ts) => (ts * 7 + (ts >> 8)) & 0xff;

for (const [ptime, csrcs] of [[10, 0], [30, 0], [20, 2]]) {
	const jb = new JitterBuffer();
	const bytes = ptime * 8, offset = 12 + 4 * csrcs;
	// The sender's packets, made up front for a whole second and sent again with new timestamps.
	const packets = [];
	for (let i = 0; i < 1000 / ptime; i++) packets.push(new Uint8Array(offset + bytes));
	let sentTs = 0, playedTs = 0, bad = 0, frames = 0;
	/** Sends what is due by `ms` (each packet at its end) and plays a frame at each 20 ms tick. */
	function run(fromMs, toMs) {
		for (let ms = fromMs; ms < toMs; ms++) {
			if ((ms + 1) % ptime === 0) {
				const packet = packets[(sentTs / bytes) % packets.length];
				for (let i = 0; i < bytes; i++) packet[offset + i] = code(sentTs + i);
				jb.put(packet, offset, bytes, sentTs, ms);
				sentTs += bytes;
			}
			if (ms % 20 === 19 && jb.take(ms) === TAKE_FRAME) {
				const frame = jb.frame;
				for (let i = 0; i < 160; i++) if (frame[i] !== code(playedTs + i)) bad++;
				playedTs += 160;
				frames++;
			}
		}
	}
	run(0, WARMUP_MS);
	const startFrames = frames;
	const used = allocations(() => run(WARMUP_MS, WARMUP_MS + MS));
	const name = `${ptime} ms packets${csrcs ? ` with ${csrcs} CSRCs` : ""}`;
	check(bad === 0 && frames - startFrames >= MS / 20 - 1 && jb.counters.lost === 0, `${name}: every frame plays whole and in order`, `${frames - startFrames} frames played in ${MS} ms, ${bad} bytes wrong, ${jb.counters.lost} lost`);
	check(used.slots === 0 && used.chunks === 0, `${name}: no JS heap allocated in ${Math.round(MS / ptime)} packets`, `${used.slots} slots, ${used.chunks} chunk bytes (${(used.slots / (MS / ptime)).toFixed(1)} slots a packet)`);
}

summary();
