/*
 * param() reads a parameter string's items in one loop, each item's '=' found once. It gives
 * what it gave with its two shortcuts and the '=' searched for from every item
 * (test/lib/param-before.ts), over generated strings: names in any case and place, blanks,
 * quoted values holding ';' and '=', items without a value, longer and shorter items before.
 */

import { test, group, assert } from "../lib/spec.js";
import { param } from "../../sip/header-values.js";
import { paramBefore } from "../lib/param-before.js";
import { plainParam } from "../lib/header-regexps.js";
import { generator } from "../lib/generator.js";

const show = (s: string) => JSON.stringify(s);

const PIECES = [
	";", ";", ";", ";", "=", "=", " ", "\t", "\r\n ", "\u00a0", "=\u00a0", "=\u3000",
	"branch", "BRANCH", "Branch", "tag", "TAG", "a", "A", "expires", "rport", "lr", "bran", "branchx", "tagg",
	"z9hG4bK1", "1", "3600", "x y", "é", ":", "[::1]",
	'"', '"x;y"', '"a=b"', '"\\""',
	";tag=x", ";branch=z9hG4bKq", ";a", ";expires=60", ";lr", ";rport", ";x", "==",
];
const NAMES = ["branch", "tag", "a", "expires", "rport", "lr"];

/** A non-ASCII white-space character at the start of s (U+00A0, U+3000, …). */
const nonAsciiSpaceFirst = (s: string) => s.charCodeAt(0) > 0x7e && s.trimStart() !== s;

group("param() in one loop", () => {
	test("the same value as before for every generated parameter string and name", () => {
		const g = generator(41);
		let found = 0, quoted = 0, nonAscii = 0;
		for (let n = 0; n < 6000; n++) {
			let p = "";
			for (let k = g.pick([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); k > 0; k--) p += g.pick(PIECES);
			if (p.indexOf('"') >= 0) quoted++;
			for (const name of NAMES) {
				const before = paramBefore(p, name), now = param(p, name);
				if (before !== undefined) found++;
				if (before !== undefined && now !== before && nonAsciiSpaceFirst(before)) {
					// The one case where the shortcuts kept white space that the loop (and the RegExp
					// before them) took off: a value starting with a non-ASCII white-space character.
					nonAscii++;
					assert.equal(now, before.trimStart(), `param(${show(p)}, ${name})`);
					if (p.indexOf('"') < 0) assert.equal(now, plainParam(p, name), `param(${show(p)}, ${name}) as the RegExp read it`);
					continue;
				}
				assert.equal(now, before, `param(${show(p)}, ${name})`);
			}
		}
		assert.ok(found > 2500, `only ${found} parameters found`);
		assert.ok(quoted > 1500, `only ${quoted} strings with quotes`);
		assert.ok(nonAscii > 0 && nonAscii < 100, `${nonAscii} values with non-ASCII white space in front`);
	});

	test("a value with non-ASCII white space in front: taken off wherever the parameter stands", () => {
		assert.equal(paramBefore(";branch=\u00a0a", "branch"), "\u00a0a", "the first shortcut kept it");
		assert.equal(paramBefore(";x;branch=\u00a0a", "branch"), "\u00a0a", "the second shortcut kept it");
		assert.equal(paramBefore(";xxxxxxx;branch=\u00a0a", "branch"), "a", "the loop took it off");
		for (const p of [";branch=\u00a0a", ";x;branch=\u00a0a", ";xxxxxxx;branch=\u00a0a"]) {
			assert.equal(param(p, "branch"), "a", show(p));
			assert.equal(plainParam(p, "branch"), "a", `${show(p)} as the RegExp read it`);
		}
	});

	test("items without '=' before the parameter, and '=' inside a quoted value", () => {
		assert.equal(param(";lr;rport;branch=z9hG4bK1", "branch"), "z9hG4bK1");
		assert.equal(param(";lr;rport;branch=z9hG4bK1", "rport"), "");
		assert.equal(param(';a="b=c;d";lr;tag=x', "lr"), "");
		assert.equal(param(';a="b=c;d";lr;tag=x', "a"), "b=c;d");
		assert.equal(param(';a="b=c;d";lr;tag=x', "tag"), "x");
		assert.equal(param(";lr", "tag"), undefined);
	});
});
