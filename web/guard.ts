/*
 * Request checks before any route runs: the Host must be a local name or an address (a page of
 * another site that rebinds its DNS name to the doorbell is refused), and a state-changing
 * request must come from the doorbell's own page (Origin, else Referer, equal to the Host;
 * Sec-Fetch-Site not cross-site). Clients that send neither header are not browsers and so
 * cannot be made to send a forged request; they still need the session's CSRF token.
 */

import type { HttpRequest } from "../modules/ports.js";
import { header } from "./http.js";

/**
 * The names a home network gives a device, under which the page is served: an IPv4 or
 * bracketed IPv6 address, a single label (`klingel`, `localhost`), `fritz.box` and its
 * subdomains, and names under `.local` (mDNS), `.lan` and `.home.arpa` (RFC 8375), each with an
 * optional port and one trailing dot. Nothing else: other names under public top-level domains
 * (`.box` is one) can be rebound by whoever owns them, and `.home`, `.internal` and
 * `.localhost` names are not what a FRITZ!Box network hands out.
 */
const LOCAL_SUFFIXES = Object.freeze([".fritz.box", ".local", ".lan", ".home.arpa"]);
const IPV4 = (): RegExp => /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6_LITERAL = (): RegExp => /^\[[0-9a-f:.]+\]$/;
const LABELS = (): RegExp => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const PORT = (): RegExp => /:\d{1,5}$/;

export function isLocalHost(hostHeader: string): boolean {
	let host = hostHeader.trim().toLowerCase().replace(PORT(), "");
	if (IPV4().test(host) || IPV6_LITERAL().test(host)) return true;
	if (host.endsWith(".")) host = host.slice(0, -1);
	if (!LABELS().test(host)) return false;
	if (host.indexOf(".") < 0 || host === "fritz.box") return true;
	for (const suffix of LOCAL_SUFFIXES) if (host.endsWith(suffix)) return true;
	return false;
}

function authority(url: string): string | undefined {
	const m = /^https?:\/\/([^/?#]+)/i.exec(url);
	return m ? m[1].toLowerCase() : undefined;
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
