/*
 * A small client of xsnap-worker (from @agoric/xsnap): it spawns the worker and speaks its
 * netstring protocol on fds 3 (to the worker) and 4 (from the worker). Requests are `e<js>`
 * (evaluate) and `q` (quit); the worker answers `.<meter JSON>\x01<reply bytes>` or
 * `!<error>`, and may ask `?<bytes>` (its `issueCommand`) during a request, which the
 * `onCommand` handler answers. Node only (test and bench tooling, never the core).
 */

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Readable, Writable } from "node:stream";

/** What the worker reports about each request. */
export interface XsMeter {
	/** Computrons the request used (machine-independent cost). */
	compute: number;
	/** Live slots in the heap at the end of the request (allocated since the last collection). */
	currentHeapCount: number;
	/** Bytes the worker has reserved for the heap so far (only grows). */
	allocate: number;
}

export interface XsReply {
	meter: XsMeter;
	/** The bytes of an ArrayBuffer result (or of its `result` property); empty otherwise. */
	bytes: Uint8Array;
	/** The reply as UTF-8 text. */
	text: string;
}

export interface XsnapOptions {
	/** Computron limit per request (-l); the worker exits with code 17 past it. */
	computronLimit?: number;
	/** Working directory of the worker (bare module specifiers resolve against it). */
	cwd?: string;
	/** Called with what the worker prints (its `print`, and its stderr). */
	onOutput?: (text: string) => void;
	/** Answers the worker's `issueCommand(bytes)`; the default answers with nothing. */
	onCommand?: (bytes: Uint8Array) => Uint8Array | string;
	/** Worker binary; defaults to the release build inside node_modules/@agoric/xsnap. */
	binary?: string;
}

/** The xsnap-worker built by @agoric/xsnap's postinstall, or undefined when it is missing. */
export function findXsnapWorker(root = projectRoot()): string | undefined {
	const path = join(root, "node_modules/@agoric/xsnap/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker");
	return existsSync(path) ? path : undefined;
}

/** The project checkout (two levels above build/test/lib). */
export function projectRoot(): string {
	return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
}

export class XsnapError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "XsnapError";
	}
}

interface Pending {
	resolve: (reply: XsReply) => void;
	reject: (error: Error) => void;
}

export class XsnapWorker {
	readonly #child: ChildProcess;
	readonly #toWorker: Writable;
	readonly #options: XsnapOptions;
	#buffer: Buffer = Buffer.alloc(0);
	#pending: Pending | undefined;
	#queue: Array<{ message: Buffer; pending: Pending }> = [];
	#exit: { code: number | null; signal: string | null } | undefined;
	readonly #exited: Promise<void>;

	constructor(options: XsnapOptions = {}) {
		this.#options = options;
		const binary = options.binary ?? findXsnapWorker();
		if (!binary) throw new XsnapError("xsnap-worker is missing: run npm install (the @agoric/xsnap postinstall builds it)");
		const args = ["klingel"];
		if (options.computronLimit) args.push("-l", String(options.computronLimit));
		this.#child = spawn(binary, args, { cwd: options.cwd ?? projectRoot(), stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"] });
		const output = options.onOutput ?? ((text: string) => process.stderr.write(text));
		(this.#child.stdout as Readable).on("data", (chunk: Buffer) => output(chunk.toString("utf8")));
		(this.#child.stderr as Readable).on("data", (chunk: Buffer) => output(chunk.toString("utf8")));
		this.#toWorker = this.#child.stdio[3] as Writable;
		this.#toWorker.on("error", () => {});
		const fromWorker = this.#child.stdio[4] as Readable;
		fromWorker.on("data", (chunk: Buffer) => this.#receive(chunk));
		this.#exited = new Promise((resolve) => {
			this.#child.on("exit", (code, signal) => {
				this.#exit = { code, signal };
				const error = new XsnapError(`xsnap-worker exited (${signal ?? `code ${code}`}${code === 17 ? ": computron limit exceeded" : ""})`);
				this.#pending?.reject(error);
				this.#pending = undefined;
				for (const item of this.#queue.splice(0)) item.pending.reject(error);
				resolve();
			});
		});
	}

	/** Whether the worker process has ended (crash, limit, or `close`). */
	get exited(): boolean {
		return this.#exit !== undefined;
	}

	/** Evaluates a script in the worker's global scope; Promise jobs run before the reply. */
	evaluate(js: string): Promise<XsReply> {
		return this.#request(Buffer.concat([Buffer.from("e"), Buffer.from(js, "utf8")]));
	}

	/** Evaluates a script and parses its reply as JSON. */
	async evaluateJson<T>(js: string): Promise<{ meter: XsMeter; value: T }> {
		const reply = await this.evaluate(js);
		if (reply.bytes.length === 0) throw new XsnapError("the script returned no ArrayBuffer reply");
		return { meter: reply.meter, value: JSON.parse(reply.text) as T };
	}

