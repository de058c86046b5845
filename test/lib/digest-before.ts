/*
 * parseChallenge() of sip/digest.ts as it was when it read quoted strings with a loop of its own:
 * an oracle the shared reader (readQuoted in sip/header-values.ts) is compared with over
 * generated challenges (test/core/sip-digest.spec.ts). Its check of the algorithm (MD5 only) is
 * left out: the parser now takes any, and unanswerable() judges them.
 */

import type { DigestChallenge } from "../../sip/digest.js";

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
			i++;
			let closed = false;
			while (i < n) {
				const c = text[i++];
				if (c === "\\" && i < n) value += text[i++];
				else if (c === '"') {
					closed = true;
					break;
				} else value += c;
			}
			if (!closed) return undefined;
		} else {
			const start = i;
			while (i < n && text[i] !== ",") i++;
			value = text.slice(start, i).trim();
		}
		params.set(name, value);
	}
	return params;
}

/** Parses a WWW-Authenticate / Proxy-Authenticate value; undefined if it is no Digest challenge. */
export function parseChallengeBefore(value: string, proxy: boolean): DigestChallenge | undefined {
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
