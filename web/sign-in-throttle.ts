/*
 * Slows down password guessing at the sign-in, per client and overall. Each client address
 * gets 5 wrong admin passwords in a row, then a pause of 30 s that doubles with each further
 * wrong one up to 15 min; a right one clears its count. One address guessing locks out only
 * itself. Over all addresses together at most OVERALL_BURST wrong passwords go through at once,
 * then one per OVERALL_REFILL_MS, so many addresses guessing at once stay slow too (at most 140
 * guesses in the first hour and 120 an hour after, whatever the number of addresses; one address
 * alone gets 12 in the first hour and 4 an hour after).
 *
 * A client whose address the server cannot tell (the Moddable server on `lin`, see the
 * README's http_remote_address) counts as one client "": there the limits are as strict as a
 * single global throttle. IPv6 clients are counted by their /64, which one host can fill with
 * addresses of its own.
 */

import type { Clock } from "../modules/ports.js";

/** Wrong passwords in a row from one client before it has to pause. */
export const MAX_FAILURES = 5;
export const LOCK_MS = 30_000;
export const MAX_LOCK_MS = 15 * 60_000;
/**
 * Clients remembered at once. An entry is a few slots and a short key (under 100 bytes on the
 * device), so 16 cost little; a home has a handful of admin devices. When full, the entry whose
 * last wrong password is oldest goes first, one not pausing before one that is.
 */
export const MAX_CLIENTS = 16;
/** Wrong passwords over all clients that go through back to back … */
export const OVERALL_BURST = 20;
/** … and then one each this often. */
export const OVERALL_REFILL_MS = 30_000;

interface Client {
	failures: number;
	lockedUntil: number;
}

export class SignInThrottle {
	#clock: Clock;
	/** By client key, in the order of their last wrong password. */
	#clients = new Map<string, Client>();
	#tokens = OVERALL_BURST;
	#refilledAt = 0;

	constructor(clock: Clock) {
		this.#clock = clock;
		this.#refilledAt = clock.now();
	}

	/** Clients remembered now. */
	get size(): number {
		return this.#clients.size;
	}

	/** Milliseconds the client at `address` must wait before its password is checked (0: go ahead). */
	wait(address: string | undefined): number {
		const now = this.#clock.now();
		const client = this.#clients.get(clientKey(address));
		const own = client && client.lockedUntil > now ? client.lockedUntil - now : 0;
		this.#refill(now);
		const overall = this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) * OVERALL_REFILL_MS);
		return Math.max(own, overall);
	}

	/** A wrong password from `address`. */
	failed(address: string | undefined): void {
		const now = this.#clock.now();
		this.#refill(now);
		this.#tokens = Math.max(0, this.#tokens - 1);
		const key = clientKey(address);
		let client = this.#clients.get(key);
		if (client) this.#clients.delete(key);
		else {
			if (this.#clients.size >= MAX_CLIENTS) this.#clients.delete(this.#victim(now));
			client = { failures: 0, lockedUntil: 0 };
		}
		this.#clients.set(key, client);
		client.failures++;
		if (client.failures >= MAX_FAILURES) client.lockedUntil = now + Math.min(MAX_LOCK_MS, LOCK_MS * 2 ** Math.min(16, client.failures - MAX_FAILURES));
	}

	/** The right password from `address`: its count starts again. */
	succeeded(address: string | undefined): void {
		this.#clients.delete(clientKey(address));
	}

	#refill(now: number): void {
		const tokens = this.#tokens + (now - this.#refilledAt) / OVERALL_REFILL_MS;
		this.#tokens = Math.min(OVERALL_BURST, tokens);
		this.#refilledAt = now;
	}

	/** The oldest client not pausing, else the oldest of all. */
	#victim(now: number): string {
		let oldest = "";
		let first = true;
		for (const [key, client] of this.#clients) {
			if (client.lockedUntil <= now) return key;
			if (first) oldest = key;
			first = false;
		}
		return oldest;
	}
}

/** The throttled unit of an address: an IPv4 address (also IPv4-mapped), an IPv6 /64, or "" when unknown. */
export function clientKey(address: string | undefined): string {
	if (!address) return "";
	const a = address.trim().toLowerCase();
	if (a.startsWith("::ffff:") && a.indexOf(".") > 0) return a.slice(7);
	if (a.indexOf(":") < 0) return a;
	const zone = a.indexOf("%");
	const bare = zone < 0 ? a : a.slice(0, zone);
	const gap = bare.indexOf("::");
	const head = (gap < 0 ? bare : bare.slice(0, gap)).split(":").filter((g) => g !== "");
	const tail = gap < 0 ? [] : bare.slice(gap + 2).split(":").filter((g) => g !== "");
	const groups = gap < 0 ? head : head.concat(new Array<string>(Math.max(0, 8 - head.length - tail.length)).fill("0"), tail);
	return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
