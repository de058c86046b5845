/*
 * The admin password of the web page, kept as a salted, iterated SHA-256 in the `web`
 * namespace, key `admin`: "s256i$<iterations>$<salt hex>$<hash hex>" in one key, so it is
 * written at once. The password itself is never stored or logged.
 */

import type { KeyValueStore, RandomBytes, Sha256 } from "../modules/ports.js";
import { hex, sameText } from "./http.js";

export const WEB_NAMESPACE = "web";
export const ADMIN_KEY = "admin";
export const DEFAULT_ITERATIONS = 4096;
export const MIN_ADMIN_PASSWORD = 8;
export const MAX_ADMIN_PASSWORD = 64;

function stretch(sha256: Sha256, salt: string, password: string, iterations: number): string {
	let h = sha256(`${salt}:${password}`);
	for (let i = 1; i < iterations; i++) h = sha256(h + salt);
	return h;
}

/** Why a new admin password is not acceptable, or undefined when it is. */
export function adminPasswordProblem(password: string): string | undefined {
	if (password.length < MIN_ADMIN_PASSWORD) return `must be at least ${MIN_ADMIN_PASSWORD} characters`;
	if (password.length > MAX_ADMIN_PASSWORD) return `must be at most ${MAX_ADMIN_PASSWORD} characters`;
	if (/[\x00-\x1f\x7f]/.test(password)) return "must not hold control characters";
	return undefined;
}

export class AdminCredential {
	#store: KeyValueStore;
	#sha256: Sha256;
	#random: RandomBytes;
	#iterations: number;

	constructor(store: KeyValueStore, sha256: Sha256, random: RandomBytes, iterations = DEFAULT_ITERATIONS) {
		this.#store = store;
		this.#sha256 = sha256;
		this.#random = random;
		this.#iterations = iterations;
	}

	/**
	 * Whether an admin password has been set (after that, the first-run page is gone). A damaged
	 * record counts as set: the first-run page would hand the door to whoever reaches it first.
	 */
	get isSet(): boolean {
		return this.#store.get(WEB_NAMESPACE, ADMIN_KEY) !== undefined;
	}

	/** Whether the stored record cannot be read: no password signs in until it is removed. */
	get damaged(): boolean {
		const record = this.#store.get(WEB_NAMESPACE, ADMIN_KEY);
		return record !== undefined && parse(record) === undefined;
	}

	/** Stores a new password as a fresh salt and hash. Throws when the store fails. */
	set(password: string): void {
		const problem = adminPasswordProblem(password);
		if (problem) throw new Error(`the admin password ${problem}`);
		const bytes = new Uint8Array(16);
		this.#random(bytes);
		const salt = hex(bytes);
		this.#store.set(WEB_NAMESPACE, ADMIN_KEY, `s256i$${this.#iterations}$${salt}$${stretch(this.#sha256, salt, password, this.#iterations)}`);
	}

	/** Removes the record, damaged or not: the next visit shows the first-run page. Throws when the store fails. */
	clear(): void {
		this.#store.delete(WEB_NAMESPACE, ADMIN_KEY);
	}

	verify(password: string): boolean {
		const record = parse(this.#store.get(WEB_NAMESPACE, ADMIN_KEY));
		if (!record || password.length > MAX_ADMIN_PASSWORD) return false;
		return sameText(stretch(this.#sha256, record.salt, password, record.iterations), record.hash);
	}
}

function parse(value: unknown): { iterations: number; salt: string; hash: string } | undefined {
	if (typeof value !== "string") return undefined;
	const m = /^s256i\$(\d{1,7})\$([0-9a-f]{16,64})\$([0-9a-f]{64})$/.exec(value);
	if (!m || Number(m[1]) < 1) return undefined;
	return { iterations: Number(m[1]), salt: m[2], hash: m[3] };
}
