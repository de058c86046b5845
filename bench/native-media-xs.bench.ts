/*
 * One call's steady state on the XS engine (the XS test host of rtp/native, -O2, metered):
 * 1,000 frames, each one RTP packet in and one out, through the portable media code
 * (rtp/media-session.ts as compiled by tsc) with the real XS audio binding, a 16 kHz mic and
 * speaker; a µ-law call and a G.722 call with the echo canceller in the path, and a G.722 call
 * without it. JS heap growth (goal: none) and XS computrons per frame (JS only: the native
 * code's own work is not metered). See rtp/native/bench/media-xs.js.
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
	const calls = m.calls as Array<Record<string, number | boolean | string>>;
	const row = (measure: string, value: (c: Record<string, number | boolean | string>) => string, goal = "", met?: (c: Record<string, number | boolean | string>) => boolean) => {
		const out: Record<string, string> = { measure };
		for (const c of calls) out[`${c.codec === "G722" ? "G.722" : "µ-law"}, echo control ${c.echoControl ? "on" : "off"}`] = value(c) + (met ? (met(c) ? "" : " (NO)") : "");
		out.goal = goal;
		return out;
	};
	const n = (c: Record<string, unknown>, key: string) => Number(c[key]);
	// A collection during the run hides part of the allocations: the figure is then a lower bound.
	const per = (c: Record<string, unknown>, key: string) => `${c.collected ? "≥ " : ""}${(n(c, key) / n(c, "frames")).toFixed(1)}`;
	return {
		title: `XS engine: media session steady state, ${calls[0].frames} frames each (1 RTP packet in, 1 out per frame)`,
		rows: [
			// Exact for the first call only (XS keeps a class's last instance with private methods until the next is made).
			row("JS heap the running session keeps (slots, chunk bytes, after a collection; first call)", (c) => (c === calls[0] ? `${c.sessionSlots}, ${c.sessionChunkBytes}` : "")),
			row("native memory the binding holds in the call, outside the JS heap (bytes: the echo canceller's state)", (c) => `${c.nativeBytes}`),
			row("JS heap retained after the frames (slots, chunk bytes, after a collection)", (c) => `${c.slotsRetained}, ${c.chunkBytesRetained}`, "none", (c) => n(c, "slotsRetained") <= 0 && n(c, "chunkBytesRetained") <= 0),
			row("slots allocated per frame (no collection in between)", (c) => per(c, "slotsAllocated"), "0", (c) => n(c, "slotsAllocated") <= 0),
			row("chunk bytes allocated per frame (strings, buffers)", (c) => per(c, "chunkBytesAllocated"), "0", (c) => n(c, "chunkBytesAllocated") <= 0),
			row("XS computrons per frame, media code and binding (the driver's subtracted)", (c) => (n(c, "computronsPerFrame") - n(c, "driverComputronsPerFrame")).toFixed(0)),
			row("  measured with the driver's fake socket, mic, speaker, clock (the driver alone)", (c) => `${n(c, "computronsPerFrame").toFixed(0)} (${n(c, "driverComputronsPerFrame").toFixed(0)})`),
			row("packets sent / frames played / frames lost", (c) => `${n(c, "packetsOut")} / ${c.framesPlayed} / ${c.framesLost}`),
			// Measured once, in the µ-law column.
			row("for comparison (slots, chunk bytes): one new Uint8Array(datagram) / one string literal evaluated at run time", (c) => (c === calls[0] ? `${m.viewCost.slots.toFixed(1)}, ${m.viewCost.chunkBytes.toFixed(0)} / ${m.literalCost.slots.toFixed(1)}, ${m.literalCost.chunkBytes.toFixed(0)}` : "")),
		],
	};
}
