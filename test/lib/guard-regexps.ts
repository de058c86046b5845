/*
 * The web guard's checks as RegExps, the form web/guard.ts had before its character scans: an
 * oracle the scans are compared with over generated Host, Origin and Referer values
 * (test/core/web-guard.spec.ts). Each RegExp is made inside the function that uses it, as then.
 */

import type { HttpRequest } from "../../modules/ports.js";
import { header } from "../../web/http.js";

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

export function authority(url: string): string | undefined {
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
