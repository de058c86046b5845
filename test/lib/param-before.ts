/*
 * param() of sip/header-values.ts as it was before its items were read by one loop (with two
 * shortcuts, and the '=' searched for again from each item): an oracle the one loop is compared
 * with over generated parameter strings (test/core/sip-param.spec.ts).
 */

import { equalsIgnoringCase, isSpace, quotedEnd, spaceEnd, spaceStart } from "../../sip/scan.js";

const QUOTE = '"', SEMI = ";", EQ = "=", EMPTY = "";

export function paramBefore(params: string, name: string): string | undefined {
	const n = params.length, quoted = params.indexOf(QUOTE) >= 0;
	let semi = params.indexOf(SEMI);
	// The usual case: the parameter comes first, written `;name=value` with no blanks.
	if (!quoted && semi >= 0 && params.startsWith(name, semi + 1) && params.charCodeAt(semi + 1 + name.length) === 0x3d) {
		const start = semi + 2 + name.length, next = params.indexOf(SEMI, start), end = next < 0 ? n : next;
		if (end > start && params.charCodeAt(start) > 0x20 && params.charCodeAt(end - 1) > 0x20 && params.charCodeAt(end - 1) < 0x7f) return params.slice(start, end);
	}
	// Next usual case: `;name=value` further on, written as asked, and every item before it
	// shorter than the name, so none of them is the name in another case.
	const at = quoted || semi < 0 ? -1 : params.indexOf(name, semi + 1);
	if (at > 0 && params.charCodeAt(at - 1) === 0x3b && params.charCodeAt(at + name.length) === 0x3d) {
		let before = semi;
		while (before < at - 1) {
			const next = params.indexOf(SEMI, before + 1);
			if (next - before - 1 >= name.length) break;
			before = next;
		}
		const start = at + 1 + name.length, next = params.indexOf(SEMI, start), end = next < 0 ? n : next;
		if (before === at - 1 && end > start && params.charCodeAt(start) > 0x20 && params.charCodeAt(end - 1) > 0x20 && params.charCodeAt(end - 1) < 0x7f) return params.slice(start, end);
	}
	while (semi >= 0) {
		// The item runs to the next ';' outside a quoted string.
		let next = params.indexOf(SEMI, semi + 1);
		if (quoted) {
			for (next = semi + 1; next < n; next++) {
				const c = params.charCodeAt(next);
				if (c === 0x22) {
					const after = quotedEnd(params, next, n);
					next = (after < 0 ? n : after) - 1;
				} else if (c === 0x3b) break;
			}
			if (next >= n) next = -1;
		}
		const itemEnd = next < 0 ? n : next;
		let eq = params.indexOf(EQ, semi + 1);
		if (eq >= itemEnd) eq = -1;
		// Blanks around the name are rare: scanned only when there are some.
		let keyStart = semi + 1, keyEnd = eq < 0 ? itemEnd : eq;
		if (keyEnd - keyStart !== name.length && (params.charCodeAt(keyStart) <= 0x20 || params.charCodeAt(keyEnd - 1) <= 0x20 || params.charCodeAt(keyEnd - 1) >= 0x7f || params.charCodeAt(keyStart) >= 0x7f)) {
			keyStart = spaceEnd(params, keyStart, keyEnd);
			keyEnd = spaceStart(params, keyStart, keyEnd);
		}
		if (keyEnd - keyStart === name.length && (params.startsWith(name, keyStart) || equalsIgnoringCase(params, keyStart, keyEnd, name))) {
			if (eq < 0) return EMPTY;
			let start = eq + 1, end = itemEnd;
			if (isSpace(params.charCodeAt(end - 1))) end = spaceStart(params, start, end);
			if (isSpace(params.charCodeAt(start))) start = spaceEnd(params, start, end);
			if (end - start >= 2 && params.charCodeAt(start) === 0x22 && params.charCodeAt(end - 1) === 0x22) return params.slice(start + 1, end - 1);
			return params.slice(start, end);
		}
		semi = next;
	}
	return undefined;
}
