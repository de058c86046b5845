/*
 * Webhooks: every event POSTed as JSON to up to two `http://` URLs (the `hook` settings). Each
 * URL has its own queue of at most QUEUE_SIZE events (when full, the oldest is dropped and
 * counted) and one request at a time, with a timeout and retries with back-off. Posting starts
 * from a timer of its own, never on the path of a ring or of the relay.
 *
 * A URL's user and password (http://user:password@host/…) go out as Basic authorization; they
 * never appear in a log line, an event or the status (only host, port and path do, the query,
 * which may carry a token, as ***).
 */

import type { Clock, HttpPost, Logger, TimerId } from "../modules/ports.js";
import { percentEncode } from "../modules/text.js";

export const MAX_HOOKS = 2;
export const QUEUE_SIZE = 8;
export const TIMEOUT_MS = 5000;
/** Waits before the 2nd and 3rd attempt; then the event is given up. */
export const RETRY_MS: readonly number[] = Object.freeze([2000, 8000]);

export interface HookUrl {
	host: string;
	port: number;
	path: string;
	/** "user:password" from the URL, or "". */
	userinfo: string;
}

/** Parses an `http://` URL, its path percent-encoded (encodeHookUrl); throws an Error in words (never repeating the URL's password). */
export function parseHookUrl(text: string): HookUrl {
	return parse(text).url;
}

/**
 * The URL as it is stored: its path and query with every character beyond printable ASCII
 * percent-encoded as UTF-8 (percentEncode), the rest as given. A URL copied from a browser's
 * address bar may show `/api/webhook/дверь`, which the browser sends encoded; node:http refuses
 * such a path and the SDK's Request would send it raw. Throws as parseHookUrl.
 */
export function encodeHookUrl(text: string): string {
	const { rawPath, encodedPath } = parse(text);
	// The scheme as the SDK's Request and the page expect it (a phone may have written "Http").
	const url = "http" + text.slice(4);
	return rawPath === undefined ? url : url.slice(0, url.length - rawPath.length) + encodedPath;
}

function encodePath(path: string): string {
	try {
		return percentEncode(path);
	} catch {
		throw new Error("has a character that is not text (half of a surrogate pair)");
	}
}

