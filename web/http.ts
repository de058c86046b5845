/*
 * Small HTTP helpers for the portable routes: responses with the security headers, cookies,
 * and request bodies (URL-encoded forms or JSON objects) read within a size limit.
 */

import type { HttpRequest, HttpResponse } from "../modules/ports.js";
import { safeJson } from "./escape.js";
import { utf8Length } from "../modules/text.js";

/** The largest request body the routes accept (the host server has its own, larger limit). */
export const MAX_BODY = 4096;
/**
 * The most fields a form or JSON object may have: the settings form sends about 50 (a checkbox
 * is a hidden "0" and the box), so twice that leaves room to grow and still bounds the work.
 */
export const MAX_FIELDS = 96;

export class BadRequest extends Error {
	readonly status: number;
	constructor(status: number, message: string) {
		super(message);
		this.status = status;
	}
}

function baseHeaders(): Record<string, string> {
	return {
		"Cache-Control": "no-store",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY",
		"Referrer-Policy": "same-origin",
	};
}

/** An HTML page; `nonce` allows the page's one inline script. */
export function html(status: number, body: string, nonce: string, extra: Record<string, string> = {}): HttpResponse {
	return {
		status,
		headers: {
			...baseHeaders(),
			"Content-Type": "text/html; charset=utf-8",
			"Content-Security-Policy": `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
			...extra,
		},
		body,
	};
}

export function json(status: number, value: unknown, extra: Record<string, string> = {}): HttpResponse {
	return { status, headers: { ...baseHeaders(), "Content-Type": "application/json; charset=utf-8", "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'", ...extra }, body: safeJson(value, 1) };
}

export function redirect(location: string, extra: Record<string, string> = {}): HttpResponse {
	return { status: 303, headers: { ...baseHeaders(), Location: location, "Content-Type": "text/plain; charset=utf-8", ...extra }, body: "" };
}

export function header(request: HttpRequest, name: string): string {
	const headers = request.headers ?? {};
	const value = headers[name] ?? headers[name.toLowerCase()];
	if (value !== undefined) return value;
	const lower = name.toLowerCase();
	for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
	return "";
}

export function cookie(request: HttpRequest, name: string): string {
	for (const part of header(request, "cookie").split(";")) {
		const eq = part.indexOf("=");
		if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
	}
	return "";
}

export function isJson(request: HttpRequest): boolean {
	return /^application\/json\b/i.test(header(request, "content-type"));
}

/**
 * Whether the client wants JSON back: a JSON body, an Accept that puts JSON first, or the CSRF
 * token in the X-CSRF-Token header (a script's: a browser's form sends it as a field). One rule
 * for every answer of every route, errors included, so that a script never gets a page.
 */
export function wantsJson(request: HttpRequest): boolean {
	return isJson(request) || /^application\/json\b/i.test(header(request, "accept")) || header(request, "x-csrf-token") !== "";
}

function decode(part: string): string {
	try {
		return decodeURIComponent(part.replace(/\+/g, " "));
	} catch {
		throw new BadRequest(400, "the form data is not validly encoded");
	}
}

/**
 * The body's fields: a URL-encoded form (the last of repeated names wins, so a hidden "0"
 * before a checkbox gives unchecked boxes a value) or a JSON object of strings, numbers and
 * booleans. Throws BadRequest (413 too large, 400 malformed, 415 other types).
 */
export function readFields(request: HttpRequest): Record<string, unknown> {
	const body = typeof request.body === "string" ? request.body : "";
	if (utf8Length(body) > MAX_BODY) throw new BadRequest(413, `the request body is larger than ${MAX_BODY} bytes`);
	const fields: Record<string, unknown> = {};
	let count = 0;
	if (isJson(request)) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(body);
		} catch {
			throw new BadRequest(400, "the body is not valid JSON");
		}
		if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new BadRequest(400, "the body must be a JSON object");
		for (const key of Object.keys(parsed)) {
			const value = (parsed as Record<string, unknown>)[key];
			if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") throw new BadRequest(400, `field ${JSON.stringify(key.slice(0, 20))} must be a string, number or boolean`);
			if (++count > MAX_FIELDS) throw new BadRequest(400, "too many fields");
			if (key !== "__proto__") fields[key] = value;
		}
		return fields;
	}
	const type = header(request, "content-type");
	if (type !== "" && !/^application\/x-www-form-urlencoded\b/i.test(type)) throw new BadRequest(415, "send a form (application/x-www-form-urlencoded) or JSON");
	if (body === "") return fields;
	for (const part of body.split("&")) {
		if (part === "") continue;
		if (++count > MAX_FIELDS) throw new BadRequest(400, "too many fields");
		const eq = part.indexOf("=");
		const name = decode(eq < 0 ? part : part.slice(0, eq));
		if (name === "__proto__" || name === "constructor" || name === "prototype") continue;
		fields[name] = eq < 0 ? "" : decode(part.slice(eq + 1));
	}
	return fields;
}

export function hex(bytes: Uint8Array): string {
	let out = "";
	for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
	return out;
}

/** Compares two strings in time that depends only on their lengths. */
export function sameText(a: string, b: string): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return diff === 0;
}
