import { test, group, assert } from "../lib/spec.js";
import { latin1Bytes, crlf } from "../lib/bytes.js";
import { parseSip, SipParseError, splitList } from "../../sip/message.js";
import { inspect } from "../../sip/validate.js";
import { parseNameAddr, parseVia, parseCSeq, param, parseSipUri } from "../../sip/header-values.js";
import { buildResponse } from "../../sip/serializer.js";
import { encodeUtf8, decodeUtf8 } from "../../modules/text.js";
import { messages } from "../fixtures/rfc4475-data.js";

const INVITE = crlf(`INVITE sip:620@192.168.178.30:5062 SIP/2.0
Via: SIP/2.0/UDP 192.168.178.1:5060;branch=z9hG4bK1C0C4B1D4E5F6A7B;rport
v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKsecond
Max-Forwards: 70
f: "Küche" <sip:611@fritz.box>;tag=8A1B2C3D4E5F
To: <sip:620@fritz.box>
i: 7E5C1F2A3B4C5D6E@192.168.178.1
CSeq: 4711 INVITE
Contact: <sip:611@192.168.178.1:5060>, "Second" <sip:x@h;lr>
Allow: INVITE, ACK, CANCEL,
 BYE, OPTIONS
Subject: folded
\tvalue
Content-Type: application/sdp
l: 10

v=0
x=12345678`);

function parse(text: string) {
	return parseSip(encodeUtf8(text));
}

function rejects(text: string | Uint8Array, pattern: RegExp, status = 400): SipParseError {
	try {
		inspect(parseSip(typeof text === "string" ? encodeUtf8(text) : text));
	} catch (error) {
		assert.ok(error instanceof SipParseError, `expected SipParseError, got ${error}`);
		assert.match(error.message, pattern);
		assert.equal(error.status, status);
		return error;
	}
	throw new Error(`expected ${pattern} to be rejected`);
}

