/*
 * XS benchmark: what the SIP code costs per message on the XS engine (13.3, xsnap-worker):
 * bytes of chunks allocated (strings, buffers, array storage), slots allocated, computrons.
 *   (a) parse a FRITZ!Box INVITE with SDP and read what a UA needs, with the project's parser
 *       and with a straightforward split-everything parser (the reference below);
 *   (b) build and send a REGISTER through Registration, the transaction layer and SipTransport
 *       into a socket that only counts what it is given.
 * Each message runs in a request of its own after a collection, so the allocation counters
 * around it are exact; its computrons are the request's minus those of a request without it.
 * A printed table, never a timed assertion.
 *
 * What each row includes (all per message, the one-time set-up of decoders and the rig excluded):
 *   parse + reads   parseSip (one decode of the datagram, start line, header index, the
 *                   Content-Length check) and the reads of projectRead(): top Via (values +
 *                   parseVia), From/To (parseNameAddr + tag), Call-ID, CSeq, Content-Type, the
 *                   body as text. This is the row the goal applies to.
 *   parseSip alone  only the first of those steps.
 *   + SipTransport  parseSip, validate.ts inspect() (every Via parsed, single Call-ID/CSeq/
 *                   From/To, Max-Forwards, Contact) and the same reads: what the stack does
 *                   with each datagram before a transaction sees it.
 *   naive           the split-everything reference below, doing the same reads.
 *   SDP             parseSdp of the INVITE's body (its text made before the run).
 *   REGISTER        Registration.start(): new Call-ID, tag and branch, the message built and
 *                   encoded, a client transaction with its one timer (Timer E or F, whichever is
 *                   sooner), SipTransport.send
 *                   into a socket that only counts. A refresh REGISTER makes no Call-ID or tag.
 *   trace log       SipTraceLog.add of a FRITZ!Box OPTIONS or the door's 200 OK to it (they
 *                   alternate): to a full log (the oldest dropped, and the next one stored whole
 *                   again when it referred to it), and to a log holding one message (no drop).
 * How fair the figures are:
 *   - "bytes allocated" is every chunk allocated meanwhile (strings, buffers, array storage),
 *     garbage included, not what stays alive; slots are counted apart.
 *   - The computron baseline (a request running zero messages) has the same collection, meter
 *     reads and JSON reply; the difference is the message plus one loop turn (about a dozen).
 *   - This worker compiles the modules from source at run time. Such code copies a string
 *     literal into a new chunk each time it is evaluated (XS_CODE_STRING); code compiled by
 *     xsc for the device refers to literals in flash (XS_CODE_STRING_ARCHIVE), so literals in
 *     hot paths are counted here but cost nothing there. The SIP code keeps its literals in
 *     module-level constants, which costs the same on both.
 *   - The REGISTER row runs with test/lib/fake-clock.ts: its setTimeout (an object pushed on a
 *     list, about 115 computrons and 100 B each, one per REGISTER) stands in for the device's
 *     clock, whose closure and native Timer.set cost about 50 computrons (measured with an array
 *     push standing in for Timer.set): the row overstates the device by some 70 computrons.
 *     Random bytes come from a native fill, as on the device.
 *   - The note (~8.6 KB, ~3,500 computrons for a naive parser) came from another naive
 *     parser; the reference row below, measured the same way as the others, is the comparison.
 *
 * This module is loaded twice: by `npm run bench` on Node (the default export drives the
 * worker) and inside XS (the workload below). Its static imports are portable code only.
 */

import { parseSip } from "../sip/message.js";
import { inspect } from "../sip/validate.js";
import { param, parseCSeq, parseNameAddr, parseVia } from "../sip/header-values.js";
import { decodeUtf8, encodeUtf8 } from "../modules/text.js";
import { TransactionLayer } from "../sip/transaction-layer.js";
import { UaContext } from "../sip/context.js";
import { IdSource } from "../sip/ids.js";
import { DigestAuthenticator } from "../sip/digest.js";
import { Registration } from "../sip/registration.js";
import { DEFAULT_UA_CONFIG } from "../sip/config.js";
import { FakeClock } from "../test/lib/fake-clock.js";
import { FRITZBOX_INVITE } from "../test/lib/fritzbox-messages.js";
import { parseSdp } from "../sip/sdp.js";
import { SipTraceLog, TRACE_MAX_ENTRIES } from "../sip/trace-log.js";
import type { Datagram, Logger, UdpSocket } from "../modules/ports.js";

