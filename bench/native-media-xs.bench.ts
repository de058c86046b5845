/*
 * One call's steady state on the XS engine (the XS test host of rtp/native, -O2, metered):
 * 1,000 frames, each one RTP packet in and one out, through the portable media code
 * (rtp/media-session.ts as compiled by tsc) with the real XS audio binding, a 16 kHz mic and
 * speaker. JS heap growth (goal: none) and XS computrons per frame. See rtp/native/bench/media-xs.js.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export default async function nativeMediaXsBench() {
	const make = spawnSync("make", ["-s", "-C", "rtp/native", "xs-host"], { cwd: root, encoding: "utf8" });
	if (make.status !== 0) throw new Error(`make -C rtp/native xs-host failed: ${make.stderr}`);
	const r = spawnSync(join(root, "build/native/xs-host"), [join(root, "rtp/native/bench/media-xs.js")], { cwd: root, encoding: "utf8" });
	if (r.status !== 0) throw new Error(`xs-host media-xs.js failed (${r.status}): ${r.stdout}${r.stderr}`);
	const m = JSON.parse(r.stdout.trim().split("\n").pop()!);
	const per = (n: number) => (n / m.frames).toFixed(1);
	const bound = m.collected ? "≥ " : ""; // a collection during the run hides part of the allocations
	return {
		title: `XS engine: media session steady state, ${m.frames} frames (${m.packetsIn} RTP packets in, ${m.packetsOut} out)`,
		rows: [
			{ measure: "JS heap retained after the frames (slots, chunk bytes, after a collection)", value: `${m.slotsRetained}, ${m.chunkBytesRetained}`, goal: "none", met: m.slotsRetained <= 0 && m.chunkBytesRetained <= 0 ? "yes" : "NO" },
			{ measure: "slots allocated per frame (no collection in between)", value: `${bound}${per(m.slotsAllocated)}`, goal: "0", met: m.slotsAllocated <= 0 ? "yes" : "NO" },
			{ measure: "chunk bytes allocated per frame (strings, buffers)", value: `${bound}${per(m.chunkBytesAllocated)}`, goal: "0", met: m.chunkBytesAllocated <= 0 ? "yes" : "NO" },
			{ measure: "XS computrons per frame (1 packet in + 1 out), media code and binding", value: (m.computronsPerFrame - m.driverComputronsPerFrame).toFixed(0), goal: "", met: "" },
			{ measure: "  (measured with the driver's fake socket, mic, speaker; the driver alone)", value: `${Number(m.computronsPerFrame).toFixed(0)} (${Number(m.driverComputronsPerFrame).toFixed(0)})`, goal: "", met: "" },
			{ measure: "  for comparison: one new Uint8Array(datagram) (slots, chunk bytes)", value: `${m.viewCost.slots.toFixed(1)}, ${m.viewCost.chunkBytes.toFixed(0)}`, goal: "", met: "" },
			{ measure: "  for comparison: one string literal evaluated (code parsed at run time)", value: `${m.literalCost.slots.toFixed(1)}, ${m.literalCost.chunkBytes.toFixed(0)}`, goal: "", met: "" },
			{ measure: "frames played / lost", value: `${m.framesPlayed} / ${m.framesLost}`, goal: "", met: "" },
		],
	};
}
