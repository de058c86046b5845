/*
 * The HTTP route table on the device, over Moddable's `http` Server. Dispatch on method and
 * exact path as on the host: 404 for an unknown path, 405 with Allow for a known path and
 * another method (HEAD falls back to GET), 413 when Content-Length is over the limit (the body
 * is then skipped unread), 431 when the request line and headers are over their bounds (what
 * comes past them is not kept, and the body is skipped), 400 for a body that is not UTF-8 or a
 * query that does not decode, 500 without details when a handler throws. Strings go out as UTF-8 bytes (the SDK counts a
 * string body's length in characters, which is wrong past ASCII), in pieces that fit the socket.
 *
 * The SDK asks for the response synchronously, in the same turn as the end of the request, so
 * a handler must answer synchronously on the device; a Promise gets a logged 500.
 */

import { Server } from "http";
import type { Clock, HttpHandler, HttpRequest, HttpResponse, HttpRoutes, Logger, TimerId, UploadHandler, UploadSink } from "../ports.js";
import { RouteTable } from "../route-table.js";

/** The messages of the SDK's server callback (documentation/network/network.md). */
const CONNECTION = 1;
const STATUS = 2;
const HEADER = 3;
const HEADERS_COMPLETE = 4;
const REQUEST_FRAGMENT = 5;
const REQUEST_COMPLETE = 6;
const PREPARE_RESPONSE = 8;
const RESPONSE_FRAGMENT = 9;
const RESPONSE_COMPLETE = 10;
const ERROR = -1;

/**
 * How long a connection may take from its opening to the end of its answer, in ms; then it is
 * closed. The SDK's server has no timer: a client that opens a connection and sends nothing (a
 * browser's unused preconnection), stops halfway or never reads its answer holds the
 * connection, and one of lwIP's sockets, until the door restarts, and enough such could leave
 * the page unreachable. A page, 17 KB, takes well under a second on a poor Wi-Fi link. An upload
 * is timed by its own check for a stall (web/update.ts) instead.
 */
export const EXCHANGE_MS = 30_000;

/**
 * What a client may send before the body, in characters: the method, the request target and the
 * header lines (names, values and 4 for ": " and CRLF each). The headers are kept until the
 * answer, on a heap of some 270 KB that the page, SIP and the call's audio share, and the SDK's
 * server reads lines without a limit of its own. A browser's request, its session cookie and
 * all, is under 2 KB; Node's server (the simulator's) takes 16 KB, which a few connections at
 * once could not have here.
 */
export const MAX_HEADER_CHARS = 8192;
/** Header lines at the most: a browser sends about 20, and each new name is a property of its own. */
export const MAX_HEADER_LINES = 64;

/** One request and its response; the SDK's callback runs with `this` set to it. */
interface Exchange {
	/** The SDK's TCP socket of the request (documentation/network/network.md, Socket get). */
	socket?: { get?(what: "REMOTE_IP"): unknown };
	/** Reads the body bytes that have arrived (in the requestFragment message of a streamed body). */
	read?(type: typeof ArrayBuffer): ArrayBuffer | undefined;
	klingel?: Pending;
	/** The response body still to send, in fragments as the socket has room. */
	klingelOut?: { bytes: ArrayBuffer; offset: number };
	/** The end of EXCHANGE_MS. */
	klingelTimer?: TimerId;
}

interface Pending {
	method: string;
	path: string;
	rawQuery: string;
	headers: Record<string, string>;
	/** The request line's and header lines' characters so far, and the header lines (see MAX_HEADER_CHARS). */
	headerChars: number;
	headerLines: number;
	length: number;
	body: string;
	remoteAddress?: string;
	/** Set when the answer is known before the handler runs (404, 405, 413, 431, 400). */
	early?: HttpResponse;
	handler?: HttpHandler;
	/** An upload route's sink: the body goes there in pieces as they arrive. */
	upload?: UploadSink;
}

