/*
 * HTTP Digest for SIP (RFC 2617, RFC 7616; RFC 3261 §22, RFC 8760): challenge parsing and the
 * Authorization / Proxy-Authorization value, with MD5, SHA-256 and their -sess variants, qop auth
 * or auth-int, nc per nonce, cnonce and opaque. SHA-512-256 is not answered: neither provider
 * has SHA-512.
 */

import type { Md5, RandomBytes, Sha256 } from "../modules/ports.js";
import { readQuoted } from "./header-values.js";

export interface DigestChallenge {
	realm: string;
	nonce: string;
	/** The qop values offered ("auth", "auth-int"), lowercase. */
	qop: string[];
	/** The algorithm as received, when one was named. */
	algorithm?: string;
	opaque?: string;
	stale: boolean;
	/** From Proxy-Authenticate (407) rather than WWW-Authenticate (401). */
	proxy: boolean;
}

export interface DigestCredentials {
	username: string;
	password: string;
	method: string;
	uri: string;
	/** The request's body, which qop auth-int covers; none is the empty body (a REGISTER's). */
	body?: string;
}

/** Parses `name=value, name="quoted"` pairs; undefined when the syntax is broken. */
function parseParams(text: string): Map<string, string> | undefined {
	const params = new Map<string, string>();
	let i = 0;
	const n = text.length;
	while (i < n) {
		while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === ",")) i++;
		if (i >= n) break;
		const eq = text.indexOf("=", i);
		if (eq < 0) return undefined;
		const name = text.slice(i, eq).trim().toLowerCase();
		if (!/^[a-z0-9\-_]+$/.test(name)) return undefined;
		i = eq + 1;
		while (i < n && (text[i] === " " || text[i] === "\t")) i++;
		let value = "";
		if (text[i] === '"') {
			const quoted = readQuoted(text, i);
			if (!quoted) return undefined;
			value = quoted[0];
			i = quoted[1];
		} else {
			const start = i;
			while (i < n && text[i] !== ",") i++;
			value = text.slice(start, i).trim();
		}
		params.set(name, value);
	}
	return params;
}

/**
 * Parses a WWW-Authenticate / Proxy-Authenticate value; undefined if it is no Digest challenge
 * (unanswerable() says whether the door can answer one).
 */
export function parseChallenge(value: string, proxy: boolean): DigestChallenge | undefined {
	const m = /^\s*digest\s+/i.exec(value);
	if (!m) return undefined;
	const params = parseParams(value.slice(m[0].length));
	if (!params) return undefined;
	const realm = params.get("realm");
	const nonce = params.get("nonce");
	if (realm === undefined || !nonce) return undefined;
	const algorithm = params.get("algorithm");
	const challenge: DigestChallenge = {
		realm,
		nonce,
		qop: (params.get("qop") ?? "").split(",").map((q) => q.trim().toLowerCase()).filter((q) => q),
		stale: (params.get("stale") ?? "").toLowerCase() === "true",
		proxy,
	};
	if (algorithm !== undefined) challenge.algorithm = algorithm;
	const opaque = params.get("opaque");
	if (opaque !== undefined) challenge.opaque = opaque;
	return challenge;
}

/** The algorithms answered, by the upper-case name (names are case-insensitive): SHA-256 or MD5, and whether HA1 is a session key. */
const ALGORITHMS: Readonly<Record<string, { sha256: boolean; sess: boolean }>> = Object.freeze({
	MD5: Object.freeze({ sha256: false, sess: false }),
	"MD5-SESS": Object.freeze({ sha256: false, sess: true }),
	"SHA-256": Object.freeze({ sha256: true, sess: false }),
	"SHA-256-SESS": Object.freeze({ sha256: true, sess: true }),
});
/** Without one the algorithm is MD5 (RFC 7616 §3.3). */
const MD5 = "MD5";
const AUTH = "auth", AUTH_INT = "auth-int";

/** The algorithm a challenge names, if the door answers it. */
function algorithmOf(challenge: DigestChallenge): { sha256: boolean; sess: boolean } | undefined {
	const name = (challenge.algorithm ?? MD5).toUpperCase();
	return Object.prototype.hasOwnProperty.call(ALGORITHMS, name) ? ALGORITHMS[name] : undefined;
}

