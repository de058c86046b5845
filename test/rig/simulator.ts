/*
 * The klingel simulator (build/modules/host/simulator.js) as a child process: a settings file
 * in the run's directory, a free local SIP port (or the default 5062), the web server on a free
 * port, the keys on stdin (b = button, h = hang up) and the status from GET /sipDebug.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RigProcess } from "./process.js";
import { freePort } from "./ports.js";
import { sourcePath } from "./paths.js";

export interface SimulatorOptions {
	dir: string;
	/** The PBX it registers at. */
	pbx: { address: string; port: number };
	/** The account (default 620 with the password given). */
	user?: string;
	password: string;
	/** More keys of the `sip` namespace (e.g. sip_target, ring_timeout). */
	sip?: Record<string, string | number>;
	/** Other namespaces of the settings file. */
	settings?: Record<string, Record<string, string | number | boolean>>;
	/** The local SIP port: a number, "default" (no --sip-port: 5062), or a free one when absent. */
	sipPort?: number | "default";
	/** Log every SIP message (default true: the log shows what went wrong). */
	trace?: boolean;
	/** More command line options (e.g. ["--mic", file]). */
	args?: string[];
	/** Wait for "registration registered" before returning (default true). */
	waitRegistered?: boolean;
}

export type SimulatorStatus = Record<string, unknown> & {
	registered: boolean;
	call: string;
	local_port: number;
	last_error: string;
};

export class Simulator {
	readonly process: RigProcess;
	readonly settingsFile: string;
	httpPort = 0;
	sipPort = 0;

	private constructor(process: RigProcess, settingsFile: string) {
		this.process = process;
		this.settingsFile = settingsFile;
	}

	static async start(options: SimulatorOptions): Promise<Simulator> {
		const settingsFile = join(options.dir, "klingel-settings.json");
		const sip: Record<string, string | number> = {
			sip_user: options.user ?? "620",
			sip_password: options.password,
			sip_server: options.pbx.address,
			sip_port: options.pbx.port,
			...options.sip,
		};
		writeFileSync(settingsFile, `${JSON.stringify({ ...options.settings, sip }, null, 1)}\n`);
		const args = [sourcePath("build/modules/host/simulator.js"), "--settings", settingsFile, "--http", "0"];
		if (options.sipPort !== "default") args.push("--sip-port", String(options.sipPort ?? (await freePort())));
		if (options.trace ?? true) args.push("--trace");
		if (options.args) args.push(...options.args);
		const child = new RigProcess({ name: "simulator", command: process.execPath, args, cwd: options.dir, logFile: join(options.dir, "simulator.log"), stdin: true });
		const simulator = new Simulator(child, settingsFile);
		try {
			const started = await child.waitFor(/SIP on UDP (\d+), web on http:\/\/[^:]+:(\d+)\//, { timeoutMs: 15000, what: "the simulator's start line" });
			simulator.sipPort = Number(started[1]);
			simulator.httpPort = Number(started[2]);
			if (options.waitRegistered ?? true) await simulator.waitFor(/registration registered/, { timeoutMs: 10000 });
		} catch (error) {
			await simulator.stop();
			throw error;
		}
		return simulator;
	}

	/** Presses the virtual button. */
	press(): void {
		this.process.write("b\n");
	}

	/** Hangs up the current call from the door. */
	hangup(): void {
		this.process.write("h\n");
	}

	/** GET /sipDebug. */
	async status(): Promise<SimulatorStatus> {
		const response = await fetch(`http://127.0.0.1:${this.httpPort}/sipDebug`);
		if (!response.ok) throw new Error(`GET /sipDebug answered ${response.status}`);
		return (await response.json()) as SimulatorStatus;
	}

	/** Polls /sipDebug until `check` holds; returns that status. */
	async waitForStatus(check: (status: SimulatorStatus) => boolean, options: { timeoutMs?: number; what?: string } = {}): Promise<SimulatorStatus> {
		const deadline = Date.now() + (options.timeoutMs ?? 10000);
		let last: SimulatorStatus | undefined;
		for (;;) {
			if (!this.process.running) throw new Error(`the simulator exited (${this.process.exitCode}); its log ends:\n${this.process.output.slice(-3000)}`);
			last = await this.status();
			if (check(last)) return last;
			if (Date.now() > deadline) throw new Error(`/sipDebug never showed ${options.what ?? "the expected state"} within ${options.timeoutMs ?? 10000} ms; last: ${JSON.stringify(last)}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	mark(): number {
		return this.process.mark();
	}

	waitFor(pattern: RegExp, options: { from?: number; timeoutMs?: number; what?: string } = {}): Promise<RegExpMatchArray> {
		return this.process.waitFor(pattern, options);
	}

	/** SIGTERM: the simulator unregisters and exits; SIGKILL if it takes too long. */
	async stop(): Promise<void> {
		await this.process.stop(5000);
	}
}