/** The part of the SDK's Server this module uses. */
interface CallbackServer {
	callback: (this: Exchange, message: number, value1?: unknown, value2?: unknown) => unknown;
	close(connections?: boolean): void;
	/** Takes the exchange out of the server (no more callbacks) and hands over its socket. */
	detach(exchange: Exchange): { close(): void };
}

export interface DeviceHttpOptions {
	port: number;
	/** Largest request body accepted, in bytes. */
	maxBody: number;
	/** Read the client's address from the socket (wrong on the SDK's Linux build, so off there). */
	remoteAddress: boolean;
	log: Logger;
	/** For the connections' time limit (EXCHANGE_MS). */
	clock: Clock;
}

export class DeviceHttpServer implements HttpRoutes {
	readonly maxBody: number;
	readonly port: number;
	#routes = new RouteTable();
	#log: Logger;
	#clock: Clock;
	#server: CallbackServer | undefined;
	#remoteAddress: boolean;

	constructor(options: DeviceHttpOptions) {
		this.port = options.port;
		this.maxBody = options.maxBody;
		this.#remoteAddress = options.remoteAddress;
		this.#log = options.log;
		this.#clock = options.clock;
	}

	add(method: string, path: string, handler: HttpHandler): void {
		this.#routes.add(method, path, handler);
	}

	addUpload(path: string, handler: UploadHandler): void {
		this.#routes.addUpload(path, handler);
	}

	/** Starts listening (routes may still be added afterwards). */
	listen(): void {
		const server = new Server({ port: this.port }) as unknown as CallbackServer;
		const self = this;
		server.callback = function (this: Exchange, message: number, value1?: unknown, value2?: unknown): unknown {
			return self.#message(this, message, value1, value2);
		};
		this.#server = server;
	}

	close(): void {
		this.#server?.close(true);
		this.#server = undefined;
	}

	#message(exchange: Exchange, message: number, value1: unknown, value2: unknown): unknown {
		switch (message) {
			case CONNECTION:
				exchange.klingelTimer = this.#clock.setTimeout(this.#expired.bind(this, exchange), EXCHANGE_MS);
				return undefined;
			case RESPONSE_COMPLETE:
				this.#endTimer(exchange);
				return undefined;
			case STATUS: {
				const target = String(value1);
				const method = String(value2).toUpperCase();
				const q = target.indexOf("?");
				const pending: Pending = exchange.klingel = {
					method,
					path: q < 0 ? target : target.slice(0, q),
					rawQuery: q < 0 ? "" : target.slice(q + 1),
					headers: {},
					headerChars: method.length + target.length,
					headerLines: 0,
					length: 0,
					body: "",
				};
				if (pending.headerChars > MAX_HEADER_CHARS) tooLarge(pending);
				const remote = this.#remoteAddress ? exchange.socket?.get?.("REMOTE_IP") : undefined;
				if (typeof remote === "string") pending.remoteAddress = remote;
				return undefined;
			}
			case HEADER: {
				const pending = exchange.klingel;
				if (!pending || pending.early) return undefined;
				const name = String(value1);
				const value = String(value2);
				pending.headerChars += name.length + value.length + 4;
				if (++pending.headerLines > MAX_HEADER_LINES || pending.headerChars > MAX_HEADER_CHARS) {
					tooLarge(pending);
					return undefined;
				}
				pending.headers[name] = name in pending.headers ? `${pending.headers[name]}, ${value}` : value;
				if (name === "content-length") pending.length = /^\d+$/.test(value) ? Number(value) : -1;
				return undefined;
			}
			case HEADERS_COMPLETE:
				return this.#route(exchange);
			case REQUEST_FRAGMENT: {
				const pending = exchange.klingel;
				const bytes = exchange.read?.(ArrayBuffer);
				if (pending?.upload && bytes) this.#toSink(pending, new Uint8Array(bytes));
				return undefined;
			}
			case REQUEST_COMPLETE: {
				const pending = exchange.klingel;
				if (pending && !pending.early && value1 instanceof ArrayBuffer) {
					try {
						pending.body = String.fromArrayBuffer(value1);
					} catch {
						pending.early = plain(400, "request body is not UTF-8 text");
					}
				}
				return undefined;
			}
			case PREPARE_RESPONSE: {
				const pending = exchange.klingel;
				delete exchange.klingel;
				const response = toSdk(pending ? this.#respond(pending) : plain(400, "bad request"));
				if (response.body.byteLength === 0) return response;
				// The body goes out in pieces the socket has room for (Content-Length set, so not chunked):
				// the SDK writes a whole body in one go, which fails past the socket's buffer (1 KB on Linux).
				exchange.klingelOut = { bytes: response.body, offset: 0 };
				response.headers.push("Content-Length", String(response.body.byteLength));
				return { status: response.status, headers: response.headers, body: true };
			}
			case RESPONSE_FRAGMENT: {
				const out = exchange.klingelOut;
				if (!out || out.offset >= out.bytes.byteLength) {
					delete exchange.klingelOut;
					return undefined;
				}
				const room = typeof value1 === "number" && value1 > 0 ? value1 : 512;
				const end = Math.min(out.bytes.byteLength, out.offset + room);
				const piece = out.bytes.slice(out.offset, end);
				out.offset = end;
				// The last piece is handed over: the body (a whole page, 15 KB for the settings) is let
				// go now, not on the socket's next writable event, which can come much later.
				if (end >= out.bytes.byteLength) delete exchange.klingelOut;
				return piece;
			}
			case ERROR:
				this.#endTimer(exchange);
				exchange.klingel?.upload?.abort();
				delete exchange.klingel;
				delete exchange.klingelOut;
				return undefined;
		}
		return undefined;
	}

