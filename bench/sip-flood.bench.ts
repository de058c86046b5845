/*
 * Memory under a SIP flood: 30,000 INFOs outside any dialog at 2,000 a second, every other one
 * from a stranger and the rest from the PBX's address (each a new transaction).
 *   Node: the running simulator (test/rig/sip-flood.ts, all on loopback), its resident set
 *         (VmRSS) before and right after the flood and its peak (VmHWM), read from /proc.
 *   XS:   the same flood through the SIP stack (UserAgent, transaction layer, transport) on a
 *         fake clock inside xsnap-worker (XS 13.3): after every 1,000 requests a collection, then
 *         the live chunk bytes and slots (bench/xs-meter.c) and the live table entries. Slots
 *         are 32 bytes on this 64-bit build and 16 on the ESP32; chunks are about the same.
 * A printed table, never a timed assertion.
 *
 * This module is loaded twice: by `npm run bench` on Node (the default export drives the
 * simulator and the worker) and inside XS (the workload below). Its static imports are
 * portable code only.
 */

import { UaHarness, floodInfo, PBX } from "../test/lib/ua-harness.js";

const TOTAL = 30_000;
const RATE = 2000;
const STEP = 1000;
const STRANGER = "127.0.0.2";

// ——— The workload, run inside XS. ———

interface XsGlobals {
	gc?: () => void;
	xsMeterChunks?: () => number;
	xsMeterSlots?: () => number;
}

let harness: UaHarness | undefined;
let next = 0;

/** The live heap after a collection, and the live entries of the SIP tables (JSON). */
function live(): string {
	const g = globalThis as XsGlobals;
	const h = harness!;
	// The harness keeps every log line (the stack logs one refusal a second); they are not the stack's.
	h.logLines.length = 0;
	g.gc?.();
	const layer = h.ua.layer as unknown as { serverCount: number; refusedCount?: number };
	return JSON.stringify({ chunks: g.xsMeterChunks?.() ?? -1, slots: g.xsMeterSlots?.() ?? -1, servers: layer.serverCount, refused: layer.refusedCount ?? 0, timers: h.clock.pending, requests: next });
}

/** A registered user agent on a fake clock, before any flood. */
export function xsFloodStart(): string {
	harness = new UaHarness();
	harness.register();
	harness.socket.take();
	next = 0;
	return live();
}

/** The next `n` requests of the flood at RATE a second, then the live heap. */
export function xsFloodStep(n: number): string {
	const h = harness!;
	for (let i = 0; i < n; i++, next++) {
		const host = next % 2 === 0 ? STRANGER : PBX;
		h.deliver(floodInfo(next, host), host, 5060);
		if ((next + 1) % 100 === 0) {
			h.clock.advance((100 * 1000) / RATE);
			h.socket.take();
		}
	}
	h.socket.take();
	return live();
}

/** Lets `ms` pass with no traffic, then the live heap. */
export function xsFloodQuiet(ms: number): string {
	harness!.clock.advance(ms);
	harness!.socket.take();
	return live();
}

// ——— The driver, run on Node by `npm run bench`. ———

interface Live {
	chunks: number;
	slots: number;
	servers: number;
	refused: number;
	timers: number;
	requests: number;
}

const kb = (bytes: number) => `${(bytes / 1024).toLocaleString("en-US", { maximumFractionDigits: 1 })} KB`;