/** What a UA reads from a request before it acts on it. */
interface Read {
	method: string;
	branch: string;
	callId: string;
	fromTag: string;
	toTag: string;
	cseq: number;
	cseqMethod: string;
	contentType: string;
	body: string;
}

// ——— The reference: a straightforward parser that splits everything up front. ———

const NAIVE_COMPACT: Record<string, string> = { i: "call-id", m: "contact", l: "content-length", c: "content-type", f: "from", s: "subject", k: "supported", t: "to", v: "via" };

interface NaiveMessage {
	method: string;
	uri: string;
	version: string;
	headers: Record<string, string[]>;
	body: string;
}

function naiveParse(bytes: Uint8Array): NaiveMessage {
	const text = decodeUtf8(bytes);
	const split = text.indexOf("\r\n\r\n");
	const lines = text.slice(0, split).replace(/\r\n[ \t]+/g, " ").split("\r\n");
	const [method, uri, version] = lines[0].split(" ");
	const headers: Record<string, string[]> = {};
	for (const line of lines.slice(1)) {
		const colon = line.indexOf(":");
		const raw = line.slice(0, colon).trim().toLowerCase();
		const name = NAIVE_COMPACT[raw] ?? raw;
		const values = line.slice(colon + 1).split(",").map((v) => v.trim());
		headers[name] = (headers[name] ?? []).concat(values);
	}
	return { method, uri, version, headers, body: text.slice(split + 4) };
}

function naiveParams(value: string): Record<string, string> {
	const params: Record<string, string> = {};
	for (const part of value.split(";").slice(1)) {
		const [key, val] = part.split("=");
		params[key.trim().toLowerCase()] = (val ?? "").trim();
	}
	return params;
}

function naiveRead(bytes: Uint8Array): Read {
	const m = naiveParse(bytes);
	const [seq, cseqMethod] = m.headers["cseq"][0].split(" ");
	return {
		method: m.method,
		branch: naiveParams(m.headers["via"][0]).branch,
		callId: m.headers["call-id"][0],
		fromTag: naiveParams(m.headers["from"][0]).tag ?? "",
		toTag: naiveParams(m.headers["to"][0]).tag ?? "",
		cseq: Number(seq),
		cseqMethod,
		contentType: m.headers["content-type"][0],
		body: m.body,
	};
}

// ——— The project's code. ———

/** The same reads with the project's parser and header-value parsers, nothing more. */
function projectRead(bytes: Uint8Array): Read {
	const message = parseSip(bytes);
	const via = parseVia(message.values("via")[0] ?? "");
	const from = parseNameAddr(message.header("from") ?? "");
	const to = parseNameAddr(message.header("to") ?? "");
	const cseq = parseCSeq(message.header("cseq") ?? "");
	return {
		method: message.method,
		branch: via?.branch ?? "",
		callId: message.header("call-id") ?? "",
		fromTag: (from && param(from.params, "tag")) ?? "",
		toTag: (to && param(to.params, "tag")) ?? "",
		cseq: cseq?.seq ?? 0,
		cseqMethod: cseq?.method ?? "",
		contentType: message.header("content-type") ?? "",
		body: message.body,
	};
}

/** What SipTransport does with every datagram: parse and every check of inspect(), then the reads. */
function transportRead(bytes: Uint8Array): Read {
	const message = parseSip(bytes);
	const essentials = inspect(message); // what SipTransport checks for every datagram
	return {
		method: message.method,
		branch: essentials.via.branch,
		callId: essentials.callId,
		fromTag: essentials.fromTag,
		toTag: essentials.toTag,
		cseq: essentials.cseq.seq,
		cseqMethod: essentials.cseq.method,
		contentType: message.header("content-type") ?? "",
		body: message.body,
	};
}

