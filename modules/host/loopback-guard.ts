/*
 * The test runs' promise that every packet stays on this machine. With KLINGEL_LOOPBACK_ONLY=1
 * in the environment (`npm test` and the test rig set it for every process they start), each
 * host piece that sends asks the guard first: only an IPv4 address of 127.0.0.0/8 passes, and
 * only `localhost` may be looked up by name (any other name would be a DNS query that may leave
 * the machine); a TCP client connects to a name only once the address it resolves to has passed.
 * Whatever is refused is dropped, never sent, and reported on stderr as a line starting with
 * REPORT_PREFIX, which the rig turns into a failed test; the process's exit code becomes 1 as
 * well, so a test process that sent nothing through the rig fails too.
 */

import { lookup } from "node:dns";
import type { LookupFunction } from "node:net";
import { isIpv4Text } from "../ipv4-text.js";

/** The environment variable that switches the guard on ("1"). */
export const LOOPBACK_ONLY_ENV = "KLINGEL_LOOPBACK_ONLY";

/** Every report line starts with this. */
export const REPORT_PREFIX = "loopback guard: refused";

/** At most this many different destinations are reported one by one; later ones are only counted. */
const MAX_REPORTED = 16;

/** True for a dotted-quad IPv4 address in 127.0.0.0/8 (four decimal octets, no leading zeros). */
export function isLoopbackAddress(address: string): boolean {
	const parts = address.split(".");
	if (parts.length !== 4 || parts[0] !== "127") return false;
	for (const part of parts) {
		if (!/^(?:0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return false;
	}
	return true;
}

/**
 * The one name that may be looked up: the hosts file answers it. Not `*.localhost` nor the
 * absolute `localhost.`, which glibc (without nss-myhostname) takes to the DNS server.
 */
export function isLoopbackName(name: string): boolean {
	return name.toLowerCase() === "localhost";
}

export class LoopbackGuard {
	/** Destinations refused so far (every packet or lookup counts). */
	refused = 0;
	#reported = new Set<string>();
	#report: (line: string) => void;

	constructor(report: (line: string) => void) {
		this.#report = report;
	}

	/** True when `what` may be sent to address:port; otherwise reports it and returns false. */
	allowsSend(what: string, address: string, port: number): boolean {
		if (isLoopbackAddress(address)) return true;
		this.#refuse(`${what} to ${address}:${port}`);
		return false;
	}

	/** True when a TCP client may connect to host:port: an IPv4 address is checked as a destination, a name as a lookup. */
	allowsConnect(what: string, host: string, port: number): boolean {
		return isIpv4Text(host) ? this.allowsSend(what, host, port) : this.allowsLookup(host);
	}

	/** True when `name` may be looked up (an IPv4 literal is checked when it is sent to). */
	allowsLookup(name: string): boolean {
		if (isLoopbackName(name) || isIpv4Text(name)) return true;
		this.#refuse(`a DNS lookup of ${name}`);
		return false;
	}

	/**
	 * The `lookup` option of a TCP connection to port (node:net, node:http): allowsConnect passed
	 * the name, but the connection goes where the name resolves to, so that address is checked
	 * before Node connects, and a name that may not be looked up fails before the resolver is
	 * asked. IPv4 only, as the guard lets no IPv6 address through.
	 */
	connectLookup(what: string, port: number): LookupFunction {
		return (name, options, callback) => {
			if (!this.allowsLookup(name)) return callback(new Error(connectRefusal(`${name}:${port}`)), "");
			lookup(name, { family: 4 }, (error, address) => {
				if (error) return callback(error, "");
				if (!isLoopbackAddress(address)) {
					this.#refuse(`${what} to ${name} at ${address}:${port}`);
					return callback(new Error(connectRefusal(`${name} at ${address}:${port}`)), "");
				}
				if (options.all) callback(null, [{ address, family: 4 }]);
				else callback(null, address, 4);
			});
		};
	}

	#refuse(what: string): void {
		this.refused++;
		if (this.#reported.has(what)) return;
		if (this.#reported.size < MAX_REPORTED) {
			this.#reported.add(what);
			this.#report(`${REPORT_PREFIX} ${what}: only 127.0.0.0/8 while ${LOOPBACK_ONLY_ENV}=1`);
		} else if (this.#reported.size === MAX_REPORTED) {
			this.#reported.add("");
			this.#report(`${REPORT_PREFIX} more destinations (only the first ${MAX_REPORTED} are named)`);
		}
	}
}

/** Why a TCP client did not connect to `destination` (its error, or the close reason). */
export function connectRefusal(destination: string): string {
	return `refused ${destination}: only 127.0.0.0/8 while the loopback guard is on`;
}

/**
 * The guard when the environment asks for one (reports go to stderr and set the exit code to
 * 1), otherwise undefined.
 */
export function loopbackGuardFromEnv(env: Record<string, string | undefined> = process.env): LoopbackGuard | undefined {
	if (env[LOOPBACK_ONLY_ENV] !== "1") return undefined;
	return new LoopbackGuard((line) => {
		process.exitCode = 1;
		console.error(line);
	});
}
