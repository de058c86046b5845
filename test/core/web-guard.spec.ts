/*
 * The web guard's Host check and the authority it reads from Origin and Referer, by character
 * scans (web/guard.ts) against the RegExps they replace (test/lib/guard-regexps.ts), over
 * generated values: names, addresses, ports, dots, case, blanks and characters out of place.
 */

import { test, group, assert } from "../lib/spec.js";
import { crossOriginProblem, isLocalHost } from "../../web/guard.js";
import * as ref from "../lib/guard-regexps.js";
import { generator } from "../lib/generator.js";
import type { HttpRequest } from "../../modules/ports.js";

const show = (s: string) => JSON.stringify(s);

const HOST_PIECES = [
	"klingel", "KLINGEL", "localhost", "fritz", ".box", "fritz.box", ".fritz.box", ".local", ".lan", ".home.arpa", ".home", ".arpa", ".com",
	"192", "168", "178", "1", "0", "1234", "192.168.", "178.1", "1.2.3.4", "10.0.", "0.1", "999.", ".", ".", "..", "-", "a-", "-a", "x", "é", "\u212a", "_",
	"[", "]", "::", ":", "fe80", "[::1]", "[FE80::1]", ":80", ":8080", ":65535", ":123456", ":", " ", "\t", "\u00a0", "/", "?", "#", "@",
];

function hostValue(g: ReturnType<typeof generator>): string {
	let out = "";
	for (let k = g.pick([1, 2, 3, 4, 5, 6, 7]); k > 0; k--) out += g.pick(HOST_PIECES);
	return out;
}

group("web guard by character scans", () => {
	test("isLocalHost is what the RegExps said for every generated Host", () => {
		const g = generator(47);
		let local = 0, ipv4 = 0, ipv6 = 0;
		for (let n = 0; n < 6000; n++) {
			const host = hostValue(g);
			const expected = ref.isLocalHost(host);
			if (expected) local++;
			if (expected && /^\d{1,3}(\.\d{1,3}){3}(:|$)/.test(host.trim())) ipv4++;
			if (expected && host.trim().startsWith("[")) ipv6++;
			assert.equal(isLocalHost(host), expected, `isLocalHost(${show(host)})`);
		}
		assert.ok(local > 500, `only ${local} local hosts generated`);
		assert.ok(ipv4 > 10 && ipv6 > 10, `only ${ipv4} IPv4 and ${ipv6} IPv6 local hosts generated`);
	});

	test("hosts at the edges of each rule", () => {
		for (const host of ["192.168.178.1", "1.2.3.4:80", "1.2.3", "1.2.3.4.5", "1234.1.1.1", "[::1]", "[::1]:8080", "[]", "[::g]", "klingel.", "klingel..", ".klingel", "a-b.fritz.box", "a-.fritz.box", "fritz.box:65535", "fritz.box:123456", "example.com", "x.home.arpa", "k\u212alingel"]) {
			assert.equal(isLocalHost(host), ref.isLocalHost(host), `isLocalHost(${show(host)})`);
		}
	});

	test("Origin and Referer: the same verdict as with the RegExp's authority, for every generated URL", () => {
		const g = generator(53);
		const SCHEMES = ["http://", "https://", "HTTP://", "HttpS://", "http:/", "https:", "ftp://", "httpx://", "http://", ""];
		const TAILS = ["", "/", "/sip", "?x=1", "#a", "/a?b#c", "@", " "];
		let same = 0;
		for (let n = 0; n < 4000; n++) {
			const host = g.pick(["klingel", "klingel:8080", "KLINGEL", "fritz.box", "evil.example"]);
			const url = g.pick(SCHEMES) + hostValue(g).trim() + g.pick(TAILS);
			const viaOrigin: HttpRequest = { method: "POST", path: "/x", query: {}, body: "", headers: { host, origin: url } };
			const viaReferer: HttpRequest = { method: "POST", path: "/x", query: {}, body: "", headers: { host, referer: url } };
			assert.equal(crossOriginProblem(viaOrigin), ref.crossOriginProblem(viaOrigin), `Origin ${show(url)} for Host ${show(host)}`);
			assert.equal(crossOriginProblem(viaReferer), ref.crossOriginProblem(viaReferer), `Referer ${show(url)} for Host ${show(host)}`);
			if (ref.authority(url) !== undefined) same++;
		}
		assert.ok(same > 1500, `only ${same} URLs with an authority generated`);
		for (const url of ["http://klingel", "HTTPS://KLINGEL/x", "http:///x", "https://", "http://a?b", "http://a#b"]) {
			const request: HttpRequest = { method: "POST", path: "/x", query: {}, body: "", headers: { host: "klingel", origin: url } };
			assert.equal(crossOriginProblem(request), ref.crossOriginProblem(request), `Origin ${show(url)}`);
		}
	});
});
