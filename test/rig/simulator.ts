/*
 * The klingel simulator (build/simulator.js) as a child process: a settings file
 * in the run's directory, a free local SIP port (or the default 5062), the web server on a free
 * port, the keys on stdin (b = button, h = hang up) and the status from GET /sipDebug. It runs
 * under the loopback guard (modules/host/loopback-guard.ts): a destination outside 127.0.0.0/8
 * is never sent to, and once the simulator reports one, status() and stop() throw.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RigProcess } from "./process.js";
import { freePort } from "./ports.js";
import { REPORT_PREFIX } from "../../modules/host/loopback-guard.js";
import { simulatorCommand } from "../lib/simulator-process.js";
import { loopbackDns } from "./loopback-dns.js";

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
	/** The web admin password (KLINGEL_ADMIN_PASSWORD); the wrapper signs in with it. */
	adminPassword?: string;
}

/** Time between two presses so that the button's cool-down (1 s) never swallows one. */
export const BUTTON_GAP_MS = 1200;

/** The admin password the rig gives every simulator unless told otherwise. */
export const RIG_ADMIN_PASSWORD = "klingel-rig-admin";

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
	readonly adminPassword: string;
	#session: { cookie: string; csrf: string } | undefined;
	#lastPress = 0;
	/** The loopback guard's report lines (a destination outside 127.0.0.0/8 it refused). */
	readonly offLoopback: string[] = [];

	private constructor(process: RigProcess, settingsFile: string, adminPassword: string) {
		this.process = process;
		this.settingsFile = settingsFile;
		this.adminPassword = adminPassword;
		process.onLine((line) => {
			if (line.includes(REPORT_PREFIX)) this.offLoopback.push(line.slice(line.indexOf(REPORT_PREFIX)));
		});
	}

	/** Throws when the simulator tried to send anywhere but 127.0.0.0/8. */
	checkLoopback(): void {
		if (this.offLoopback.length) throw new Error(`the simulator tried to send off this machine:\n${this.offLoopback.join("\n")}`);
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
		const args = ["--http", "0"];
		if (options.sipPort !== "default") args.push("--sip-port", String(options.sipPort ?? (await freePort())));
		if (options.trace ?? true) args.push("--trace");
		if (options.args) args.push(...options.args);
		const adminPassword = options.adminPassword ?? RIG_ADMIN_PASSWORD;
		const command = simulatorCommand(settingsFile, args, { KLINGEL_ADMIN_PASSWORD: adminPassword });
		const child = new RigProcess({
			name: "simulator",
			...(await loopbackDns()).wrap(command.command, command.args),
			cwd: options.dir,
			env: command.env,
			logFile: join(options.dir, "simulator.log"),
			stdin: true,
		});
		const simulator = new Simulator(child, settingsFile, adminPassword);
		try {
			const started = await child.waitFor(/SIP on UDP (\d+)(?: once Wi-Fi is up)?, web on http:\/\/[^:]+:(\d+)\//, { timeoutMs: 15000, what: "the simulator's start line" });
			simulator.sipPort = Number(started[1]);
			simulator.httpPort = Number(started[2]);
			if (options.waitRegistered ?? true) await simulator.waitFor(/registration registered/, { timeoutMs: 10000 });
		} catch (error) {
			await simulator.stop();
			throw error;
		}
		return simulator;
	}

	/**
	 * Presses the virtual button. The firmware drops a press within its cool-down (1 s) of the
	 * last one, so this waits until BUTTON_GAP_MS have passed since the previous press.
	 */
	async press(): Promise<void> {
		const wait = this.#lastPress + BUTTON_GAP_MS - Date.now();
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		this.#lastPress = Date.now();
		this.process.write("b\n");
	}

	/** Hangs up the current call from the door. */
	hangup(): void {
		this.process.write("h\n");
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.httpPort}`;
	}

	/** Signs in to the web endpoints with the admin password (POST /login); kept for later requests. */
	async signIn(): Promise<{ cookie: string; csrf: string }> {
		const response = await fetch(`${this.baseUrl}/login`, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ password: this.adminPassword }) });
		const body = (await response.json().catch(() => ({}))) as { csrf?: string; error?: string };
		const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
		if (!response.ok || !body.csrf || !cookie) throw new Error(`signing in to the simulator failed: ${response.status} ${body.error ?? ""}`);
		this.#session = { cookie, csrf: body.csrf };
		return this.#session;
	}

	/** A signed-in request to the web endpoints (CSRF token on POST). */
	async request(method: string, path: string, body?: unknown): Promise<Response> {
		const session = this.#session ?? (await this.signIn());
		const headers: Record<string, string> = { Cookie: session.cookie, Accept: "application/json" };
		if (method !== "GET") headers["X-CSRF-Token"] = session.csrf;
		if (body !== undefined) headers["Content-Type"] = "application/json";
		return fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	}

	/** GET /sipDebug; throws when the simulator tried to send off loopback. */
	async status(): Promise<SimulatorStatus> {
		this.checkLoopback();
		let response = await this.request("GET", "/sipDebug");
		if (response.status === 401 || response.status === 403) {
			this.#session = undefined;
			response = await this.request("GET", "/sipDebug");
		}
		if (!response.ok) throw new Error(`GET /sipDebug answered ${response.status}: ${await response.text()}`);
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

	/**
	 * SIGTERM: the simulator unregisters and exits; SIGKILL if it takes too long. Throws
	 * afterwards when it tried to send off loopback at any time.
	 */
	async stop(): Promise<void> {
		await this.process.stop(5000);
		this.checkLoopback();
	}
}