async function onXs(): Promise<{ title: string; rows: Array<Record<string, string | number>> }> {
	const { XsnapWorker, replyWith } = await import("../test/lib/xsnap-client.js");
	const { benchWorker } = await import("./xs-worker.js");
	const { fileURLToPath } = await import("node:url");
	const chosen = benchWorker();
	const worker = new XsnapWorker({ binary: chosen.binary, computronLimit: 2_000_000_000 });
	try {
		const call = async (js: string): Promise<Live> => {
			const reply = await worker.evaluate(replyWith(js));
			if (reply.text.startsWith('{"scriptError"')) throw new Error(`XS: ${reply.text}`);
			return JSON.parse(reply.text) as Live;
		};
		await worker.evaluate(replyWith(`import(${JSON.stringify(fileURLToPath(import.meta.url))}).then((m) => { globalThis.klingelFlood = m; return "loaded"; })`));
		const start = await call("globalThis.klingelFlood.xsFloodStart()");
		const samples: Live[] = [];
		for (let done = 0; done < TOTAL; done += STEP) samples.push(await call(`globalThis.klingelFlood.xsFloodStep(${STEP})`));
		const quiet = await call("globalThis.klingelFlood.xsFloodQuiet(64000)");
		const heap = (l: Live) => l.chunks + 32 * l.slots;
		const device = (l: Live) => l.chunks + 16 * l.slots;
		const peak = samples.reduce((a, b) => (heap(b) > heap(a) ? b : a));
		const last = samples[samples.length - 1];
		const growth = (l: Live) => `${kb(heap(l) - heap(start))} (device estimate ${kb(device(l) - device(start))})`;
		const row = (what: string, l: Live, extra = "") => ({
			when: what,
			"live chunks": kb(l.chunks),
			"live slots": l.slots.toLocaleString("en-US"),
			"growth over the start": l === start ? "" : growth(l),
			"server transactions": l.servers,
			"refused kept": l.refused,
			timers: l.timers,
			note: extra,
		});
		const first = samples[0];
		return {
			title: `SIP flood on XS 13.3 (xsnap-worker, fake clock): ${TOTAL.toLocaleString("en-US")} INFOs at ${RATE}/s, half from a stranger, half from the PBX; live heap after a collection${chosen.metered ? "" : ` (${chosen.note})`}`,
			rows: [
				row("registered, before the flood", start),
				row(`after ${first.requests.toLocaleString("en-US")} requests`, first),
				row(`peak (after ${peak.requests.toLocaleString("en-US")})`, peak),
				row(`after ${last.requests.toLocaleString("en-US")} requests`, last),
				row("64 s later", quiet),
			],
		};
	} finally {
		await worker.close();
	}
}

async function onNode(): Promise<{ title: string; rows: Array<Record<string, string | number>> }> {
	const { FloodRig } = await import("../test/rig/sip-flood.js");
	const rig = await FloodRig.start("bench-flood");
	try {
		await new Promise((r) => setTimeout(r, 1000));
		const before = rig.memory();
		const started = Date.now();
		let callWorked = false;
		await rig.flood(TOTAL, RATE, async () => {
			await new Promise((r) => setTimeout(r, 3000));
			await rig.call();
			await new Promise((r) => setTimeout(r, 1000));
			callWorked = (await rig.bye()).status === 200;
		});
		const seconds = (Date.now() - started) / 1000;
		const after = rig.memory();
		const status = await rig.simulator.status();
		const answers = Object.entries(rig.counts.answers).map(([s, n]) => `${n} × ${s}`).join(", ");
		const mb = (k: number) => `${(k / 1024).toFixed(1)} MB`;
		return {
			title: `SIP flood against the simulator (Node ${process.version}, loopback): ${TOTAL.toLocaleString("en-US")} INFOs in ${seconds.toFixed(1)} s, half from ${STRANGER}, half from the PBX's address`,
			rows: [
				{ what: "resident set before the flood", value: mb(before.rssKb) },
				{ what: "resident set right after the flood", value: mb(after.rssKb) },
				{ what: "growth", value: mb(after.rssKb - before.rssKb) },
				{ what: "peak resident set (VmHWM)", value: mb(after.peakKb) },
				{ what: "answers received", value: answers },
				{ what: "live SIP table entries after (sipDebug)", value: JSON.stringify(status.sip_transactions ?? "not reported") },
				{ what: "the PBX's call during the flood (INVITE, ACK, BYE)", value: callWorked ? "answered and ended" : "FAILED" },
			],
		};
	} finally {
		await rig.stop();
	}
}

export default async function sipFloodBench(): Promise<Array<{ title: string; rows: Array<Record<string, string | number>> }>> {
	// KLINGEL_BENCH_PART=xs or node runs one half.
	const part = process.env.KLINGEL_BENCH_PART;
	const tables = [];
	if (part !== "xs") tables.push(await onNode());
	if (part !== "node") tables.push(await onXs());
	return tables;
}