/** A socket that keeps nothing: it counts the datagrams and octets it is given. */
class CountingSocket implements UdpSocket {
	readonly port = 5062;
	datagrams = 0;
	octets = 0;
	read(): Datagram | undefined {
		return undefined;
	}
	write(data: ArrayBuffer | ArrayBufferView, _address: string, _port: number): void {
		this.datagrams++;
		this.octets += data.byteLength;
	}
	close(): void {}
}

class RegisterRig {
	readonly clock = new FakeClock();
	readonly socket = new CountingSocket();
	readonly registration: Registration;
	constructor() {
		const log: Logger = { info() {}, warn() {}, error() {} };
		// Random bytes come from a native port on the device (and on the host); a JavaScript
		// generator here would cost more than the REGISTER itself. A native fill stands in.
		let seed = 1;
		const random = (target: Uint8Array) => {
			target.fill(seed = (seed * 73 + 41) & 255);
		};
		const ids = new IdSource(random);
		const layer = new TransactionLayer({ udp: () => this.socket, clock: this.clock, log, ids });
		layer.transport.open();
		const ctx = new UaContext({
			config: { ...DEFAULT_UA_CONFIG, user: "620", password: "geheim", displayName: "Haustür", userAgent: "klingel/0.1" },
			layer,
			ids,
			auth: new DigestAuthenticator(() => "0".repeat(32), () => "0".repeat(64), random),
			log,
			localAddress: () => "192.168.178.30",
			localPort: () => 5062,
		});
		ctx.pbx = { address: "192.168.178.1", port: 5060 };
		this.registration = new Registration(ctx);
	}
	/** One REGISTER built and handed to the socket (a fresh binding each time: new Call-ID, branch, tag). */
	send(): void {
		this.registration.start();
	}
	/** Lets every transaction started so far time out (Timer F), outside the measured runs. */
	settle(): void {
		this.registration.stop(false);
		this.clock.advance(64_000);
	}
}

// ——— The workload, run inside XS. ———

interface XsGlobals {
	gc?: () => void;
	xsMeterChunks?: () => number;
	xsMeterSlots?: () => number;
}

let inviteBytes: Uint8Array | undefined;
let rig: RegisterRig | undefined;
let sink: unknown;

export type Workload = "parse" | "project" | "transport" | "naive" | "register" | "sdp" | "trace-full" | "trace-one" | Primitive;