	/** Picks the handler once the headers are in; returns what the SDK should do with the body. */
	#route(exchange: Exchange): unknown {
		const pending = exchange.klingel;
		if (!pending) return false;
		// Headers over the bounds (431): the body is skipped, whatever the path.
		if (pending.early) return false;
		const upload = this.#routes.findUpload(pending.method, pending.path);
		if (upload) return this.#startUpload(exchange, pending, upload);
		const match = this.#routes.find(pending.method, pending.path);
		const handler = match?.handler;
		if (!match) pending.early = plain(404, "not found");
		else if (!handler) {
			const response = plain(405, "method not allowed");
			response.headers = { ...response.headers, Allow: match.allow };
			pending.early = response;
		} else if (pending.length < 0) pending.early = plain(400, "bad Content-Length");
		else if (pending.length > this.maxBody) pending.early = plain(413, "request body too large");
		else pending.handler = handler;
		if (pending.early) return false; // the SDK skips the body
		return pending.length > 0 ? ArrayBuffer : undefined;
	}

	/** An upload route: its handler sees the headers first; true asks the SDK for the body in fragments. */
	#startUpload(exchange: Exchange, pending: Pending, handler: UploadHandler): unknown {
		if (pending.length < 0) pending.early = plain(411, "Content-Length required");
		else {
			let query: Record<string, string> | undefined;
			try {
				query = parseQuery(pending.rawQuery);
			} catch {
				pending.early = plain(400, "bad query string");
			}
			if (query) {
				const request: HttpRequest = { method: pending.method, path: pending.path, query, headers: pending.headers, body: "" };
				if (pending.remoteAddress) request.remoteAddress = pending.remoteAddress;
				try {
					const started = handler(request, pending.length, this.#close.bind(this, exchange));
					if ("write" in started) {
						pending.upload = started;
						this.#endTimer(exchange);
					}
					else pending.early = started;
				} catch (error) {
					this.#log.error(`HTTP POST ${pending.path}: ${(error as Error)?.stack ?? error}`);
					pending.early = plain(500, "internal error");
				}
			}
		}
		if (pending.early) return false;
		return pending.length > 0 ? true : undefined;
	}

	/**
	 * An upload's sink ends its exchange without an answer (its body stopped arriving, which the
	 * SDK's server never notices: it has no timer, and the accepted socket no TCP keepalive).
	 */
	#close(exchange: Exchange): void {
		this.#endTimer(exchange);
		delete exchange.klingel;
		delete exchange.klingelOut;
		this.#server?.detach(exchange).close();
	}

	/** EXCHANGE_MS passed: the connection is closed (an upload's timer ended as it started: it is none). */
	#expired(exchange: Exchange): void {
		delete exchange.klingelTimer;
		try {
			this.#close(exchange);
		} catch {
			// The SDK has let the connection go already.
		}
	}

	#endTimer(exchange: Exchange): void {
		if (exchange.klingelTimer === undefined) return;
		this.#clock.clearTimeout(exchange.klingelTimer);
		delete exchange.klingelTimer;
	}

	#toSink(pending: Pending, piece: Uint8Array): void {
		try {
			pending.upload!.write(piece);
		} catch (error) {
			this.#log.error(`HTTP POST ${pending.path}: ${(error as Error)?.stack ?? error}`);
			pending.upload!.abort();
			delete pending.upload;
			pending.early = plain(500, "internal error");
		}
	}

	#respond(pending: Pending): HttpResponse {
		if (pending.early) return pending.early;
		if (pending.upload) {
			try {
				return pending.upload.end();
			} catch (error) {
				this.#log.error(`HTTP POST ${pending.path}: ${(error as Error)?.stack ?? error}`);
				return plain(500, "internal error");
			}
		}
		const handler = pending.handler;
		if (!handler) return plain(500, "internal error");
		let query: Record<string, string>;
		try {
			query = parseQuery(pending.rawQuery);
		} catch {
			return plain(400, "bad query string");
		}
		const request: HttpRequest = { method: pending.method, path: pending.path, query, headers: pending.headers, body: pending.body };
		if (pending.remoteAddress) request.remoteAddress = pending.remoteAddress;
		try {
			const result = handler(request);
			if (typeof (result as Promise<HttpResponse>)?.then === "function") {
				(result as Promise<HttpResponse>).then(undefined, () => undefined);
				this.#log.error(`HTTP ${pending.method} ${pending.path}: the handler answered with a Promise; the device server needs a synchronous answer`);
				return plain(500, "internal error");
			}
			const response = result as HttpResponse;
			return pending.method === "HEAD" ? { status: response.status, headers: response.headers } : response;
		} catch (error) {
			this.#log.error(`HTTP ${pending.method} ${pending.path}: ${(error as Error)?.stack ?? error}`);
			return plain(500, "internal error");
		}
	}
}