/** The URL parsed; the path and query as written (undefined when none) and percent-encoded. */
function parse(text: string): { url: HookUrl; rawPath: string | undefined; encodedPath: string } {
	// The scheme in any case (RFC 3986 §3.1): a phone's keyboard capitalises the first letter.
	const m = /^http:\/\/(?:([^@/?#\s]*)@)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?([/?][^\s#]*)?$/i.exec(text);
	if (!m) {
		if (/^https:/i.test(text)) throw new Error("must start with http:// (the doorbell cannot make https connections)");
		throw new Error("must be an http:// URL such as http://192.168.178.20:8123/api/webhook/klingel");
	}
	const port = m[3] === undefined ? 80 : Number(m[3]);
	if (port < 1 || port > 65535) throw new Error("has a port outside 1–65535");
	if (m[2].startsWith("[")) throw new Error("must name an IPv4 address or a host name");
	let userinfo = m[1] ?? "";
	if (userinfo) {
		try {
			userinfo = decodeURIComponent(userinfo);
		} catch {
			throw new Error("has a user or password that does not decode");
		}
	}
	const encodedPath = encodePath(m[4] ?? "/");
	const path = encodedPath[0] === "?" ? "/" + encodedPath : encodedPath;
	return { url: { host: m[2], port, path, userinfo }, rawPath: m[4], encodedPath };
}

/** What the page shows in place of a URL's password. */
const HIDDEN = "***";

/**
 * The URL as the page shows it: the password replaced by HIDDEN (where it has a user part, see
 * splitUser). A stored URL that fails its check shows so too: a space, a "/" or an "@" in its
 * password would otherwise show the password whole or in part.
 */
export function redactUrl(text: string): string {
	const { scheme, user, rest } = splitUser(text);
	if (user === undefined) return text;
	const colon = user.indexOf(":");
	return `${scheme}${colon >= 0 ? `${user.slice(0, colon)}:${HIDDEN}` : user}@${rest}`;
}

/**
 * A URL as a log line or message shows it, one that fails its check too: the scheme, host, port
 * and path, without the user and password (splitUser) and without the query, which may carry a
 * token.
 */
export function loggedUrl(text: string): string {
	const { scheme, rest } = splitUser(text);
	return scheme + withoutQuery(rest);
}

/**
 * A URL as its scheme ("" for none), its user part (user or user:password; undefined for none)
 * and the rest after the "@". In a URL that parse() takes, the first "@" ends the user part, as
 * no user part holds one unencoded; in one it refuses, a space, a "/" or an "@" in the password
 * may come before the end, where no pattern finds it, and all before the last "@" counts (an "@"
 * in the path or query takes more along).
 */
function splitUser(text: string): { scheme: string; user: string | undefined; rest: string } {
	const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(text)?.[0] ?? "";
	const at = readable(text) ? text.slice(scheme.length).search(/[/?#@]/) + scheme.length : text.lastIndexOf("@");
	if (at < scheme.length || text[at] !== "@") return { scheme, user: undefined, rest: text.slice(scheme.length) };
	return { scheme, user: text.slice(scheme.length, at), rest: text.slice(at + 1) };
}

/** Whether parse() takes `text`. */
function readable(text: string): boolean {
	try {
		parse(text);
		return true;
	} catch {
		return false;
	}
}

/** A URL's host, port and path (no user or password before them) as loggedUrl shows them: the query, which may carry a token, and a fragment as `?***`. */
function withoutQuery(text: string): string {
	const query = text.search(/[?#]/);
	return query < 0 ? text : `${text.slice(0, query)}?${HIDDEN}`;
}

/**
 * A URL from the page with the stored URL's password put back where it shows HIDDEN; any other
 * URL comes back as it is. The password goes back only under the stored URL's scheme, user and
 * host (its port and path may change): a URL naming another host would be sent it unseen; and
 * only from a stored URL that parse() takes: the password of one it refuses may be what is
 * wrong with it (a space, a "/" or an "@" in it), which the page cannot show. Throws an Error in
 * words (never repeating either URL) when it cannot be put back.
 */
export function restorePassword(text: string, stored: string): string {
	const given = userPart(text);
	if (!given || given.password !== HIDDEN) return text;
	if (!readable(stored) && splitUser(stored).user !== undefined) throw new Error(`shows ${HIDDEN} for a password, but the stored URL is not valid: type the password (or the whole URL) again`);
	const old = userPart(stored);
	if (!old || old.password === undefined) throw new Error(`shows ${HIDDEN} for a password, but none is stored: type the password`);
	if (given.scheme !== old.scheme || given.user !== old.user || given.host !== old.host) {
		throw new Error(`names another user or host than the stored URL, whose password goes only there: type the password again in place of ${HIDDEN}`);
	}
	return text.slice(0, given.at) + old.password + text.slice(given.at + HIDDEN.length);
}

/** A URL's scheme and host (lower case), user, password (undefined when none) and where the password starts. */
function userPart(text: string): { scheme: string; user: string; password: string | undefined; at: number; host: string } | undefined {
	const m = /^(https?:\/\/)([^@/?#\s]*)@([^:/?#\s]*)/i.exec(text);
	if (!m) return undefined;
	const colon = m[2].indexOf(":");
	const scheme = m[1].toLowerCase(), host = m[3].toLowerCase();
	if (colon < 0) return { scheme, user: m[2], password: undefined, at: -1, host };
	return { scheme, user: m[2].slice(0, colon), password: m[2].slice(colon + 1), at: m[1].length + colon + 1, host };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 of a string's UTF-8 bytes (for Basic authorization). */
export function base64(text: string): string {
	const bytes: number[] = [];
	for (const ch of text) {
		const c = ch.codePointAt(0)!;
		if (c < 0x80) bytes.push(c);
		else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
		else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
		else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
	}
	let out = "";
	for (let i = 0; i < bytes.length; i += 3) {
		const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
		out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < bytes.length ? B64[n & 63] : "=");
	}
	return out;
}

/** Whether an answer with this status may be different next time (408, 429, 5xx). */
function retried(status: number): boolean {
	return status === 408 || status === 429 || (status >= 500 && status < 600);
}

/** A failed answer as the log and the status show it. */
function answerWords(status: number | undefined): string {
	return status !== undefined && status >= 300 && status < 400 ? `HTTP ${status} (a redirect, which the doorbell does not follow)` : `HTTP ${status}`;
}

interface Hook {
	url: HookUrl;
	/** host:port/path without the query (withoutQuery), for logs and the status. */
	shown: string;
	queue: string[];
	attempt: number;
	busy: boolean;
	timer: TimerId | undefined;
	/** Abandons the request in flight, its guard timer too. */
	abort: (() => void) | undefined;
	/** Dropped by stop() or new URLs: the end of its request and its timers change nothing. */
	stopped: boolean;
	sent: number;
	failed: number;
	dropped: number;
	lastError: string;
}

export interface WebhookOptions {
	post: HttpPost;
	clock: Clock;
	log: Logger;
	userAgent: string;
}

export class Webhooks {
	#o: WebhookOptions;
	#hooks: Hook[] = [];
	#stopped = false;

	constructor(options: WebhookOptions, urls: readonly string[] = []) {
		this.#o = options;
		this.urls = urls;
	}

	/** New URLs ("" for none): queues and requests of the old ones are dropped. */
	set urls(urls: readonly string[]) {
		for (const hook of this.#hooks) this.#stop(hook);
		this.#hooks = [];
		for (const text of urls.slice(0, MAX_HOOKS)) {
			if (!text) continue;
			try {
				const url = parseHookUrl(text);
				this.#hooks.push({ url, shown: withoutQuery(`${url.host}:${url.port}${url.path}`), queue: [], attempt: 0, busy: false, timer: undefined, abort: undefined, stopped: false, sent: 0, failed: 0, dropped: 0, lastError: "" });
			} catch (error) {
				this.#o.log.warn(`webhook: a URL is left out: it ${(error as Error).message}`);
			}
		}
	}

	/** Queues the event's JSON for every URL; the oldest waiting one is dropped when a queue is full. Nothing after stop(). */
	send(json: string): void {
		if (this.#stopped) return;
		for (const hook of this.#hooks) {
			if (hook.queue.length >= QUEUE_SIZE) {
				// The one in flight (busy) stays; the next oldest makes room.
				if (hook.busy) hook.queue.splice(1, 1);
				else {
					// The first may be waiting for a retry: its attempts and its timer go with it, and
					// the next event starts from its own first attempt.
					hook.queue.shift();
					hook.attempt = 0;
					if (hook.timer !== undefined) this.#o.clock.clearTimeout(hook.timer);
					hook.timer = undefined;
				}
				hook.dropped++;
			}
			hook.queue.push(json);
			if (!hook.busy && hook.timer === undefined) hook.timer = this.#o.clock.setTimeout(() => this.#next(hook), 0);
		}
	}

	/** Abandons every request and retry for good: the events recorded while the door stops are not posted. */
	stop(): void {
		this.#stopped = true;
		for (const hook of this.#hooks) this.#stop(hook);
	}

	status(): Array<Record<string, unknown>> {
		return this.#hooks.map((h) => ({ to: h.shown, queued: h.queue.length, sent: h.sent, failed: h.failed, dropped: h.dropped, last_error: h.lastError }));
	}

	#next(hook: Hook): void {
		hook.timer = undefined;
		if (hook.busy || hook.queue.length === 0) return;
		hook.busy = true;
		hook.attempt++;
		const body = hook.queue[0];
		const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": this.#o.userAgent };
		if (hook.url.userinfo) headers.Authorization = `Basic ${base64(hook.url.userinfo)}`;
		let finished = false;
		let done = (error: string | undefined, status?: number) => {
			if (finished || hook.stopped) return;
			finished = true;
			hook.busy = false;
			hook.abort = undefined;
			const ok = !error && status !== undefined && status >= 200 && status < 300;
			// A retry can help only after a network error, a timeout, 408, 429 or 5xx: any other answer
			// (a 4xx; a redirect, which the doorbell does not follow) would come again for the same JSON.
			const final = !error && status !== undefined && !retried(status);
			if (ok || final || hook.attempt > RETRY_MS.length) {
				hook.queue.shift();
				if (ok) hook.sent++;
				else {
					hook.failed++;
					hook.lastError = error ?? answerWords(status);
					this.#o.log.warn(`webhook: ${hook.shown}: event not delivered (${hook.lastError}, attempt ${hook.attempt})`);
				}
				hook.attempt = 0;
				if (hook.queue.length) hook.timer = this.#o.clock.setTimeout(() => this.#next(hook), 0);
				return;
			}
			hook.lastError = error ?? answerWords(status);
			hook.timer = this.#o.clock.setTimeout(() => this.#next(hook), RETRY_MS[hook.attempt - 1]);
		};
		// The provider times the request out; this timer is the guarantee when it does not.
		const guard = this.#o.clock.setTimeout(() => {
			const abort = hook.abort;
			done(`no answer within ${TIMEOUT_MS / 1000} s`);
			try {
				abort?.();
			} catch {
				// Already ended.
			}
		}, TIMEOUT_MS + 1000);
		const settle = done;
		done = (error, status) => {
			this.#o.clock.clearTimeout(guard);
			settle(error, status);
		};
		try {
			const abort = this.#o.post({ host: hook.url.host, port: hook.url.port, path: hook.url.path, headers, body, timeoutMs: TIMEOUT_MS, done });
			if (!finished) {
				hook.abort = () => {
					this.#o.clock.clearTimeout(guard);
					abort();
				};
			}
		} catch (error) {
			done(String((error as Error)?.message ?? error));
		}
	}

	/** Drops the hook quietly: its request's end, "abandoned" included, schedules no retry and counts nothing. */
	#stop(hook: Hook): void {
		hook.stopped = true;
		if (hook.timer !== undefined) this.#o.clock.clearTimeout(hook.timer);
		hook.timer = undefined;
		const abort = hook.abort;
		hook.abort = undefined;
		hook.queue = [];
		try {
			abort?.();
		} catch {
			// Abandoning a request that already ended.
		}
	}
}
