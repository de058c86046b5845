/*
 * The character scans of SIP header values (sip/scan.ts and the parsers built on them) against
 * the RegExps they replace (test/lib/header-regexps.ts), over every character class member and
 * many generated values: pieces that are right, wrong, blank, out of range and in odd places.
 */

import { test, group, assert } from "../lib/spec.js";
import { digitsEnd, equalsIgnoringCase, hostEnd, isHostName, isSpace, isToken, isTokenChar, paramValueEnd, quotedEnd, schemeColon } from "../../sip/scan.js";
import { param, paramsWellFormed, parseCSeq, parseNameAddr, parseSipUri, parseVia, uriScheme } from "../../sip/header-values.js";
import { generator } from "../lib/generator.js";
import * as ref from "../lib/header-regexps.js";
import { parseSip, SipParseError } from "../../sip/message.js";
import { buildResponse } from "../../sip/serializer.js";
import { decodeUtf8, encodeUtf8 } from "../../modules/text.js";

const show = (s: string) => JSON.stringify(s);

group("character scans", () => {
	test("isSpace is what a RegExp's \\s matches, for every UTF-16 code unit", () => {
		const space = /\s/;
		for (let c = 0; c < 0x10000; c++) {
			if (isSpace(c) !== space.test(String.fromCharCode(c))) throw new Error(`isSpace(0x${c.toString(16)}) is ${isSpace(c)}`);
		}
	});

	test("token, parameter-value, digit and host-name characters as the RFC 3261 classes, for ASCII and beyond", () => {
		const token = /[A-Za-z0-9\-.!%*_+`'~]/, value = /[A-Za-z0-9\-.!%*_+`'~:\[\]]/, digit = /[0-9]/, host = /^[A-Za-z0-9\-.]+$/;
		for (let c = 0; c < 0x3100; c++) {
			const s = String.fromCharCode(c);
			assert.equal(isTokenChar(c), token.test(s), `isTokenChar(0x${c.toString(16)})`);
			assert.equal(isToken(s, 0, 1), token.test(s), `isToken(${show(s)})`);
			assert.equal(paramValueEnd(s, 0, 1), value.test(s) ? 1 : 0, `paramValueEnd(${show(s)})`);
			assert.equal(digitsEnd(s, 0, 1), digit.test(s) ? 1 : 0, `digitsEnd(${show(s)})`);
			assert.equal(isHostName(s), host.test(s), `isHostName(${show(s)})`);
			assert.equal(isHostName("a" + s + "0"), host.test("a" + s + "0"), `isHostName(a${show(s)}0)`);
		}
		assert.equal(isToken("", 0, 0), false, "an empty token");
		assert.equal(isHostName(""), false, "an empty host");
		assert.equal(isHostName("a\ud800"), false, "a lone surrogate");
	});

	test("hosts: names, IPv4 addresses and IPv6 references, and where each stops", () => {
		assert.equal(hostEnd("fritz.box:5060", 0, 14), 9);
		assert.equal(hostEnd("192.168.178.1;x", 0, 15), 13);
		assert.equal(hostEnd("[fe80::1]:5060", 0, 14), 9);
		assert.equal(hostEnd("[fe80::1", 0, 8), 0, "an unclosed reference");
		assert.equal(hostEnd("[]", 0, 2), 0, "an empty reference");
		assert.equal(hostEnd("[fe80::g]", 0, 9), 0, "not a hex digit");
		assert.equal(hostEnd("a.b", 0, 2), 2, "the end given is kept");
	});

	test("URI schemes: a letter, then letters, digits, '+', '-', '.', up to ':'", () => {
		const g = generator(7);
		for (let n = 0; n < 2000; n++) {
			const uri = g.text("sSiP1+-.:@_ ", 7);
			const m = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(uri);
			assert.equal(schemeColon(uri, 0, uri.length), m ? m[0].length - 1 : -1, `schemeColon(${show(uri)})`);
			assert.equal(uriScheme(uri), ref.uriScheme(uri), `uriScheme(${show(uri)})`);
		}
	});

	test("names compared with ASCII letters in any case, nothing else folded", () => {
		assert.ok(equalsIgnoringCase("Branch", 0, 6, "branch"));
		assert.ok(equalsIgnoringCase(";BRANCH=", 1, 7, "branch"));
		assert.ok(!equalsIgnoringCase("branc", 0, 5, "branch"), "shorter");
		assert.ok(!equalsIgnoringCase("@", 0, 1, "`"), "'@' is not '`' in another case");
		assert.ok(!equalsIgnoringCase("[", 0, 1, "{"), "'[' is not '{' in another case");
		assert.ok(!equalsIgnoringCase("K", 0, 1, "\u212a"), "Kelvin sign");
	});

	test("quoted strings end at the first unescaped quote", () => {
		assert.equal(quotedEnd('"ab"c', 0, 5), 4);
		assert.equal(quotedEnd('"a\\"b"', 0, 6), 6, "an escaped quote");
		assert.equal(quotedEnd('"a\\\\"b', 0, 6), 5, "an escaped backslash");
		assert.equal(quotedEnd('"ab', 0, 3), -1, "unclosed");
		assert.equal(quotedEnd('"ab\\"', 0, 5), -1, "only an escaped quote");
	});
});

group("header values by character scans", () => {
	const PARAM_PIECES = [";", ";", "=", " ", "\t", "branch", "BRANCH", "rport", "z9hG4bK1", "a", "1", ":", "[::1]", ",", "/", "?", "@", "&", "$", "(", ")", "#", "%", "`", "~", "\u00a0", "é", "\r\n", ";tag=x", "=="];
	function params(g: ReturnType<typeof generator>): string {
		let out = "";
		for (let n = g.pick([0, 1, 2, 3, 4, 5, 6]); n > 0; n--) out += g.pick(PARAM_PIECES);
		return out;
	}

	test("parameters without quotes: well-formed exactly when the RegExp said so, and each value as it read it", () => {
		const g = generator(11);
		let good = 0;
		for (let n = 0; n < 4000; n++) {
			const p = params(g);
			const expected = ref.plainParamsWellFormed(p);
			if (expected) good++;
			assert.equal(paramsWellFormed(p), expected, `paramsWellFormed(${show(p)})`);
			for (const name of ["branch", "rport", "a", "tag"]) assert.equal(param(p, name), ref.plainParam(p, name), `param(${show(p)}, ${name})`);
		}
		assert.ok(good > 400, `only ${good} well-formed parameter strings generated`);
	});

	test("parameters with quoted strings: a ';' inside quotes is part of the value; an unclosed quote or text after it is malformed", () => {
		assert.ok(paramsWellFormed(';a="x;y";b=2'));
		assert.equal(param(';a="x;y";b=2', "b"), "2");
		assert.equal(param(';a="x;y";b=2', "a"), "x;y");
		assert.equal(param(' ; A = "v" ', "a"), "v");
		assert.ok(paramsWellFormed(';a="x\\"y"'), "an escaped quote");
		assert.ok(!paramsWellFormed(';a="x'), "unclosed");
		assert.ok(!paramsWellFormed(';a="x" y'), "text after the closing quote");
		assert.ok(!paramsWellFormed(';a=""x'), "a quote after the value's start");
		assert.ok(!paramsWellFormed(';"a"=x'), "a quoted name");
	});

	test("Via: transport, host, port, parameters and branch as the RegExp read them", () => {
		const g = generator(13);
		const PREFIX = ["SIP/2.0/", "SIP/2.0/", "SIP/2.0/", "SIP/2.0/", "SIP/2.0/ ", "SIP / 2.0 / ", "SIP\t/2.0/", "sip/2.0/", "SIP/2.1/", "SIP/2.0", "SIP/2.0//", ""];
		const TRANSPORT = ["UDP", "UDP", "UDP", "UDP", "tcp", "Tls", "U!P", "", "UD P", "UDP/"];
		const GAP = [" ", " ", "  ", "\t", "", " \u00a0"];
		const HOST = ["192.168.178.1", "192.168.178.1", "fritz.box", "fritz.box", "[::1]", "[fe80::1", "[]", "a_b", "h~", "ex-ample.com", "", "bad host", "host:", "é.de"];
		const PORT = ["", "", ":5060", ":000080", ":00080", " : 5060", ":65535", ":65536", ":123456", ":", ":0x1", ": 1", ":1 "];
		const TAIL = ["", ";branch=z9hG4bK1", ";rport;branch=z9hG4bKx", " ;branch=x", ";branch", ";=x", ";a=b=c", ";x:y=1", ";a=[::1]", ";BRANCH=q;branch=r", ";received=10.0.0.1;rport=5060", " ", ";branch=a b"];
		let good = 0;
		for (let n = 0; n < 4000; n++) {
			const value = g.pick(PREFIX) + g.pick(TRANSPORT) + g.pick(GAP) + g.pick(HOST) + g.pick(PORT) + (n % 3 ? g.pick(TAIL) : params(g));
			const r = ref.via(value);
			const expected = r && ref.plainParamsWellFormed(r.params) ? { ...r, branch: ref.plainParam(r.params, "branch") ?? "" } : undefined;
			if (expected) good++;
			const v = parseVia(value);
			assert.deepEqual(v && { transport: v.transport, host: v.host, port: v.port, params: v.params, branch: v.branch }, expected && { transport: expected.transport, host: expected.host, port: expected.port, params: expected.params, branch: expected.branch }, `parseVia(${show(value)})`);
		}
		assert.ok(good > 200, `only ${good} well-formed Via values generated`);
	});

	test("CSeq: 1 to 10 digits up to 2^31 - 1, white space, a token", () => {
		const g = generator(17);
		for (let n = 0; n < 3000; n++) {
			const value = g.pick(["", " ", "0", "1", "007", "2147483647", "2147483648", "12345678901", "1.5", "-1"]) + g.pick(["", " ", "  ", "\t", "\u00a0"]) + g.pick(["INVITE", "REGISTER", "FOO", "in vite", "", "A/B", "é"]) + g.pick(["", " ", "\r\n"]);
			assert.deepEqual(parseCSeq(value), ref.cseq(value), `parseCSeq(${show(value)})`);
		}
	});

	test("SIP URIs: scheme, userinfo, host, port, parameters and headers as the RegExp read them", () => {
		const g = generator(19);
		let good = 0;
		for (let n = 0; n < 4000; n++) {
			const uri = g.pick(["sip:", "sip:", "SIPS:", "sips:", "Sip:", "tel:", "sip", "sipx:", ""]) + g.pick(["", "", "620@", "a;b@", "a?b@", "@", "u:p@", "a@b@", "%20@"]) + g.pick(["192.168.178.1", "fritz.box", "[::1]", "[fe80::1", "", "a_b", "h st"]) + g.pick(["", "", ":5060", ":65536", ":123456", ":000080", ":00080", ":", ":x"]) + g.pick(["", ";transport=udp", ";lr", ";a=b@c", ";x?", ";a\nb"]) + g.pick(["", "", "?x=1", "?a\nb", "?", "?a@b"]);
			const expected = ref.sipUri(uri);
			if (expected) good++;
			assert.deepEqual(parseSipUri(uri), expected, `parseSipUri(${show(uri)})`);
		}
		assert.ok(good > 500, `only ${good} SIP URIs generated`);
	});

	test("name-addr and addr-spec: the URI, the display name's words, as the RegExps checked them", () => {
		const g = generator(23);
		const URI_CHARS = 'sip:620@fritz.box;x=1 \t<"?,%é\u00a0+.-';
		for (let n = 0; n < 3000; n++) {
			const uri = g.text(URI_CHARS, 14);
			if (uri.indexOf(">") < 0) {
				const inBrackets = parseNameAddr(`<${uri}>;tag=1`);
				assert.equal(!!inBrackets, ref.nameAddrUri(uri), `<${show(uri)}>`);
				if (inBrackets) assert.equal(inBrackets.uri, uri);
			}
			if (uri.indexOf("<") < 0 && uri.indexOf(";") < 0 && uri.indexOf('"') !== 0) {
				const bare = parseNameAddr(uri);
				const trimmed = uri.trim();
				assert.equal(!!bare, ref.addrSpecUri(trimmed), `addr-spec ${show(uri)}`);
				if (bare) assert.equal(bare.uri, trimmed);
			}
			const words = g.text("Haus tür\t!_-~é\u00a0/", 10);
			if (words.indexOf('"') !== 0) {
				const named = parseNameAddr(`${words}<sip:620@fritz.box>`);
				const trimmed = words.replace(/^[ \t\r\n]*/, "").trim();
				assert.equal(!!named, trimmed === "" || ref.displayWords(trimmed), `display ${show(words)}`);
				if (named) assert.equal(named.display, trimmed);
			}
		}
	});
});

group("start lines by character scans", () => {
	function startLine(line: string): string {
		try {
			const m = parseSip(encodeUtf8(`${line}\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKs\r\nContent-Length: 0\r\n\r\n`));
			return m.isRequest ? `${m.method} ${m.uri} ${m.version}` : `${m.version} ${m.status} ${m.reason}`;
		} catch (error) {
			assert.ok(error instanceof SipParseError, String(error));
			return "refused";
		}
	}

	test("status codes 100 to 699, three digits", () => {
		for (const code of ["100", "180", "699", "200"]) assert.equal(startLine(`SIP/2.0 ${code} X`), `SIP/2.0 ${code} X`);
		for (const code of ["099", "700", "1000", "20", "2a0", "２00", "", "-10"]) assert.equal(startLine(`SIP/2.0 ${code} X`), "refused", code);
	});

	test("request versions SIP/digits.digits in any case; methods tokens; URIs without blanks, controls or angle brackets", () => {
		assert.equal(startLine("OPTIONS sip:a@b sip/2.0"), "OPTIONS sip:a@b sip/2.0");
		assert.equal(startLine("OPTIONS sip:a@b SIP/12.34"), "OPTIONS sip:a@b SIP/12.34");
		for (const version of ["SIP/2", "SIP/.0", "SIP/2.", "SIP/2.0x", "SIP/２.0", "SIPS/2.0", "SIP 2.0", "SIP/2.0.1"]) assert.equal(startLine(`OPTIONS sip:a@b ${version}`), "refused", version);
		assert.equal(startLine("X-Ping~! sip:a@b SIP/2.0"), "X-Ping~! sip:a@b SIP/2.0");
		for (const method of ["IN/VITE", "IN(VITE", "INVITÉ"]) assert.equal(startLine(`${method} sip:a@b SIP/2.0`), "refused", method);
		assert.equal(startLine("OPTIONS sip:a%20b@c;x=\"q\" SIP/2.0"), 'OPTIONS sip:a%20b@c;x="q" SIP/2.0', "quotes and escapes");
		assert.equal(startLine("OPTIONS sip:é@b SIP/2.0"), "OPTIONS sip:é@b SIP/2.0", "non-ASCII is not a control");
		for (const uri of ["sip:a\tb", "sip:<a>", "sip:a>", "sip:a\u0001"]) assert.equal(startLine(`OPTIONS ${uri} SIP/2.0`), "refused", uri);
	});
});

group("responses by character scans", () => {
	test("a response adds its To tag exactly when the request's To has none (`;` `tag` `=`, any case, blanks around)", () => {
		const g = generator(31);
		for (let n = 0; n < 1500; n++) {
			const to = g.pick(["<sip:620@fritz.box>", "sip:620@fritz.box", "<sip:a;tag=1@b>"]) + g.pick([";tag=1", "; TAG = 1", ";tag =1", ";Tag\t=1", ";tagx=1", ";xtag=1", ";tag", ";ta=1", ";ta", ";t", "", ";x=1"]) + g.text(";; \ttagTAG=x", 9);
			const request = parseSip(encodeUtf8(`OPTIONS sip:620@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKt\r\nTo: ${to}\r\nContent-Length: 0\r\n\r\n`));
			const toLine = decodeUtf8(buildResponse(request, 200, "OK", { toTag: "door" })).split("\r\n").find((l) => l.startsWith("To: "));
			const value = request.header("to")!;
			assert.equal(toLine, /;\s*tag\s*=/i.test(value) ? `To: ${value}` : `To: ${value};tag=door`, show(to));
		}
	});
});