/** A FRITZ!Box OPTIONS and the door's 200 OK to it, the `i`th pair (its own branch, tag, Call-ID, CSeq). */
function optionsPair(i: number): [string, string] {
	const via = `Via: SIP/2.0/UDP 192.168.178.1:5060;branch=z9hG4bK0A1B2C3D${1000 + i}`, from = `From: <sip:fritz.box>;tag=${30000 + i}`;
	const callId = `Call-ID: ${77665544 + i}@192.168.178.1`, cseq = `CSeq: ${i + 1} OPTIONS`;
	return [
		["OPTIONS sip:620@192.168.178.30:5062 SIP/2.0", via, from, "To: <sip:620@192.168.178.30:5062>", callId, cseq, "Max-Forwards: 70", "Accept: application/sdp", "Content-Length: 0", "", ""].join("\r\n"),
		["SIP/2.0 200 OK", `${via};received=192.168.178.1`, from, "To: <sip:620@192.168.178.30:5062>;tag=d00r", callId, cseq, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE", "Accept: application/sdp", "Content-Length: 0", "", ""].join("\r\n"),
	];
}

/** The trace workload's messages (encoded once), the full log and the next message's place. */
let traceMessages: Uint8Array[] | undefined;
let traceFull: SipTraceLog | undefined, traceOne: SipTraceLog | undefined;
let traceNext = 0;
const traceClock = { now: () => 0, wallClock: () => 0 };

function traceAdd(log: SipTraceLog): void {
	const messages = traceMessages!;
	log.add(traceNext % 2 === 1, messages[traceNext % messages.length], "192.168.178.1", 5060, 5062);
	traceNext++;
}

/** Single steps any parser of this INVITE takes, to show the floor a design can reach on XS. */
type Primitive = "decode" | "lowercase" | "regexp" | "scan" | "checked";
const LF = "\n", CRLF_CRLF = "\r\n\r\n";
const CALL_ID = /\r\n(?:call-id|i)[ \t]*:/gi;
let inviteText = "", sdpText = "";
let scanStarts: Uint16Array | undefined;

/** The least work that finds every header line: one native search for LF a line, its start kept. */
function scanLines(text: string, starts: Uint16Array): number {
	const end = text.indexOf(CRLF_CRLF);
	let pos = text.indexOf(LF) + 1, count = 0;
	while (pos < end) {
		const next = text.indexOf(LF, pos);
		starts[count++] = pos;
		pos = next + 1;
	}
	return count;
}

const COLON = ":";
const NAMES = new Map<string, number>([["Via", 1], ["Record-Route", 2], ["From", 3], ["To", 4], ["Call-ID", 5], ["CSeq", 6], ["Contact", 7], ["Max-Forwards", 8], ["Allow", 9], ["Supported", 10], ["User-Agent", 11], ["Content-Type", 12], ["Content-Length", 13]]);

/** The same scan with the least check a parser owes every line: a colon in it, and a name it knows (one slice, one Map lookup). */
function scanCheckedLines(text: string, starts: Uint16Array): number {
	const end = text.indexOf(CRLF_CRLF);
	let pos = text.indexOf(LF) + 1, count = 0, unknown = 0;
	while (pos < end) {
		const next = text.indexOf(LF, pos);
		const colon = text.indexOf(COLON, pos);
		if (colon < 0 || colon > next || NAMES.get(text.slice(pos, colon)) === undefined) unknown++;
		starts[count++] = pos;
		pos = next + 1;
	}
	return count + unknown;
}

function primitive(kind: Primitive, bytes: Uint8Array): unknown {
	if (kind === "checked") return scanCheckedLines(inviteText, scanStarts!);
	if (kind === "decode") return decodeUtf8(bytes);
	if (kind === "lowercase") return inviteText.toLowerCase();
	if (kind === "regexp") {
		CALL_ID.lastIndex = 0;
		return CALL_ID.exec(inviteText);
	}
	return scanLines(inviteText, scanStarts!);
}

/** Runs `n` messages of one workload after a collection; answers what was allocated meanwhile (JSON). */
export function xsWorkload(kind: Workload, n: number): string {
	inviteBytes ??= encodeUtf8(FRITZBOX_INVITE);
	inviteText ||= decodeUtf8(inviteBytes);
	// The offer as the INVITE's body text, made once outside the measured run (a literal is copied where it is evaluated).
	sdpText ||= parseSip(inviteBytes).body;
	scanStarts ??= new Uint16Array(64);
	rig ??= new RegisterRig();
	if (!traceMessages) {
		traceMessages = [];
		for (let i = 0; i < 8; i++) for (const m of optionsPair(i)) traceMessages.push(encodeUtf8(m));
		traceFull = new SipTraceLog(traceClock);
		for (let i = 0; i < TRACE_MAX_ENTRIES + 10; i++) traceAdd(traceFull);
	}
	// A log holding one message, made before the measured run.
	if (kind === "trace-one") {
		traceOne = new SipTraceLog(traceClock);
		traceAdd(traceOne);
	}
	const g = globalThis as XsGlobals;
	const bytes = inviteBytes, r = rig;
	g.gc?.();
	const chunks0 = g.xsMeterChunks?.() ?? -1, slots0 = g.xsMeterSlots?.() ?? -1;
	const sent0 = r.socket.datagrams;
	if (kind === "parse") for (let i = 0; i < n; i++) sink = parseSip(bytes);
	else if (kind === "project") for (let i = 0; i < n; i++) sink = projectRead(bytes);
	else if (kind === "transport") for (let i = 0; i < n; i++) sink = transportRead(bytes);
	else if (kind === "naive") for (let i = 0; i < n; i++) sink = naiveRead(bytes);
	else if (kind === "register") for (let i = 0; i < n; i++) r.send();
	else if (kind === "sdp") for (let i = 0; i < n; i++) sink = parseSdp(sdpText);
	else if (kind === "trace-full") for (let i = 0; i < n; i++) traceAdd(traceFull!);
	else if (kind === "trace-one") for (let i = 0; i < n; i++) traceAdd(traceOne!);
	else for (let i = 0; i < n; i++) sink = primitive(kind, bytes);
	const chunks1 = g.xsMeterChunks?.() ?? -1, slots1 = g.xsMeterSlots?.() ?? -1;
	return JSON.stringify({ chunks: chunks1 - chunks0, slots: slots1 - slots0, metered: chunks0 >= 0, sent: r.socket.datagrams - sent0, octets: r.socket.octets });
}

/** Ends the transactions the register workload left pending (run as its own request). */
export function xsSettle(): string {
	rig?.settle();
	sink = undefined;
	return "settled";
}

/** What each parser read from the INVITE, to check that both did the same work. */
export function xsReadBoth(): string {
	const bytes = encodeUtf8(FRITZBOX_INVITE);
	return JSON.stringify({ project: projectRead(bytes), transport: transportRead(bytes), naive: naiveRead(bytes) });
}

// ——— The driver, run on Node by `npm run bench`. ———

interface Figures {
	bytes: number | undefined;
	slots: number;
	computrons: number;
	linear: boolean;
}

const GOAL_BYTES = 2048;
const GOAL_COMPUTRONS = 1500;
const REPEATS = 10;

function fmt(n: number | undefined, digits = 0): string {
	if (n === undefined) return "n/a";
	return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export default async function xsSipBench(): Promise<{ title: string; rows: Array<Record<string, string | number>> }> {
	const { XsnapWorker, replyWith } = await import("../test/lib/xsnap-client.js");
	const { benchWorker } = await import("./xs-worker.js");
	const { fileURLToPath } = await import("node:url");
	const self = fileURLToPath(import.meta.url);
	const chosen = benchWorker();
	const worker = new XsnapWorker({ binary: chosen.binary, computronLimit: 1_000_000_000 });
	try {
		const call = async (js: string) => {
			const reply = await worker.evaluate(replyWith(js));
			if (reply.text.startsWith('{"scriptError"')) throw new Error(`XS: ${reply.text}`);
			return reply;
		};
		await call(`import(${JSON.stringify(self)}).then((m) => { globalThis.klingelBench = m; return "loaded"; })`);
		const both = JSON.parse((await call("globalThis.klingelBench.xsReadBoth()")).text) as { project: Read; transport: Read; naive: Read };
		if (JSON.stringify(both.project) !== JSON.stringify(both.naive) || JSON.stringify(both.transport) !== JSON.stringify(both.naive)) {
			throw new Error(`the two parsers read different values: ${JSON.stringify(both)}`);
		}

		const run = async (kind: Workload, n: number) => {
			const reply = await call(`globalThis.klingelBench.xsWorkload(${JSON.stringify(kind)}, ${n})`);
			const inside = JSON.parse(reply.text) as { chunks: number; slots: number; metered: boolean; sent: number };
			if (kind === "register" && inside.sent !== n) throw new Error(`expected ${n} REGISTERs on the socket, got ${inside.sent}`);
			await call("globalThis.klingelBench.xsSettle()");
			return { compute: reply.meter.compute, heap: reply.meter.currentHeapCount, ...inside };
		};
		// Each message in a request of its own, after a collection: the counters around it are
		// exact, and the meter of a request without the message is subtracted. (Running many
		// REGISTERs back to back would also count the growth of the pending-timer lists.)
		const measure = async (kind: Workload): Promise<Figures> => {
			await run(kind, 1); // warm-up: one-time set-up (decoders, the rig) is not counted
			let bytes = 0, slots = 0, computrons = 0, metered = true;
			const samples: number[] = [];
			for (let i = 0; i < REPEATS; i++) {
				const none = await run(kind, 0);
				const one = await run(kind, 1);
				metered &&= one.metered;
				bytes += one.chunks - none.chunks;
				slots += one.metered ? one.slots - none.slots : one.heap - none.heap;
				computrons += one.compute - none.compute;
				samples.push(one.compute - none.compute);
			}
			// Computrons are repeatable: samples that differ much mean something else ran.
			const steady = Math.max(...samples) - Math.min(...samples) <= 0.05 * (computrons / REPEATS) + 20;
			return { bytes: metered ? bytes / REPEATS : undefined, slots: slots / REPEATS, computrons: computrons / REPEATS, linear: steady };
		};

		const parseOnly = await measure("parse");
		const project = await measure("project");
		const transport = await measure("transport");
		const naive = await measure("naive");
		const register = await measure("register");
		const sdp = await measure("sdp");
		const traceFullFigures = await measure("trace-full");
		const traceOneFigures = await measure("trace-one");
		const floor: Array<[string, Figures]> = [];
		for (const [kind, what] of [
			["decode", "TextDecoder.decode of the 867-octet datagram"],
			["lowercase", "toLowerCase() of the decoded text (per character)"],
			["regexp", "one /\\r\\n(?:call-id|i)[ \\t]*:/gi exec finding Call-ID (per character scanned)"],
			["scan", "the least line scan: indexOf(LF) a header line, its start stored (13 lines)"],
			["checked", "the same + a colon and a known name checked per line (indexOf, slice, Map.get)"],
		] as Array<[Primitive, string]>) floor.push([what, await measure(kind)]);
		const meets = (f: Figures) => (f.bytes === undefined || f.bytes <= GOAL_BYTES) && f.computrons <= GOAL_COMPUTRONS;
		const row = (name: string, f: Figures, goal: string) => ({
			"per message": name,
			"bytes allocated": fmt(f.bytes),
			"slots allocated": fmt(f.slots, 1),
			computrons: fmt(f.computrons),
			goal,
			...(f.linear ? {} : { note: "samples differ: something else ran" }),
		});
		const goal = (f: Figures) => `≤ 2,048 B, ≤ 1,500 computrons: ${meets(f) ? "met" : "MISSED"}`;
		const rows = [
			row("parse FRITZ!Box INVITE + read method, branch, Call-ID, tags, CSeq, Content-Type, body", project, goal(project)),
			row("of which parseSip alone (start line, header index, Content-Length)", parseOnly, "part of the row above"),
			row("parse + every check SipTransport makes (validate.ts inspect) + the same reads", transport, "informative: the cost per datagram in the stack"),
			row("same, naive split-everything parser (reference)", naive, "reference (notes: ~8.6 KB, 300 slots, 3,500 computrons)"),
			row("build + send REGISTER (Registration → transaction → transport → socket; native random port)", register, goal(register)),
			row("read the INVITE's SDP offer (parseSdp, 12 lines)", sdp, "informative: once per call and answer"),
			row(`trace log: add an OPTIONS or its 200 OK to a full log (${TRACE_MAX_ENTRIES} kept, the oldest dropped)`, traceFullFigures, "informative: every message once the log is full"),
			row("trace log: the same added to a log holding one message (nothing dropped)", traceOneFigures, "informative: the add without the drop"),
		];
		for (const [what, f] of floor) rows.push(row(`floor: ${what}`, f, "informative: one step, measured alone"));
		const heading = `XS 13.3 (xsnap-worker), per message (mean of ${REPEATS}, each in a request of its own); INVITE ${encodeUtf8(FRITZBOX_INVITE).length} octets`;
		return { title: chosen.metered ? heading : `${heading} (${chosen.note})`, rows };
	} finally {
		await worker.close();
	}
}