	/** Asks the worker to quit and waits for it to end. */
	async close(): Promise<void> {
		if (!this.#exit) {
			try {
				this.#toWorker.write(netstring(Buffer.from("q")));
				this.#toWorker.end();
			} catch {
				// already gone
			}
			const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5000);
			await this.#exited;
			clearTimeout(timer);
		}
	}

	#request(message: Buffer): Promise<XsReply> {
		if (this.#exit) return Promise.reject(new XsnapError("xsnap-worker is not running"));
		return new Promise((resolve, reject) => {
			const pending = { resolve, reject };
			if (this.#pending) this.#queue.push({ message, pending });
			else this.#send(message, pending);
		});
	}

	#send(message: Buffer, pending: Pending): void {
		this.#pending = pending;
		this.#toWorker.write(netstring(message));
	}

	#receive(chunk: Buffer): void {
		this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
		for (;;) {
			const colon = this.#buffer.indexOf(0x3a);
			if (colon < 0) return;
			const length = Number(this.#buffer.subarray(0, colon).toString("latin1"));
			if (!Number.isInteger(length)) {
				this.#fail(new XsnapError(`bad netstring prefix from xsnap-worker: ${JSON.stringify(this.#buffer.subarray(0, 20).toString("latin1"))}`));
				return;
			}
			if (this.#buffer.length < colon + 1 + length + 1) return;
			const payload = this.#buffer.subarray(colon + 1, colon + 1 + length);
			if (this.#buffer[colon + 1 + length] !== 0x2c) {
				this.#fail(new XsnapError("netstring from xsnap-worker lacks its trailing comma"));
				return;
			}
			this.#buffer = this.#buffer.subarray(colon + 2 + length);
			this.#dispatch(Buffer.from(payload));
		}
	}

	#dispatch(payload: Buffer): void {
		const kind = String.fromCharCode(payload[0]);
		const rest = payload.subarray(1);
		if (kind === "?") {
			let answer: Uint8Array | string = "";
			try {
				answer = this.#options.onCommand ? this.#options.onCommand(new Uint8Array(rest)) : "";
			} catch (error) {
				this.#options.onOutput?.(`issueCommand handler failed: ${error}\n`);
			}
			const bytes = typeof answer === "string" ? Buffer.from(answer, "utf8") : Buffer.from(answer);
			this.#toWorker.write(netstring(Buffer.concat([Buffer.from("/"), bytes])));
			return;
		}
		const pending = this.#pending;
		this.#pending = undefined;
		const next = this.#queue.shift();
		if (next) this.#send(next.message, next.pending);
		if (!pending) return;
		if (kind === ".") {
			const split = rest.indexOf(0x01);
			const meterText = (split < 0 ? rest : rest.subarray(0, split)).toString("utf8");
			const bytes = split < 0 ? Buffer.alloc(0) : rest.subarray(split + 1);
			let meter: XsMeter;
			try {
				const raw = JSON.parse(meterText) as Partial<XsMeter>;
				meter = { compute: raw.compute ?? 0, currentHeapCount: raw.currentHeapCount ?? 0, allocate: raw.allocate ?? 0 };
			} catch {
				meter = { compute: 0, currentHeapCount: 0, allocate: 0 };
			}
			pending.resolve({ meter, bytes: new Uint8Array(bytes), text: bytes.toString("utf8") });
		} else if (kind === "!") {
			pending.reject(new XsnapError(rest.toString("utf8")));
		} else {
			pending.reject(new XsnapError(`unexpected reply ${JSON.stringify(kind)} from xsnap-worker`));
		}
	}

	#fail(error: Error): void {
		this.#pending?.reject(error);
		this.#pending = undefined;
		this.#child.kill("SIGKILL");
	}
}

function netstring(payload: Buffer): Buffer {
	return Buffer.concat([Buffer.from(`${payload.length}:`, "latin1"), payload, Buffer.from(",")]);
}

/**
 * Wraps an async script so that its settled value reaches the parent: the worker drains
 * Promise jobs before replying and then sends the `result` property of the returned object.
 * `body` is an expression of a Promise (or value) of a string; the reply is its UTF-8 bytes.
 */
export function replyWith(body: string): string {
	return `(() => {
	const box = { result: undefined };
	const encode = (text) => { const bytes = new TextEncoder().encode(text); return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength); };
	Promise.resolve().then(() => (${body})).then(
		(value) => { box.result = encode(String(value)); },
		(error) => { box.result = encode(JSON.stringify({ scriptError: String(error), stack: String(error && error.stack || "") })); },
	);
	return box;
})()`;
}