group("parser", () => {
	test("start line, compact and case-insensitive names, lists, folding", () => {
		const m = parse(INVITE);
		assert.equal(m.method, "INVITE");
		assert.equal(m.uri, "sip:620@192.168.178.30:5062");
		assert.equal(m.isRequest, true);
		assert.equal(m.header("call-id"), "7E5C1F2A3B4C5D6E@192.168.178.1");
		assert.equal(m.header("from"), '"Küche" <sip:611@fritz.box>;tag=8A1B2C3D4E5F');
		assert.equal(m.count("via"), 2);
		assert.deepEqual(m.values("via").map((v) => parseVia(v)!.branch), ["z9hG4bK1C0C4B1D4E5F6A7B", "z9hG4bKsecond"]);
		assert.deepEqual(m.values("allow"), ["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS"]);
		assert.equal(m.values("contact").length, 2);
		assert.equal(m.header("subject"), "folded value");
		assert.equal(m.header("nope"), undefined);
	});

	test("Content-Length frames the body and drops trailing octets", () => {
		const m = parse(INVITE);
		assert.equal(m.body, "v=0\r\nx=123");
		assert.equal(m.bodyBytes.length, 10);
	});

	test("a body shorter than Content-Length is refused", () => {
		rejects(INVITE.replace("l: 10", "l: 500"), /longer than/);
	});

	test("negative, non-numeric and conflicting Content-Length are refused", () => {
		rejects(INVITE.replace("l: 10", "l: -1"), /invalid Content-Length/);
		rejects(INVITE.replace("l: 10", "l: ten"), /invalid Content-Length/);
		rejects(INVITE.replace("l: 10", "l: 10\r\nContent-Length: 11"), /conflicting/);
	});

	test("essentials: tags, CSeq, top Via", () => {
		const e = inspect(parse(INVITE));
		assert.equal(e.fromTag, "8A1B2C3D4E5F");
		assert.equal(e.toTag, "");
		assert.deepEqual(e.cseq, { seq: 4711, method: "INVITE" });
		assert.equal(e.via.host, "192.168.178.1");
		assert.equal(e.via.port, 5060);
		assert.equal(e.from.display, "Küche");
	});

	test("responses: status line, empty and UTF-8 reason", () => {
		const m = parse(crlf("SIP/2.0 401 Unauthorized\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKa\nWWW-Authenticate: Digest realm=\"fritz.box\", nonce=\"5FCC4D494638D516\", qop=\"auth\"\nFrom: <sip:620@fritz.box>;tag=a\nTo: <sip:620@fritz.box>;tag=b\nCall-ID: x\nCSeq: 2 REGISTER\nContent-Length: 0\n\n"));
		assert.equal(m.status, 401);
		assert.equal(m.reason, "Unauthorized");
		assert.equal(m.header("www-authenticate"), 'Digest realm="fritz.box", nonce="5FCC4D494638D516", qop="auth"');
		assert.equal(parse(crlf("SIP/2.0 100 \nVia: SIP/2.0/UDP h;branch=z9hG4bKa\n\n")).reason, "");
	});

	test("malformed start lines and header lines are refused, never thrown as anything else", () => {
		rejects("HELLO\r\n\r\n", /start line/);
		rejects("INVITE sip:a@b SIP/2.0\r\nno colon here\r\n\r\n", /without a colon/);
		rejects("INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n", /invalid header name/);
		rejects("SIP/2.0 99999 no\r\nVia: SIP/2.0/UDP h\r\n\r\n", /start line/);
		rejects(crlf("OPTIONS sip:a@b SIP/3.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nFrom: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: c\nCSeq: 1 OPTIONS\n\n"), /version/, 505);
		const e = rejects(encodeUtf8("no empty line"), /no empty line/, 0);
		assert.equal(e.partial, undefined);
	});

	test("random bytes never escape as anything but SipParseError", () => {
		let seed = 12345;
		const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
		const base = encodeUtf8(INVITE);
		for (let n = 0; n < 300; n++) {
			const bytes = base.slice();
			for (let k = 0; k < 1 + Math.floor(rand() * 8); k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
			const cut = bytes.subarray(0, Math.floor(rand() * bytes.length) + 1);
			try {
				inspect(parseSip(cut));
			} catch (error) {
				assert.ok(error instanceof SipParseError, `${error}`);
			}
		}
	});
});

group("header values", () => {
	test("name-addr forms", () => {
		assert.deepEqual(parseNameAddr('"A \\"B\\"" <sip:a@b>;tag=1'), { display: 'A "B"', uri: "sip:a@b", params: ";tag=1" });
		assert.deepEqual(parseNameAddr("Bob <sip:b@c>"), { display: "Bob", uri: "sip:b@c", params: "" });
		assert.deepEqual(parseNameAddr("sip:b@c;tag=x"), { display: "", uri: "sip:b@c", params: ";tag=x" });
		assert.equal(parseNameAddr('"unterminated <sip:a@b>'), undefined);
		assert.equal(parseNameAddr("Bell, Alexander <sip:a@b>"), undefined);
		assert.equal(parseNameAddr("<sip:a b@c>"), undefined);
	});
	test("params with LWS and quotes", () => {
		assert.equal(param(" ;   tag    = 1918181833n", "tag"), "1918181833n");
		assert.equal(param(';lr;maddr="x;y";ttl=1', "ttl"), "1");
		assert.equal(param(";lr", "lr"), "");
		assert.equal(param(";lr", "tag"), undefined);
	});
	test("Via with LWS around slashes, IPv6, ports", () => {
		const v = parseVia("SIP  /   2.0  /UDP     192.0.2.2;branch=390skdjuw")!;
		assert.equal(v.transport, "UDP");
		assert.equal(v.branch, "390skdjuw");
		assert.equal(parseVia("SIP/2.0/UDP [2001:db8::9:1]:5062;rport")!.port, 5062);
		assert.equal(parseVia("SIP/2.0/UDP 1.2.3.4;;"), undefined);
		assert.equal(parseVia("SIP/2.0/UDP 1.2.3.4:99999"), undefined);
	});
	test("CSeq bounds", () => {
		assert.deepEqual(parseCSeq("0009\r\n  INVITE".replace(/\r\n/, " ")), { seq: 9, method: "INVITE" });
		assert.equal(parseCSeq("36893488147419103232 REGISTER"), undefined);
		assert.equal(parseCSeq("2147483648 INVITE"), undefined);
	});
	test("SIP URIs", () => {
		assert.deepEqual(parseSipUri("sip:**610@fritz.box"), { scheme: "sip", user: "**610", host: "fritz.box", port: 0, params: "", headers: "" });
		assert.equal(parseSipUri("sip:620@192.168.178.30:5062;transport=udp")!.port, 5062);
		assert.equal(parseSipUri("tel:+4930"), undefined);
	});
	test("list splitting honours quotes and brackets", () => {
		assert.deepEqual(splitList('"a,b" <sip:x@y;p=1,2>, <sip:z@w>'), ['"a,b" <sip:x@y;p=1,2>', "<sip:z@w>"]);
	});
});

group("serializer", () => {
	test("a response copies Via, From, To (+tag), Call-ID, CSeq and counts UTF-8 octets", () => {
		const m = parse(INVITE);
		const text = decodeUtf8(buildResponse(m, 200, "OK", { toTag: "abc", headers: ["Contact: <sip:620@1.2.3.4:5062>"], body: "v=0\r\ns=Tür\r\n" }));
		const r = parseSip(encodeUtf8(text));
		assert.equal(r.status, 200);
		assert.equal(r.count("via"), 2);
		assert.equal(r.header("to"), "<sip:620@fritz.box>;tag=abc");
		assert.equal(r.header("content-length"), "13");
		assert.equal(r.body, "v=0\r\ns=Tür\r\n");
		assert.equal(r.header("cseq"), "4711 INVITE");
	});
});

group("RFC 4475 torture messages", () => {
	test("all 49 are present", () => assert.equal(messages.length, 49));
	for (const t of messages) {
		test(`${t.name} (${t.validity}): ${t.title}`, () => {
			let error: unknown;
			try {
				inspect(parseSip(latin1Bytes(t.data)));
			} catch (e) {
				error = e;
			}
			if (error !== undefined) assert.ok(error instanceof SipParseError, `${t.name} threw ${error}`);
			if (t.validity === "valid") {
				assert.equal(error, undefined, `${t.name} must parse: ${error}`);
			} else if (t.liberal_ok !== "yes" || !["baddate", "badbranch"].includes(t.name)) {
				// Only the two messages whose fault is harmless to this UA are accepted.
				assert.ok(error, `${t.name} must be refused`);
				if (t.kind !== "response") {
					const status = String((error as SipParseError).status);
					assert.ok(t.expect.split("|").includes(status), `${t.name}: status ${status} not in ${t.expect}`);
				}
			}
		});
	}
});
