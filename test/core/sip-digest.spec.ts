/*
 * Digest challenges read their quoted strings with the header parser's reader (readQuoted): the
 * same challenge as with the loop digest.ts had of its own (test/lib/digest-before.ts), over
 * generated values with escapes, unclosed quotes and a backslash at the end. And the answers:
 * MD5, SHA-256 and their -sess variants, qop auth and auth-int, the topmost of several
 * challenges, and the error when none can be answered.
 */

import { test, group, assert } from "../lib/spec.js";
import { DigestAuthenticator, parseChallenge, unanswerable } from "../../sip/digest.js";
import { parseChallengeBefore } from "../lib/digest-before.js";
import { generator } from "../lib/generator.js";
import { UaHarness } from "../lib/ua-harness.js";
import { md5 } from "../lib/md5.js";
import { sha256 } from "../lib/sha256.js";
import type { SipMessage } from "../../sip/message.js";

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

/** A parameter of a credentials value, without its quotes. */
function field(value: string, name: string): string | undefined {
	const m = new RegExp(`(?:^Digest |, )${name}=(?:"([^"]*)"|([^,]*))`).exec(value);
	return m ? m[1] ?? m[2] : undefined;
}

/** The UA's REGISTER answered with 401 and `challenges` (WWW-Authenticate lines, in order); what it sent then. */
function challenged(challenges: string[]): { h: UaHarness; sent: SipMessage[] } {
	const h = new UaHarness();
	h.ua.start();
	h.answer(h.one(), 401, "Unauthorized", { toTag: "x", headers: challenges.map((c) => `WWW-Authenticate: ${c}`) });
	return { h, sent: h.sent() };
}

