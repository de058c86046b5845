/*
 * Digest challenges read their quoted strings with the header parser's reader (readQuoted): the
 * same challenge as with the loop digest.ts had of its own (test/lib/digest-before.ts), over
 * generated values with escapes, unclosed quotes and a backslash at the end.
 */

import { test, group, assert } from "../lib/spec.js";
import { parseChallenge } from "../../sip/digest.js";
import { parseChallengeBefore } from "../lib/digest-before.js";
import { generator } from "../lib/generator.js";

const show = (s: string) => JSON.stringify(s);

const NAMES = ["realm", "nonce", "qop", "opaque", "algorithm", "stale", "x-y_1", "Realm", "bad name", ""];
const SEPARATORS = [", ", ", ", ",", " ,\t", " ", ""];
/** The characters of values: plain ones, and escapes, quotes and separators. */
const PLAIN = "abAB12.", WILD = 'a"\\,= \té\u00a0';

/** A name=value pair (`name` most of the time): quoted (its closing quote sometimes left off) or plain. */
function pair(g: ReturnType<typeof generator>, name: string): string {
	const text = g.pick([0, 1, 2]) < 2 ? g.text(PLAIN, 5) + g.text(WILD, 2) + g.text(PLAIN, 3) : g.text(WILD, 6);
	const equals = g.pick(["=", "=", "=", "=", " = ", ""]);
	name = g.pick([0, 1, 2, 3, 4, 5, 6, 7]) < 7 ? name : g.pick(NAMES);
	return g.pick([0, 1, 2, 3, 4, 5]) < 5 ? `${name}${equals}"${text}${g.pick(['"', '"', '"', '"', '"', '"', ""])}` : `${name}${equals}${text}`;
}

group("digest challenges", () => {
	test("the same challenge as before for every generated value", () => {
		const g = generator(43);
		let usable = 0, escaped = 0;
		for (let n = 0; n < 5000; n++) {
			let value = g.pick(["Digest ", "Digest ", "digest  ", " DIGEST\t", "Basic "]) + pair(g, "realm") + g.pick(SEPARATORS) + pair(g, "nonce");
			for (let k = g.pick([0, 1, 2, 3]); k > 0; k--) value += g.pick(SEPARATORS) + pair(g, g.pick(NAMES));
			const proxy = n % 2 === 0;
			const before = parseChallengeBefore(value, proxy), now = parseChallenge(value, proxy);
			if (before) {
				usable++;
				if (value.indexOf("\\") >= 0) escaped++;
			}
			assert.deepEqual(now, before, `parseChallenge(${show(value)})`);
		}
		assert.ok(usable > 300, `only ${usable} usable challenges`);
		assert.ok(escaped > 50, `only ${escaped} usable challenges with a backslash`);
	});

	test("escapes in quoted values: the escaped character kept, the backslash dropped; unclosed refused", () => {
		assert.deepEqual(parseChallenge('Digest realm="a\\"b\\\\c", nonce="n\\x"', false), { realm: 'a"b\\c', nonce: "nx", qop: [], stale: false, proxy: false });
		assert.equal(parseChallenge('Digest realm="fritz.box", nonce="abc', false), undefined, "unclosed");
		assert.equal(parseChallenge('Digest realm="fritz.box", nonce="abc\\', false), undefined, "a backslash at the end");
	});
});
