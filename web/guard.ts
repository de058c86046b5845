/*
 * Request checks before any route runs: the Host must be a local name or an address (a page of
 * another site that rebinds its DNS name to the doorbell is refused), and a state-changing
 * request must come from the doorbell's own page (Origin, else Referer, equal to the Host;
 * Sec-Fetch-Site not cross-site). Clients that send neither header are not browsers and so
 * cannot be made to send a forged request; they still need the session's CSRF token.
 */

import type { HttpRequest } from "../modules/ports.js";
import { header } from "./http.js";
import { isIpv4Text } from "../modules/ipv4-text.js";
import { equalsIgnoringCase, ipv6End, isDigits } from "../sip/scan.js";

/**
 * The names a home network gives a device, under which the page is served: an IPv4 or
 * bracketed IPv6 address, a single label (`klingel`, `localhost`), `fritz.box` and its
 * subdomains, and names under `.local` (mDNS), `.lan` and `.home.arpa` (RFC 8375), each with an
 * optional port and one trailing dot. Nothing else: other names under public top-level domains
 * (`.box` is one) can be rebound by whoever owns them, and `.home`, `.internal` and
 * `.localhost` names are not what a FRITZ!Box network hands out.
 */
const LOCAL_SUFFIXES = Object.freeze([".fritz.box", ".local", ".lan", ".home.arpa"]);
const DOT = ".", COLON = ":", FRITZ_BOX = "fritz.box", HTTP = "http", SCHEME_END = "://";

/** Whether s is `[`, then hex digits, ':' and '.' (lowercase), then `]`. */
function isIpv6Literal(s: string): boolean {
	const last = s.length - 1;
	return last >= 2 && s.charCodeAt(0) === 0x5b && s.charCodeAt(last) === 0x5d && ipv6End(s, 1, last) === last;
}

/** Whether c is a lowercase letter or a digit. */
function isLowerAlnum(c: number): boolean {
	return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

/** Whether s is labels of lowercase letters, digits and '-' (not first or last in a label) with one '.' between them. */
function isLabels(s: string): boolean {
	const n = s.length;
	for (let start = 0; start <= n;) {
		const dot = s.indexOf(DOT, start), end = dot < 0 ? n : dot;
		if (end === start || !isLowerAlnum(s.charCodeAt(start)) || !isLowerAlnum(s.charCodeAt(end - 1))) return false;
		for (let i = start + 1; i < end - 1; i++) {
			const c = s.charCodeAt(i);
			if (c !== 0x2d && !isLowerAlnum(c)) return false;
		}
		if (dot < 0) return true;
		start = dot + 1;
	}
	return false;
}

/** Whether hostHeader names the doorbell on the home network (see above). Character scans, no RegExp: this runs for every request. */
export function isLocalHost(hostHeader: string): boolean {
	let host = hostHeader.trim().toLowerCase();
	// A port: ':' and 1 to 5 digits at the end.
	const colon = host.lastIndexOf(COLON);
	if (colon >= 0 && isDigits(host, colon + 1, host.length, 5)) host = host.slice(0, colon);
	if (isIpv4Text(host) || isIpv6Literal(host)) return true;
	if (host.endsWith(DOT)) host = host.slice(0, -1);
	if (!isLabels(host)) return false;
	if (host.indexOf(DOT) < 0 || host === FRITZ_BOX) return true;
	for (const suffix of LOCAL_SUFFIXES) if (host.endsWith(suffix)) return true;
	return false;
}

/** The authority of an http: or https: URL (its scheme in any case), lowercase; undefined for any other. */
function authority(url: string): string | undefined {
	if (!equalsIgnoringCase(url, 0, 4, HTTP)) return undefined;
	const colon = (url.charCodeAt(4) | 0x20) === 0x73 ? 5 : 4;
	if (!url.startsWith(SCHEME_END, colon)) return undefined;
	const start = colon + 3;
	let end = start;
	for (; end < url.length; end++) {
		const c = url.charCodeAt(end);
		if (c === 0x2f || c === 0x3f || c === 0x23) break;
	}
	return end > start ? url.slice(start, end).toLowerCase() : undefined;
}

/** Why a state-changing request is refused as coming from elsewhere, or undefined. */
export function crossOriginProblem(request: HttpRequest): string | undefined {
	const host = header(request, "host").toLowerCase();
	if (!host) return "the request has no Host header";
	const site = header(request, "sec-fetch-site").toLowerCase();
	if (site === "cross-site" || site === "same-site") return "the request came from another site";
	const origin = header(request, "origin");
	if (origin) return authority(origin) === host ? undefined : "the request came from another origin";
	const referer = header(request, "referer");
	if (referer) return authority(referer) === host ? undefined : "the request came from another page";
	return undefined;
}
