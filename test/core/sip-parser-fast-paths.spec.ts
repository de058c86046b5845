/*
 * Edge cases of the parser's straight-line paths (value trimming, Content-Length without a
 * RegExp, Via and name-addr shortcuts): each must answer what the general path answers.
 */

import { test, group, assert } from "../lib/spec.js";
import { crlf } from "../lib/bytes.js";
import { parseSip, SipParseError } from "../../sip/message.js";
import { inspect } from "../../sip/validate.js";
import { parseVia, parseNameAddr, param, parseCSeq, paramsWellFormed } from "../../sip/header-values.js";
import { encodeUtf8 } from "../../modules/text.js";

function request(headers: string, body = "v=0\n"): string {
	return crlf(`OPTIONS sip:620@192.168.178.30 SIP/2.0
Via: SIP/2.0/UDP 192.168.178.1:5060;branch=z9hG4bKfast
From: <sip:611@fritz.box>;tag=a1
To: <sip:620@fritz.box>
Call-ID: fast@192.168.178.1
CSeq: 1 OPTIONS
${headers}
`) + "\r\n" + crlf(body);
}

function parse(text: string) {
	return parseSip(encodeUtf8(text));
}

function refusal(text: string): SipParseError {
	try {
		inspect(parseSip(encodeUtf8(text)));
	} catch (error) {
		assert.ok(error instanceof SipParseError, `expected SipParseError, got ${error}`);
		return error;
	}
	throw new Error("expected a refusal");
}

group("parser fast paths", () => {
	test("values trimmed of SP, HT and CR only, whatever their mix; NBSP and BOM kept", () => {
		const m = parse(request("Subject:x\r\nX-A:   spaced  \t\r\nX-B:\t\ttabbed\t \r\nX-C: \u00a0nbsp\u00a0\r\nX-D:\r\nX-E: \r\nX-F: \ufeffbom\r\nContent-Length: 5"));
		assert.equal(m.header("subject"), "x");
		assert.equal(m.header("x-a"), "spaced");
		assert.equal(m.header("x-b"), "tabbed");
		assert.equal(m.header("x-c"), "\u00a0nbsp\u00a0");
		assert.equal(m.header("x-d"), "");
		assert.equal(m.header("x-e"), "");
		assert.equal(m.header("x-f"), "\ufeffbom");
	});

	test("a header line ending in LF without CR, and a value of one character", () => {
		const text = "OPTIONS sip:620@h SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKlf\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\nCall-ID: c\nCSeq: 1 OPTIONS\nMax-Forwards: 7\nContent-Length: 0\n\n";
		const m = parse(text);
		assert.equal(m.header("call-id"), "c");
		assert.equal(m.header("max-forwards"), "7");
		assert.equal(inspect(m).callId, "c");
	});

	test("Content-Length: digits only, leading zeros allowed; signs, fractions, exponents, hex and blanks refused", () => {
		assert.equal(parse(request("Content-Length: 5")).body, "v=0\r\n");
		assert.equal(parse(request("Content-Length: 005")).body, "v=0\r\n");
		assert.equal(parse(request("l: 3")).body, "v=0");
		assert.equal(parse(request("Content-Length: 0")).body, "");
		for (const bad of ["+5", "-0", "5.0", "5.", "0x5", "5e0", "Infinity", "NaN", "", "5 5", "1234567890"]) {
			const error = refusal(request(`Content-Length: ${bad}`));
			assert.match(error.message, /invalid Content-Length/, bad);
		}
	});

	test("Content-Length repeated: equal values accepted (also in another spelling), different ones refused", () => {
		assert.equal(parse(request("Content-Length: 5\r\nl: 05")).body, "v=0\r\n");
		assert.match(refusal(request("Content-Length: 5\r\nCONTENT-LENGTH: 4")).message, /conflicting/);
		assert.match(refusal(request("Content-Length: 5\r\ncontent-length: x")).message, /invalid Content-Length/);
	});

	test("header names in any case and compact forms find the same lines", () => {
		const m = parse(request("CONTENT-TYPE: application/sdp\r\ncOnTeNt-LeNgTh: 5"));
		assert.equal(m.header("content-type"), "application/sdp");
		assert.equal(m.header("content-length"), "5");
		const c = parse(request("c: text/plain\r\nl: 5"));
		assert.equal(c.header("content-type"), "text/plain");
		assert.equal(c.body, "v=0\r\n");
	});

	test("multiple Via values in one header and across headers, in order", () => {
		const m = parse(request("Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2, SIP/2.0/TCP 10.0.0.3:5070;branch=z9hG4bK3\r\nv: SIP/2.0/UDP 10.0.0.4;branch=z9hG4bK4\r\nContent-Length: 5"));
		assert.deepEqual(m.values("via").map((v) => parseVia(v)?.branch), ["z9hG4bKfast", "z9hG4bK2", "z9hG4bK3", "z9hG4bK4"]);
		assert.equal(parseVia(m.values("via")[2])?.port, 5070);
		assert.equal(parseVia(m.values("via")[2])?.transport, "TCP");
		assert.equal(inspect(m).via.branch, "z9hG4bKfast");
	});

	test("folded lines join with one space", () => {
		const m = parse(request("Subject: one\r\n two\r\n\tthree\r\nContent-Length: 5"));
		assert.equal(m.header("subject"), "one two three");
	});
});