/** The response credentials for `method` with `body` must carry, worked out here from RFC 7616 §3.4 with qop. */
function expected(hash: (text: string) => string, auth: string, sess: boolean, method = "REGISTER", body = ""): string {
	const nonce = field(auth, "nonce")!, nc = field(auth, "nc")!, cnonce = field(auth, "cnonce")!, qop = field(auth, "qop")!;
	let ha1 = hash("620:fritz.box:geheim");
	if (sess) ha1 = hash(`${ha1}:${nonce}:${cnonce}`);
	const a2 = `${method}:${field(auth, "uri")}${qop === "auth-int" ? `:${hash(body)}` : ""}`;
	return hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${hash(a2)}`);
}

/** RFC 7616 §3.9.1's example, as a challenge naming `algorithm` and `qop`, and the request it answers. */
const EXAMPLE_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", EXAMPLE_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
const EXAMPLE_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
const example = (algorithm: string, qop: string) => parseChallenge(`Digest realm="http-auth@example.org", qop="${qop}", algorithm=${algorithm}, nonce="${EXAMPLE_NONCE}", opaque="${EXAMPLE_OPAQUE}"`, false)!;
const MUFASA = { username: "Mufasa", password: "Circle of Life", method: "GET", uri: "/dir/index.html" };

/** The response parameter of credentials made for the example with the cnonce given. */
function exampleResponse(algorithm: string, qop: string, body?: string): string {
	return field(new DigestAuthenticator(md5, sha256, () => {}).authorize(example(algorithm, qop), { ...MUFASA, body }, EXAMPLE_CNONCE), "response")!;
}

group("digest algorithms and qop", () => {
	test("RFC 7616's example: MD5 and SHA-256 give its responses; the MD5 credentials are as before, byte for byte", () => {
		const auth = new DigestAuthenticator(md5, sha256, () => {});
		assert.equal(auth.authorize(example("MD5", "auth, auth-int"), MUFASA, EXAMPLE_CNONCE),
			`Digest username="Mufasa", realm="http-auth@example.org", nonce="${EXAMPLE_NONCE}", uri="/dir/index.html", response="8ca523f5e9506fed4657c9700eebdbec", algorithm=MD5, qop=auth, nc=00000001, cnonce="${EXAMPLE_CNONCE}", opaque="${EXAMPLE_OPAQUE}"`);
		assert.equal(auth.authorize(parseChallenge('Digest realm="fritz.box", nonce="n1"', true)!, { username: "620", password: "geheim", method: "REGISTER", uri: "sip:fritz.box" }),
			'Digest username="620", realm="fritz.box", nonce="n1", uri="sip:fritz.box", response="2b0a8b51062d2184aacd0f800b3c526c"', "RFC 2069 without qop");
		assert.equal(exampleResponse("SHA-256", "auth, auth-int"), "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	});

	test("-sess and auth-int: the session key and the body's hash go in (values from Python's hashlib)", () => {
		assert.equal(exampleResponse("SHA-256-sess", "auth"), "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7");
		assert.equal(exampleResponse("MD5-sess", "auth-int", "v=0\r\n"), "4321e8772738f242cc32334079264d8c");
		assert.equal(exampleResponse("sha-256", "auth-int"), "8bdf6f15638e260831e905028de5450562816d093c9bfc5c13d3a46adcdde940", "the name in any case, an empty body");
		assert.equal(unanswerable(example("SHA-512-256", "auth")), "algorithm SHA-512-256 is not supported");
	});

	test("a -sess session key is made once per nonce: the next request with that nonce has its cnonce and the next nc", () => {
		let draws = 0;
		const auth = new DigestAuthenticator(md5, sha256, (bytes) => bytes.fill(++draws));
		const first = auth.authorize(example("MD5-sess", "auth"), MUFASA), second = auth.authorize(example("MD5-sess", "auth"), MUFASA);
		assert.equal(field(second, "cnonce"), field(first, "cnonce"));
		assert.deepEqual([field(first, "nc"), field(second, "nc")], ["00000001", "00000002"]);
		const plain = auth.authorize(example("MD5", "auth"), MUFASA);
		assert.notEqual(field(plain, "cnonce"), field(first, "cnonce"), "MD5 draws a cnonce for each request");
	});

	test("a challenge of SHA-256, MD5-sess or SHA-256-sess alone is answered with it (algorithm as challenged, qop auth), and the door registers", () => {
		for (const [algorithm, hash, sess] of [["SHA-256", sha256, false], ["MD5-sess", md5, true], ["SHA-256-sess", sha256, true]] as const) {
			const { h, sent } = challenged([`Digest realm="fritz.box", nonce="n1", algorithm=${algorithm}, qop="auth"`]);
			assert.equal(sent.length, 1, `${algorithm}: an authenticated REGISTER`);
			const auth = sent[0].header("authorization")!;
			assert.equal(field(auth, "algorithm"), algorithm);
			assert.equal(field(auth, "qop"), "auth");
			assert.equal(field(auth, "response"), expected(hash, auth, sess), algorithm);
			h.answer(sent[0], 200, "OK", { toTag: "x", headers: ["Contact: <sip:620@192.168.178.30:5062>;expires=120"] });
			assert.equal(h.ua.registration.state, "registered", algorithm);
		}
	});

	test("qop auth-int alone: qop, nc and cnonce are sent, and the response covers the hash of the empty body", () => {
		const { sent } = challenged(['Digest realm="fritz.box", nonce="n1", qop="auth-int"']);
		const auth = sent[0].header("authorization")!;
		assert.equal(field(auth, "qop"), "auth-int");
		assert.equal(field(auth, "nc"), "00000001");
		assert.match(field(auth, "cnonce") ?? "", /^[0-9a-f]{16}$/);
		assert.equal(field(auth, "response"), expected(md5, auth, false));
	});

	test("an INVITE challenged with qop auth-int alone covers its SDP offer", () => {
		const h = new UaHarness();
		h.register();
		h.ua.ring();
		const invite = h.one();
		h.answer(invite, 407, "Proxy Authentication Required", { toTag: "p1", headers: ['Proxy-Authenticate: Digest realm="fritz.box", nonce="n2", qop="auth-int"'] });
		const retry = h.sent().find((m) => m.method === "INVITE")!;
		assert.equal(retry.body, invite.body);
		const auth = retry.header("proxy-authorization")!;
		assert.equal(field(auth, "qop"), "auth-int");
		assert.equal(field(auth, "response"), expected(md5, auth, false, "INVITE", retry.body));
	});

	test("several challenges: the topmost the door supports is answered (RFC 8760 §2.4)", () => {
		const sha512 = 'Digest realm="fritz.box", nonce="a", algorithm=SHA-512-256, qop="auth"';
		const sha = 'Digest realm="fritz.box", nonce="b", algorithm=SHA-256, qop="auth"';
		const md = 'Digest realm="fritz.box", nonce="c", algorithm=MD5, qop="auth"';
		assert.equal(field(challenged([sha512, sha, md]).sent[0].header("authorization")!, "algorithm"), "SHA-256");
		assert.equal(field(challenged([sha512, md, sha]).sent[0].header("authorization")!, "algorithm"), "MD5");
	});

	test("no challenge the door can answer: nothing is sent and the error names what is not supported, not the password", () => {
		for (const [challenge, words] of [
			['Digest realm="fritz.box", nonce="n1", algorithm=SHA-512-256, qop="auth"', /algorithm SHA-512-256 is not supported/],
			['Digest realm="fritz.box", nonce="n1", qop="auth-conf"', /qop auth-conf is not supported/],
			['Digest realm="fritz.box", nonce="n1", algorithm=MD5-sess', /algorithm MD5-sess needs qop/],
		] as const) {
			const { h, sent } = challenged([challenge]);
			assert.equal(sent.length, 0, challenge);
			assert.equal(h.ua.registration.state, "failed");
			assert.match(h.ua.lastError, words);
			assert.match(h.ua.lastError, /^the registrar answered 401 Unauthorized/);
		}
		const h = new UaHarness();
		h.register();
		h.ua.ring();
		h.answer(h.one(), 407, "Proxy Authentication Required", { toTag: "p1", headers: ['Proxy-Authenticate: Digest realm="fritz.box", nonce="n2", algorithm=SHA-512-256, qop="auth"'] });
		assert.deepEqual(h.sent().map((m) => m.method), ["ACK"], "no INVITE with credentials");
		assert.equal(h.ua.lastError, "the PBX refused the call to **610: 407 Proxy Authentication Required with no challenge the door can answer (algorithm SHA-512-256 is not supported)");
	});
});
