/*
 * Admin sessions in memory: a random token in an HttpOnly, SameSite=Strict cookie, known to the
 * device only by its SHA-256, and a CSRF token per session for every state-changing request.
 * Sessions end after an idle hour or twelve hours in all, on logout, and at a restart.
 */

import type { Clock, RandomBytes, Sha256 } from "../modules/ports.js";
import { hex } from "./http.js";

export const SESSION_COOKIE = "klingel_sid";
export const IDLE_MS = 60 * 60 * 1000;
export const LIFETIME_MS = 12 * 60 * 60 * 1000;
export const MAX_SESSIONS = 8;

export interface Session {
	csrf: string;
	created: number;
	seen: number;
}

export class Sessions {
	#clock: Clock;
	#sha256: Sha256;
	#random: RandomBytes;
	#byHash = new Map<string, Session>();

	constructor(clock: Clock, sha256: Sha256, random: RandomBytes) {
		this.#clock = clock;
		this.#sha256 = sha256;
		this.#random = random;
	}

	#token(): string {
		const bytes = new Uint8Array(24);
		this.#random(bytes);
		return hex(bytes);
	}

	/** Starts a session; returns the cookie token and the session. The oldest goes when full. */
	create(): { token: string; session: Session } {
		this.#expire();
		while (this.#byHash.size >= MAX_SESSIONS) {
			const oldest = this.#byHash.keys().next().value as string;
			this.#byHash.delete(oldest);
		}
		const token = this.#token();
		const now = this.#clock.now();
		const session: Session = { csrf: this.#token(), created: now, seen: now };
		this.#byHash.set(this.#sha256(token), session);
		return { token, session };
	}

	/** The live session of a cookie token, or undefined. */
	find(token: string): Session | undefined {
		if (!/^[0-9a-f]{48}$/.test(token)) return undefined;
		this.#expire();
		const session = this.#byHash.get(this.#sha256(token));
		if (session) session.seen = this.#clock.now();
		return session;
	}

	end(token: string): void {
		if (/^[0-9a-f]{48}$/.test(token)) this.#byHash.delete(this.#sha256(token));
	}

	/** Ends every session (after the admin password changes). */
	clear(): void {
		this.#byHash.clear();
	}

	get size(): number {
		return this.#byHash.size;
	}

	#expire(): void {
		const now = this.#clock.now();
		for (const [hash, session] of this.#byHash) {
			if (now - session.seen > IDLE_MS || now - session.created > LIFETIME_MS) this.#byHash.delete(hash);
		}
	}
}

export function sessionCookie(token: string): string {
	return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

export function clearedCookie(): string {
	return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
