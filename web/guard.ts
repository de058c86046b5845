/*
 * Request checks before any route runs: the Host must be a local name or an address (a page of
 * another site that rebinds its DNS name to the doorbell is refused), and a state-changing
 * request must come from the doorbell's own page (Origin, else Referer, equal to the Host;
 * Sec-Fetch-Site not cross-site). Clients that send neither header are not browsers and so
 * cannot be made to send a forged request; they still need the session's CSRF token.
 */

import type { HttpRequest } from "../modules/ports.js";
import { header } from "./http.js";

/** Host names a home network gives a device, and any address. */
export function isLocalHost(hostHeader: string): boolean {
	const host = hostHeader.toLowerCase().replace(/:\d{1,5}$/, "");
	if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return true;
	if (/^\[[0-9a-f:.]+\]$/.test(hostHeader.toLowerCase().replace(/:\d{1,5}$/, ""))) return true;
	if (!/^[a-z0-9.-]+$/.test(host)) return false;
	if (host === "localhost" || host.indexOf(".") < 0) return true;
	return /\.(local|lan|home|home\.arpa|internal|box|localhost)$/.test(host);
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
