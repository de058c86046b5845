/*
 * Child processes of the rig: output captured to a log file and kept in memory, waits for a
 * pattern in the output, and a stop that always ends them. Every child is killed when the test
 * process exits, however it exits (a failed assertion, an exception, Ctrl-C).
 */

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";

const live = new Set<RigProcess>();
let hooked = false;
const settings = { handleSignals: true };

/**
 * `handleSignals: false` leaves SIGINT/SIGTERM to the caller (the demo stops the rig in
 * order). Each child runs in its own process group (Ctrl-C in a terminal reaches only this
 * process), and the whole group is killed when this process exits, however it exits: kamailio's
 * forked workers go with it.
 */
export function configureRig(options: { handleSignals?: boolean }): void {
	Object.assign(settings, options);
}

function hookExit(): void {
	if (hooked) return;
	hooked = true;
	process.on("exit", () => {
		for (const child of live) child.killGroup("SIGKILL");
	});
	if (!settings.handleSignals) return;
	// process.exit runs the "exit" handler above, which kills the children.
	for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
}

/** Every child still running (for a test that wants to check nothing leaked). */
export function liveProcesses(): RigProcess[] {
	return [...live];
}

export interface SpawnOptions {
	/** A short name for messages, e.g. "kamailio" or "baresip 611". */
	name: string;
	command: string;
	args: string[];
	cwd?: string;
	env?: Record<string, string>;
	/** Where stdout and stderr go (appended, in arrival order). */
	logFile: string;
	/** Keep stdin open as a pipe (the simulator reads its keys there). */
	stdin?: boolean;
	/** Rewrites each chunk of output before it is kept and logged (e.g. drops status lines). */
	filter?: (text: string) => string;
}

export class RigProcess {
	readonly name: string;
	readonly logFile: string;
	readonly child: ChildProcess;
	/** Everything the process wrote on stdout and stderr so far. */
	output = "";
	/** Only what it wrote on stdout. */
	stdout = "";
	exitCode: number | null = null;
	exitSignal: string | null = null;
	#log: WriteStream;
	#exited: Promise<void>;
	#waiters = new Set<() => void>();
	#lineListeners: Array<(line: string) => void> = [];
	#partial = "";

	constructor(options: SpawnOptions) {
		hookExit();
		this.name = options.name;
		this.logFile = options.logFile;
		this.#log = createWriteStream(options.logFile, { flags: "a" });
		this.child = spawn(options.command, options.args, {
			cwd: options.cwd,
			env: { ...process.env, ...options.env },
			stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
			detached: true,
		});
		live.add(this);
		const filter = options.filter;
		const take = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
			const text = filter ? filter(chunk.toString("utf8")) : chunk.toString("utf8");
			if (!text) return;
			this.output += text;
			if (stream === "stdout") this.stdout += text;
			this.#log.write(text);
			if (this.#lineListeners.length) {
				const lines = (this.#partial + text).split(/\r?\n/);
				this.#partial = lines.pop() ?? "";
				for (const line of lines) for (const listener of this.#lineListeners) listener(line);
			}
			this.#wake();
		};
		this.child.stdout!.on("data", take("stdout"));
		this.child.stderr!.on("data", take("stderr"));
		this.#exited = new Promise((resolve) => {
			this.child.on("error", (error) => {
				this.output += `\n[rig] could not run ${options.command}: ${error.message}\n`;
				this.exitCode = -1;
				live.delete(this);
				this.#wake();
				resolve();
			});
			this.child.on("exit", (code, signal) => {
				this.exitCode = code;
				this.exitSignal = signal;
				live.delete(this);
				this.#wake();
				resolve();
			});
		});
		this.child.on("close", () => this.#log.end());
	}

	#wake(): void {
		for (const wake of [...this.#waiters]) wake();
	}

	get running(): boolean {
		return this.exitCode === null && this.exitSignal === null;
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	/** Resolves when the process has exited. */
	get exited(): Promise<void> {
		return this.#exited;
	}

	/** Calls `listener` with each complete line of output from now on. */
	onLine(listener: (line: string) => void): void {
		this.#lineListeners.push(listener);
	}

	/** Writes to its stdin (started with `stdin: true`). */
	write(text: string): void {
		this.child.stdin?.write(text);
	}

	kill(signal: NodeJS.Signals): void {
		if (this.running) {
			try {
				this.child.kill(signal);
			} catch {
				// already gone
			}
		}
	}

	/**
	 * Waits until `pattern` matches the output after offset `from` (default: anywhere) and returns
	 * the match; rejects after `timeoutMs`, or at once when the process exits without a match.
	 */
	waitFor(pattern: RegExp, options: { from?: number; timeoutMs?: number; what?: string } = {}): Promise<RegExpMatchArray> {
		const from = options.from ?? 0;
		const timeoutMs = options.timeoutMs ?? 10000;
		const what = options.what ?? String(pattern);
		return new Promise((resolve, reject) => {
			const check = (): boolean => {
				const match = this.output.slice(from).match(pattern);
				if (match) {
					done();
					resolve(match);
					return true;
				}
				if (!this.running) {
					done();
					reject(new Error(`${this.name} exited (${this.exitCode ?? this.exitSignal}) before ${what}; its output ends:\n${tail(this.output)}`));
					return true;
				}
				return false;
			};
			const timer = setTimeout(() => {
				done();
				reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms; its output ends:\n${tail(this.output.slice(from))}`));
			}, timeoutMs);
			const wake = () => void check();
			const done = () => {
				clearTimeout(timer);
				this.#waiters.delete(wake);
			};
			this.#waiters.add(wake);
			check();
		});
	}

	/** The offset to pass as `from` to wait only for what comes after now. */
	mark(): number {
		return this.output.length;
	}

	/** Signals the process and everything it forked (its process group). */
	killGroup(signal: NodeJS.Signals): void {
		const pid = this.child.pid;
		if (pid === undefined) return;
		try {
			process.kill(-pid, signal);
		} catch {
			// the group is gone
		}
	}

	/** SIGTERM, then SIGKILL to its group after `graceMs`; resolves once it is gone. */
	async stop(graceMs = 3000): Promise<void> {
		if (this.running) {
			this.kill("SIGTERM");
			const timer = setTimeout(() => this.killGroup("SIGKILL"), graceMs);
			await this.#exited;
			clearTimeout(timer);
		}
		// Workers that outlived their parent.
		this.killGroup("SIGKILL");
	}
}

/** The last lines of a log, for error messages. */
export function tail(text: string, lines = 25): string {
	return text.split("\n").slice(-lines).join("\n");
}
