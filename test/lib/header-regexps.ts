/*
 * The header-value checks as RegExps, the form the parser had before its character scans: an
 * oracle the scans are compared with on many generated values (test/core/sip-scan.spec.ts).
 * Each RegExp is made inside the function that uses it, as in the firmware.
 */

const TOKEN = (): RegExp => /^[A-Za-z0-9\-.!%*_+`'~]+$/;

/** Parameters without quoted strings, well-formed. */
export function plainParamsWellFormed(params: string): boolean {
	return /^(?:;\s*[A-Za-z0-9\-.!%*_+`'~]+\s*(?:=\s*[A-Za-z0-9\-.!%*_+`'~:\[\]]+\s*)?)*$/.test(params.trim());
}

/** `param` for a parameter string without quoted strings. */
export function plainParam(params: string, name: string): string | undefined {
	for (const item of params.split(";").slice(1)) {
		const eq = item.indexOf("=");
		const key = (eq < 0 ? item : item.slice(0, eq)).trim();
		if (key.toLowerCase() === name) return eq < 0 ? "" : item.slice(eq + 1).trim();
	}
	return undefined;
}

interface RefVia {
	transport: string;
	host: string;
	port: number;
	params: string;
}

/** A Via value as the RegExp read it (its parameters checked apart). */
export function via(value: string): RefVia | undefined {
	const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:\s*:\s*([0-9]{1,5}))?\s*(;.*)?$/s.exec(value.trim());
	if (!m) return undefined;
	const port = m[3] ? Number(m[3]) : 0;
	if (port > 65535) return undefined;
	return { transport: m[1].toUpperCase(), host: m[2], port, params: m[4] ?? "" };
}

export function cseq(value: string): { seq: number; method: string } | undefined {
	const m = /^([0-9]{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(value.trim());
	if (!m || Number(m[1]) > 0x7fffffff) return undefined;
	return { seq: Number(m[1]), method: m[2] };
}

export function sipUri(uri: string): { scheme: string; user: string; host: string; port: number; params: string; headers: string } | undefined {
	const m = /^(sips?):(?:([^@;?]*(?:;[^@?]*)?)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?::([0-9]{1,5}))?((?:;[^?]*)?)((?:\?.*)?)$/i.exec(uri);
	if (!m) return undefined;
	const port = m[4] ? Number(m[4]) : 0;
	if (port > 65535) return undefined;
	return { scheme: m[1].toLowerCase(), user: m[2] ?? "", host: m[3], port, params: m[5], headers: m[6] };
}

export function uriScheme(uri: string): string {
	const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
	return m ? m[1].toLowerCase() : "";
}

/** The URI checks of name-addr (in angle brackets) and addr-spec. */
export function nameAddrUri(uri: string): boolean {
	return !!uri && !/[\s<"]/.test(uri) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri);
}
export function addrSpecUri(uri: string): boolean {
	return !!uri && !/[\s,?"]/.test(uri) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri);
}
/** A display name of tokens separated by SP or HT (trimmed). */
export function displayWords(words: string): boolean {
	return TOKEN().test(words) || words.split(/[ \t]+/).every((w) => TOKEN().test(w));
}
