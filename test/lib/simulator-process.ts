/*
 * The simulator (build/simulator.js) as a child process, for every test that starts it, the rig's
 * Simulator too: always under the loopback guard (KLINGEL_LOOPBACK_ONLY=1, also when a test file
 * runs alone, outside `npm test`) and with a settings file whose PBX is on loopback. The
 * simulator resolves its PBX at the start, before anything else can stop it, and without a
 * settings file that PBX is fritz.box: a test run alone asked the system's DNS server for it
 * (at home the FRITZ!Box). guardReports() finds the lines of what the guard refused.
 */

import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from "node:child_process";
import { readFileSync } from "node:fs";
import { sourcePath } from "../rig/paths.js";
import { LOOPBACK_ONLY_ENV, REPORT_PREFIX, isLoopbackAddress, isLoopbackName } from "../../modules/host/loopback-guard.js";

export const SIMULATOR = sourcePath("build/simulator.js");

export interface SimulatorCommand {
	command: string;
	args: string[];
	/** What the child's environment adds to this process's. */
	env: Record<string, string>;
}

/**
 * The command line for `--settings settingsFile` and `args`; throws unless the file names a
 * PBX (sip.sip_server) of 127.0.0.0/8 or a localhost name.
 */
export function simulatorCommand(settingsFile: string, args: string[] = [], env: Record<string, string> = {}): SimulatorCommand {
	let server: unknown;
	try {
		server = (JSON.parse(readFileSync(settingsFile, "utf8")) as { sip?: { sip_server?: unknown } }).sip?.sip_server;
	} catch (error) {
		throw new Error(`the simulator's settings ${settingsFile} cannot be read (${(error as Error).message}): without them its PBX is fritz.box`);
	}
	if (typeof server !== "string" || !(isLoopbackAddress(server) || isLoopbackName(server))) {
		throw new Error(`the simulator's settings ${settingsFile} name the PBX ${JSON.stringify(server)}: a test's PBX is on 127.0.0.0/8`);
	}
	return { command: process.execPath, args: [SIMULATOR, "--settings", settingsFile, ...args], env: { ...env, [LOOPBACK_ONLY_ENV]: "1" } };
}

/** Starts the simulator with pipes for stdin, stdout and stderr. */
export function spawnSimulator(settingsFile: string, args: string[] = [], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
	const c = simulatorCommand(settingsFile, args, env);
	return spawn(c.command, c.args, { stdio: "pipe", env: { ...process.env, ...c.env } });
}

/** Runs the simulator to its end (e.g. a start that must fail), its output as text. */
export function runSimulatorSync(settingsFile: string, args: string[] = [], options: { timeoutMs?: number; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
	const c = simulatorCommand(settingsFile, args, options.env);
	return spawnSync(c.command, c.args, { encoding: "utf8", timeout: options.timeoutMs ?? 10000, env: { ...process.env, ...c.env } });
}

/** The loopback guard's report lines in the simulator's output. */
export function guardReports(output: string): string[] {
	return output.split("\n").filter((line) => line.includes(REPORT_PREFIX));
}