/** The request line and headers are over the bounds: answered 431, what was kept of them let go. */
function tooLarge(pending: Pending): void {
	pending.early = plain(431, "request header fields too large");
	pending.headers = {};
	pending.path = pending.rawQuery = "";
}

function plain(status: number, text: string): HttpResponse {
	return { status, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: `${text}\n` };
}

/** The SDK's response shape: headers as a flat list, the body as bytes (it adds Content-Length). */
function toSdk(response: HttpResponse): { status: number; headers: string[]; body: ArrayBuffer } {
	const headers: string[] = [];
	for (const name of Object.keys(response.headers ?? {})) {
		if (name.toLowerCase() === "content-length") continue;
		headers.push(name, String(response.headers![name]));
	}
	const body = response.body === undefined ? new ArrayBuffer(0) : typeof response.body === "string" ? ArrayBuffer.fromString(response.body) : response.body;
	return { status: response.status, headers, body };
}

/** a=1&b=x%20y → { a: "1", b: "x y" }; "+" is a space, as in forms. Throws on a bad escape. */
export function parseQuery(raw: string): Record<string, string> {
	const out: Record<string, string> = {};
	if (!raw) return out;
	for (const part of raw.split("&")) {
		if (!part) continue;
		const eq = part.indexOf("=");
		const name = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, " "));
		const value = eq < 0 ? "" : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, " "));
		out[name] = value;
	}
	return out;
}