/** The qop answered: auth where offered (no body to hash), else auth-int, else none. */
function qopOf(challenge: DigestChallenge): string {
	return challenge.qop.includes(AUTH) ? AUTH : challenge.qop.includes(AUTH_INT) ? AUTH_INT : "";
}

/** Why the door cannot answer a challenge, or "" when it can. */
export function unanswerable(challenge: DigestChallenge): string {
	const algorithm = algorithmOf(challenge);
	if (!algorithm) return `algorithm ${challenge.algorithm} is not supported`;
	// Offered, qop must be answered with one of its values (RFC 2617 §3.2.2).
	if (challenge.qop.length > 0 && !qopOf(challenge)) return `qop ${challenge.qop.join(",")} is not supported`;
	// A session key takes the cnonce (RFC 7616 §3.4.2), which is sent only with a qop (RFC 2617 §3.2.2).
	if (algorithm.sess && challenge.qop.length === 0) return `algorithm ${challenge.algorithm} needs qop`;
	return "";
}

/** A quoted-string with `"` and `\` escaped, so no value can add parameters. */
function quote(value: string): string {
	return `"${value.replace(/[\r\n]/g, "").replace(/(["\\])/g, "\\$1")}"`;
}

export class DigestAuthenticator {
	#md5: Md5;
	#sha256: Sha256;
	#random: RandomBytes;
	#nonce = "";
	#count = 0;
	/** The cnonce of a session key for #nonce (a -sess algorithm's HA1 is made once per nonce, RFC 7616 §3.4.2). */
	#sessionCnonce = "";

	constructor(md5: Md5, sha256: Sha256, random: RandomBytes) {
		this.#md5 = md5;
		this.#sha256 = sha256;
		this.#random = random;
	}

	static header(challenge: DigestChallenge): "Authorization" | "Proxy-Authorization" {
		return challenge.proxy ? "Proxy-Authorization" : "Authorization";
	}

	/**
	 * The credentials line's value for this challenge, which unanswerable() must have passed.
	 * `cnonce` is for tests; normally random.
	 */
	authorize(challenge: DigestChallenge, credentials: DigestCredentials, cnonce?: string): string {
		const algorithm = algorithmOf(challenge)!;
		const hash = algorithm.sha256 ? this.#sha256 : this.#md5;
		let ha1 = hash(`${credentials.username}:${challenge.realm}:${credentials.password}`);
		const qop = qopOf(challenge);
		// auth-int adds the body's hash (RFC 7616 §3.4.3).
		const ha2 = hash(qop === AUTH_INT ? `${credentials.method}:${credentials.uri}:${hash(credentials.body ?? "")}` : `${credentials.method}:${credentials.uri}`);
		let value = `Digest username=${quote(credentials.username)}, realm=${quote(challenge.realm)}, nonce=${quote(challenge.nonce)}, uri=${quote(credentials.uri)}`;
		let response: string;
		let tail = "";
		if (qop) {
			// nc counts the requests made with one nonce and starts again at 1 for a new one.
			if (challenge.nonce !== this.#nonce) {
				this.#nonce = challenge.nonce;
				this.#count = 0;
				this.#sessionCnonce = "";
			}
			const nc = (++this.#count).toString(16).padStart(8, "0");
			const cn = cnonce ?? (algorithm.sess && this.#sessionCnonce ? this.#sessionCnonce : this.#cnonce());
			if (algorithm.sess) {
				this.#sessionCnonce = cn;
				ha1 = hash(`${ha1}:${challenge.nonce}:${cn}`);
			}
			response = hash(`${ha1}:${challenge.nonce}:${nc}:${cn}:${qop}:${ha2}`);
			tail = `, qop=${qop}, nc=${nc}, cnonce=${quote(cn)}`;
		} else {
			response = hash(`${ha1}:${challenge.nonce}:${ha2}`);
		}
		value += `, response=${quote(response)}`;
		if (challenge.algorithm !== undefined) value += `, algorithm=${challenge.algorithm}`;
		value += tail;
		if (challenge.opaque !== undefined) value += `, opaque=${quote(challenge.opaque)}`;
		return value;
	}

	#cnonce(): string {
		const bytes = new Uint8Array(8);
		this.#random(bytes);
		let out = "";
		for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
		return out;
	}
}
