/*
 * The end-to-end rig: a kamailio FRITZ!Box stand-in, baresip handsets, sipp scenarios and the
 * simulator, all on loopback with free ports, in one temporary directory. See README.md.
 */

import { RunDir } from "./rundir.js";
import { Kamailio, DEFAULT_USERS, type KamailioOptions } from "./kamailio.js";
import { Handset, type HandsetOptions } from "./baresip.js";
import { Simulator, type SimulatorOptions } from "./simulator.js";
import { Sipp, runSipp, type SippOptions } from "./sipp.js";
import type { DumpedMessage } from "./sipdump.js";
import { tail } from "./process.js";

export { RunDir } from "./rundir.js";
export { Kamailio, DEFAULT_USERS, LOOPBACK_GUARD_LOG } from "./kamailio.js";
export { loopbackDns, LoopbackDns, TRIPWIRE_ADDRESS } from "./loopback-dns.js";
export { Handset, HANDSET_EVENTS, type HandsetEvent } from "./baresip.js";
export { Simulator, RIG_ADMIN_PASSWORD, type SimulatorStatus } from "./simulator.js";
export { Sipp, runSipp, parseSippTrace, type SippResult, type SippTraced } from "./sipp.js";
export { freePort, portFree } from "./ports.js";
export { RigProcess, liveProcesses, tail, configureRig } from "./process.js";
export { parseSipText, type SipText } from "./sip-text.js";
export { readSipDump, type DumpedMessage } from "./sipdump.js";
export { writeWav, writeSilenceWav, writeToneWav } from "./wav.js";
export { sourcePath, ROOT } from "./paths.js";

export interface RigOptions {
	/** Name of the run directory (e.g. the test file's name). */
	name: string;
	kamailio?: Omit<KamailioOptions, "dir">;
	/** Handsets to start (default 611 and 612); [] for none. */
	handsets?: Array<Omit<HandsetOptions, "dir" | "pbx" | "password"> & { password?: string }>;
	/** The simulator registered as 620; false for none. */
	simulator?: Omit<SimulatorOptions, "dir" | "pbx" | "password"> | false;
}

/** Everything of one run; `stop()` ends it all and removes the directory. */
export class Rig {
	readonly dir: RunDir;
	kamailio!: Kamailio;
	handsets: Record<string, Handset> = {};
	simulator: Simulator | undefined;
	#sipps: Sipp[] = [];

	private constructor(dir: RunDir) {
		this.dir = dir;
	}

	/** Starts kamailio, then the handsets (registered), then the simulator (registered). */
	static async start(options: RigOptions): Promise<Rig> {
		const rig = new Rig(new RunDir(options.name));
		try {
			rig.kamailio = await Kamailio.start({ dir: rig.dir.dir("kamailio"), ...options.kamailio });
			const users = rig.kamailio.users;
			const handsets = (options.handsets ?? [{ user: "611" }, { user: "612" }]).map((h) => {
				const password = h.password ?? users[h.user] ?? DEFAULT_USERS[h.user];
				if (!password) throw new Error(`handset ${h.user} has no account at kamailio: give it kamailio.users (or a password)`);
				return { ...h, password };
			});
			// Every handset that started is stopped with the rig, also when another one failed.
			const started = await Promise.allSettled(handsets.map((h) => Handset.start({ ...h, dir: rig.dir.dir(`handset-${h.user}`), pbx: rig.pbx })));
			for (const result of started) if (result.status === "fulfilled") rig.handsets[result.value.user] = result.value;
			const failed = started.find((result) => result.status === "rejected");
			if (failed) throw failed.reason;
			if (options.simulator !== false) {
				const sim = options.simulator ?? {};
				const user = sim.user ?? "620";
				rig.simulator = await Simulator.start({ ...sim, user, password: users[user], dir: rig.dir.dir("simulator"), pbx: rig.pbx });
			}
		} catch (error) {
			await rig.stop();
			throw error;
		}
		return rig;
	}

	get pbx(): { address: string; port: number } {
		return { address: this.kamailio.address, port: this.kamailio.port };
	}

	handset(user: string): Handset {
		const handset = this.handsets[user];
		if (!handset) throw new Error(`no handset ${user} in this rig`);
		return handset;
	}

	/** Starts a sipp scenario in this run's directory (stopped with the rig). */
	async sipp(options: Omit<SippOptions, "dir">): Promise<Sipp> {
		const sipp = await Sipp.start({ ...options, dir: this.dir.dir("sipp") });
		this.#sipps.push(sipp);
		return sipp;
	}

	/** Runs a sipp scenario to its end. */
	runSipp(options: Omit<SippOptions, "dir">) {
		return runSipp({ ...options, dir: this.dir.dir("sipp") });
	}

	/** The tails of every log, for a failed test's message. */
	logs(lines = 40): string {
		const parts: string[] = [];
		const add = (name: string, text: string) => parts.push(`--- ${name}\n${tail(text, lines)}`);
		if (this.simulator) add("simulator", this.simulator.process.output);
		for (const handset of Object.values(this.handsets)) add(`baresip ${handset.user}`, handset.process.output);
		if (this.kamailio) add("kamailio", this.kamailio.process.output);
		return parts.join("\n");
	}

	/** Runs a test's body; a failure's message gets the tails of every log. */
	async withLogs<T>(body: () => Promise<T>): Promise<T> {
		try {
			return await body();
		} catch (error) {
			(error as Error).message += `\n\nrig logs:\n${this.logs()}`;
			throw error;
		}
	}

	/**
	 * Ends a call a failed test left behind (the door and every handset hang up) and waits for an
	 * idle door, and ends every call a handset still lists; then `settleMs` more when there was
	 * one to end.
	 */
	async idle(options: { settleMs?: number } = {}): Promise<void> {
		const sim = this.simulator!;
		const busy = (await sim.status()).call !== "idle";
		if (busy) {
			sim.hangup();
			for (const handset of Object.values(this.handsets)) handset.hangup();
			await sim.waitForStatus((s) => s.call === "idle", { timeoutMs: 40000, what: "an idle door" });
		}
		// Also with an idle door: a handset can still ring with a call that ended elsewhere.
		let ended = false;
		for (const handset of Object.values(this.handsets)) if (await handset.endCalls()) ended = true;
		if ((busy || ended) && options.settleMs) await new Promise((r) => setTimeout(r, options.settleMs));
	}

	/** In kamailio's sipdump: a message the door sent to it, and one it sent to the door. */
	readonly fromDoor = (m: DumpedMessage) => m.direction === "rcv" && m.src.port === this.simulator!.sipPort;
	readonly toDoor = (m: DumpedMessage) => m.direction === "snd" && m.dst.port === this.simulator!.sipPort;

	/**
	 * Stops everything (simulator first, so it can unregister) and removes the directory; then
	 * throws when anything went or was meant to go off this machine: the simulator's loopback
	 * guard refused a destination, kamailio's config refused one (LOOPBACK-GUARD), its sipdump
	 * shows a message sent elsewhere, or a DNS query reached the rig's resolver.
	 */
	async stop(): Promise<void> {
		await Promise.all(this.#sipps.map((s) => s.stop()));
		const off: string[] = [];
		if (this.simulator) await this.simulator.stop().catch((error: Error) => off.push(error.message));
		await Promise.all(Object.values(this.handsets).map((h) => h.stop()));
		if (this.kamailio) await this.kamailio.stop().catch((error: Error) => off.push(error.message));
		this.dir.remove();
		if (off.length) throw new Error(off.join("\n"));
	}
}
