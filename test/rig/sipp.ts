/*
 * sipp scenarios as child processes on loopback: a caller from another address, a PBX that
 * drops messages, a sender of stale requests. The message trace (-trace_msg) is parsed so the
 * tests can assert on what went over the wire.
 */

import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { RigProcess } from "./process.js";
import { freePort, udpBound } from "./ports.js";
import { parseSipText, type SipText } from "./sip-text.js";
import { loopbackDns } from "./loopback-dns.js";

export const SIPP = "/usr/bin/sipp";

export interface SippOptions {
	dir: string;
	/** Path of the scenario XML. */
	scenario: string;
	/** Local address (any of 127.0.0.0/8) and port (free by default). */
	address?: string;
	port?: number;
	/** Where a client scenario sends; absent for a server (it answers whoever sends). */
	remote?: { address: string; port: number };
	/** Values for [name] in the scenario (sipp -key name value). */
	keys?: Record<string, string | number>;
	/** Calls to make or take before exiting (default 1). */
	calls?: number;
	/** Give up after this many seconds (default 30); a timeout is a failure. */
	timeoutS?: number;
}

export interface SippTraced extends SipText {
	direction: "sent" | "received";
	/** Wall time (ms since 1970) sipp logged for it. */
	time: number;
}

export interface SippResult {
	/** sipp's exit code: 0 when every call passed. */
	code: number | null;
	output: string;
	messages: SippTraced[];
}

export class Sipp {
	readonly address: string;
	readonly port: number;
	readonly process: RigProcess;
	readonly traceFile: string;

	private constructor(address: string, port: number, process: RigProcess, traceFile: string) {
		this.address = address;
		this.port = port;
		this.process = process;
		this.traceFile = traceFile;
	}

	static async start(options: SippOptions): Promise<Sipp> {
		const address = options.address ?? "127.0.0.1";
		const port = options.port ?? (await freePort({ address }));
		const name = basename(options.scenario, ".xml");
		const traceFile = join(options.dir, `sipp-${name}-${port}-messages.log`);
		// sipp binds a media port (and the ones above it for video) even when it sends no RTP.
		const mediaPort = await freePort({ address, span: 4 });
		const args = ["-sf", options.scenario, "-i", address, "-p", String(port), "-mp", String(mediaPort), "-m", String(options.calls ?? 1), "-t", "u1", "-nostdin"];
		args.push("-trace_msg", "-message_file", traceFile, "-trace_err", "-error_file", join(options.dir, `sipp-${name}-${port}-errors.log`));
		args.push("-timeout", `${options.timeoutS ?? 30}s`, "-timeout_error", "-max_recv_loops", "100");
		for (const [key, value] of Object.entries(options.keys ?? {})) args.push("-key", key, String(value));
		if (options.remote) args.push(`${options.remote.address}:${options.remote.port}`);
		const child = new RigProcess({ name: `sipp ${name}`, ...(await loopbackDns()).wrap(SIPP, args), cwd: options.dir, logFile: join(options.dir, `sipp-${name}-${port}.log`) });
		const sipp = new Sipp(address, port, child, traceFile);
		// Nobody sends to it before its port is bound (polled; it takes some milliseconds).
		const deadline = Date.now() + 5000;
		while (child.running && !udpBound(port) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		if (!child.running && child.exitCode !== 0) throw new Error(`sipp ${name} did not start (${child.exitCode}):\n${child.output}`);
		return sipp;
	}

	/** Waits for sipp to end (it ends itself after its calls, or at its timeout). */
	async done(): Promise<SippResult> {
		await this.process.exited;
		return { code: this.process.exitCode, output: this.process.output, messages: this.messages() };
	}

	/** The messages traced so far. */
	messages(): SippTraced[] {
		if (!existsSync(this.traceFile)) return [];
		return parseSippTrace(readFileSync(this.traceFile, "latin1"));
	}

	async stop(): Promise<void> {
		await this.process.stop(1000);
	}
}

/** Starts a scenario and waits for its end. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
	return (await Sipp.start(options)).done();
}

/** Parses sipp's -trace_msg file. */
export function parseSippTrace(data: string): SippTraced[] {
	const out: SippTraced[] = [];
	const blocks = data.split(/^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s*$/m);
	for (let i = 1; i + 1 < blocks.length; i += 2) {
		const stamp = blocks[i];
		const block = blocks[i + 1];
		const head = /^\s*(?:UDP|TCP) message (sent|received)[^\n]*\n\n?/m.exec(block);
		if (!head) continue;
		let text = block.slice(head.index + head[0].length);
		text = text.replace(/\n+$/, "");
		if (!text.includes("\r\n")) text = text.replace(/\n/g, "\r\n");
		else text = text.endsWith("\r\n\r\n") ? text : `${text}\r\n`;
		out.push({ ...parseSipText(text), direction: head[1] === "sent" ? "sent" : "received", time: Date.parse(stamp.replace(" ", "T")) });
	}
	return out;
}
