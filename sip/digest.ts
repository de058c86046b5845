/*
 * HTTP Digest for SIP (RFC 2617, RFC 7616 with MD5; RFC 3261 §22): challenge parsing and the
 * Authorization / Proxy-Authorization value, with qop=auth, nc per nonce, cnonce and opaque.
 */

import type { Md5, RandomBytes } from "../modules/ports.js";
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

/** Parses a WWW-Authenticate / Proxy-Authenticate value; undefined if it is not a usable MD5 Digest challenge. */
export function parseChallenge(value: string, proxy: boolean): DigestChallenge | undefined {
	const m = /^\s*digest\s+/i.exec(value);
	if (!m) return undefined;
	const params = parseParams(value.slice(m[0].length));
	if (!params) return undefined;
	const realm = params.get("realm");
	const nonce = params.get("nonce");
	if (realm === undefined || !nonce) return undefined;
	const algorithm = params.get("algorithm");
	if (algorithm !== undefined && algorithm.toUpperCase() !== "MD5") return undefined;
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

/** A quoted-string with `"` and `\` escaped, so no value can add parameters. */
function quote(value: string): string {
	return `"${value.replace(/[\r\n]/g, "").replace(/(["\\])/g, "\\$1")}"`;
}

export class DigestAuthenticator {
	#md5: Md5;
	#random: RandomBytes;
	#nonce = "";
	#count = 0;

	constructor(md5: Md5, random: RandomBytes) {
		this.#md5 = md5;
		this.#random = random;
	}

	static header(challenge: DigestChallenge): "Authorization" | "Proxy-Authorization" {
		return challenge.proxy ? "Proxy-Authorization" : "Authorization";
	}

	/** The credentials line's value for this challenge. `cnonce` is for tests; normally random. */
	authorize(challenge: DigestChallenge, credentials: DigestCredentials, cnonce?: string): string {
		const md5 = this.#md5;
		const ha1 = md5(`${credentials.username}:${challenge.realm}:${credentials.password}`);
		const ha2 = md5(`${credentials.method}:${credentials.uri}`);
		let value = `Digest username=${quote(credentials.username)}, realm=${quote(challenge.realm)}, nonce=${quote(challenge.nonce)}, uri=${quote(credentials.uri)}`;
		let response: string;
		const qop = challenge.qop.includes("auth");
		let tail = "";
		if (qop) {
			// nc counts the requests made with one nonce and starts again at 1 for a new one.
			if (challenge.nonce !== this.#nonce) {
				this.#nonce = challenge.nonce;
				this.#count = 0;
			}
			const nc = (++this.#count).toString(16).padStart(8, "0");
			const cn = cnonce ?? this.#cnonce();
			response = md5(`${ha1}:${challenge.nonce}:${nc}:${cn}:auth:${ha2}`);
			tail = `, qop=auth, nc=${nc}, cnonce=${quote(cn)}`;
		} else {
			response = md5(`${ha1}:${challenge.nonce}:${ha2}`);
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