group("header value fast paths", () => {
	test("Via: transport in any case, host and port, parameters with LWS, branch in any case and place", () => {
		const cases: Array<[string, { transport: string; host: string; port: number; branch: string } | undefined]> = [
			["SIP/2.0/UDP 192.168.178.1:5060;rport;branch=z9hG4bKa", { transport: "UDP", host: "192.168.178.1", port: 5060, branch: "z9hG4bKa" }],
			["SIP/2.0/udp host.example;BRANCH=z9hG4bKb", { transport: "UDP", host: "host.example", port: 0, branch: "z9hG4bKb" }],
			["SIP/2.0/UDP h ; branch = z9hG4bKc ; rport", { transport: "UDP", host: "h", port: 0, branch: "z9hG4bKc" }],
			["SIP/2.0/UDP h;received=1.2.3.4;branch=z9hG4bKd;branch=second", { transport: "UDP", host: "h", port: 0, branch: "z9hG4bKd" }],
			["SIP/2.0/UDP h;rport", { transport: "UDP", host: "h", port: 0, branch: "" }],
			["SIP/2.0/UDP h;branch", { transport: "UDP", host: "h", port: 0, branch: "" }],
			["SIP / 2.0 / UDP h:5060;branch=z9hG4bKe", { transport: "UDP", host: "h", port: 5060, branch: "z9hG4bKe" }],
			["SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKf", { transport: "UDP", host: "[2001:db8::1]", port: 5060, branch: "z9hG4bKf" }],
			["SIP/2.0/UDP h:70000;branch=z9hG4bKg", undefined],
			["SIP/2.0/UDP h:50x;branch=z9hG4bKg", undefined],
			["SIP/2.0/UDP h;branch=", undefined],
			["SIP/2.0/UDP h;bra nch=x", undefined],
			["SIP/2.0/UDP h;branch=a b", undefined],
			["SIP/2.0/UDP h;=x", undefined],
			["SIP/2.0/U@P h;branch=x", undefined],
			["SIP/2.0/UDP h_x;branch=x", undefined],
		];
		for (const [value, expected] of cases) {
			const via = parseVia(value);
			if (!expected) {
				assert.equal(via, undefined, value);
				continue;
			}
			assert.ok(via, value);
			assert.equal(via!.transport, expected.transport, value);
			assert.equal(via!.host, expected.host, value);
			assert.equal(via!.port, expected.port, value);
			assert.equal(via!.branch, expected.branch, value);
		}
	});

	test("parameters well-formed: tokens, values, LWS around ';' and '=', quoted values", () => {
		for (const good of ["", "  ", ";a", ";a=b", " ;tag=5B7C19E2A04D3F81", "; a = b ;c", ";lr;maddr=1.2.3.4;x=[::1]", ";a=\"q v\"", ";a=\"\\\"\";b"]) {
			assert.equal(paramsWellFormed(good), true, JSON.stringify(good));
		}
		for (const bad of ["a=b", ";", ";a;", ";a=", ";=b", ";a b", ";a=b c", ";a=b=c", ";a=<b>", ";a,b", ";\u00e4=1"]) {
			assert.equal(paramsWellFormed(bad), false, JSON.stringify(bad));
		}
	});

	test("Call-ID: printable ASCII of any kind accepted, empty, spaces, controls and other characters refused", () => {
		const call = (id: string) => crlf(`OPTIONS sip:620@h SIP/2.0
Via: SIP/2.0/UDP h;branch=z9hG4bKcid
From: <sip:a@h>;tag=1
To: <sip:b@h>
Call-ID: ${id}
CSeq: 1 OPTIONS
Content-Length: 0

`);
		for (const good of ["3F8A6C21D9E4B705@192.168.178.1", "a<b>%{}|^`[]\\\"", "x"]) {
			assert.equal(inspect(parse(call(good))).callId, good);
		}
		for (const bad of ["", "a\u0001b", "K\u00fcche", "a\u007fb"]) {
			assert.match(refusal(call(bad)).message, /malformed Call-ID/, JSON.stringify(bad));
		}
	});

	test("CSeq: the usual form and every other the RFC allows, limits kept", () => {
		const ok: Array<[string, number, string]> = [
			["102 INVITE", 102, "INVITE"], ["0 ACK", 0, "ACK"], ["0102 INVITE", 102, "INVITE"], ["1  BYE", 1, "BYE"],
			["1\tOPTIONS", 1, "OPTIONS"], [" 7 REGISTER ", 7, "REGISTER"], ["5 FOO-bar", 5, "FOO-bar"], ["2147483647 INFO", 2147483647, "INFO"],
			["12 invite", 12, "invite"],
		];
		for (const [value, seq, method] of ok) {
			const c = parseCSeq(value);
			assert.equal(c?.seq, seq, value);
			assert.equal(c?.method, method, value);
		}
		for (const bad of ["2147483648 INVITE", "12345678901 INVITE", "-1 INVITE", "1.5 INVITE", "1e2 INVITE", "+1 INVITE", "1 INVITE x", "1 IN<VITE", "INVITE", "1", " INVITE", ""]) {
			assert.equal(parseCSeq(bad), undefined, bad);
		}
	});

	test("name-addr: quoted display names with escapes, tokens, bare URIs, tags", () => {
		const a = parseNameAddr('"K\\"che" <sip:611@fritz.box>;tag=5B');
		assert.equal(a?.display, 'K"che');
		assert.equal(a?.uri, "sip:611@fritz.box");
		assert.equal(param(a!.params, "tag"), "5B");
		const b = parseNameAddr("Door Bell <sip:620@fritz.box> ;tag=x");
		assert.equal(b?.display, "Door Bell");
		assert.equal(param(b!.params, "tag"), "x");
		const c = parseNameAddr("sip:620@fritz.box;tag=y");
		assert.equal(c?.uri, "sip:620@fritz.box");
		assert.equal(param(c!.params, "TAG".toLowerCase()), "y");
		assert.equal(parseNameAddr("<sip:620@fritz.box"), undefined);
		assert.equal(parseNameAddr('"open <sip:620@fritz.box>'), undefined);
		assert.equal(parseNameAddr("<sip:620@fritz.box>x"), undefined);
	});
});
