/*
 * The HTTP route table on the host: node:http dispatching on method and exact path, with the
 * body read up to a limit (413 past it, after the rest of the body was read and dropped, so
 * the client gets the answer and not a reset), 404/405 for unknown routes and 500 without details.
 */

import http from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpHandler, HttpRequest, HttpResponse, HttpRoutes, Logger, UploadHandler } from "../ports.js";
import { RouteTable } from "../route-table.js";

export class HostHttpServer implements HttpRoutes {
	readonly maxBody: number;
	#routes = new RouteTable();
	#server: http.Server;
	#log: Logger;

	constructor(log: Logger, maxBody = 16 * 1024) {
		this.#log = log;
		this.maxBody = maxBody;
		this.#server = http.createServer((request, response) => this.#handle(request, response));
	}

	add(method: string, path: string, handler: HttpHandler): void {
		this.#routes.add(method, path, handler);
	}

	addUpload(path: string, handler: UploadHandler): void {
		this.#routes.addUpload(path, handler);
	}

	listen(port: number, host = "127.0.0.1"): Promise<number> {
		return new Promise((resolve, reject) => {
			this.#server.once("error", reject);
			this.#server.listen(port, host, () => resolve((this.#server.address() as AddressInfo).port));
		});
	}

	close(): Promise<void> {
		return new Promise((resolve) => {
			this.#server.closeAllConnections?.();
			this.#server.close(() => resolve());
		});
	}

	async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
		const url = new URL(request.url ?? "/", "http://localhost");
		const method = (request.method ?? "GET").toUpperCase();
		const upload = this.#routes.findUpload(method, url.pathname);
		if (upload) return this.#upload(request, response, url, upload);
		const match = this.#routes.find(method, url.pathname);
		if (!match) return this.#plain(response, 404, "not found");
		const handler = match.handler;
		if (!handler) {
			response.setHeader("Allow", match.allow);
			return this.#plain(response, 405, "method not allowed");
		}
		let body: string | undefined;
		try {
			body = await readBody(request, this.maxBody);
		} catch {
			return; // the client went away, or sent far more than it may (the connection is closed)
		}
		if (body === undefined) {
			response.setHeader("Connection", "close");
			return this.#plain(response, 413, `request body too large (at most ${this.maxBody} bytes)`);
		}
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
		const req: HttpRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body, remoteAddress: request.socket.remoteAddress };
		try {
			const result = await handler(req);
			response.writeHead(result.status, result.headers ?? {});
			const out = result.body;
			response.end(out === undefined ? undefined : typeof out === "string" ? out : Buffer.from(out));
		} catch (error) {
			this.#log.error(`HTTP ${method} ${url.pathname}: ${(error as Error)?.stack ?? error}`);
			this.#plain(response, 500, "internal error");
		}
	}

	/** An upload route: the body goes to the handler's sink as it arrives, never into memory whole. */
	#upload(request: http.IncomingMessage, response: http.ServerResponse, url: URL, handler: UploadHandler): void {
		const raw = request.headers["content-length"];
		if (raw === undefined || !/^\d+$/.test(raw)) {
			this.#plain(response, 411, "Content-Length required");
			request.resume();
			return;
		}
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
		const req: HttpRequest = { method: "POST", path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: "", remoteAddress: request.socket.remoteAddress };
		const send = (result: HttpResponse) => {
			if (response.headersSent) return;
			response.writeHead(result.status, result.headers ?? {});
			const out = result.body;
			response.end(out === undefined ? undefined : typeof out === "string" ? out : Buffer.from(out));
		};
		let ended = false;
		// The sink's close, for a body that stopped arriving (Node itself would end the request
		// only after its requestTimeout, 300 s): the sink hears no more.
		const close = () => {
			ended = true;
			request.destroy();
		};
		let sink;
		try {
			const started = handler(req, Number(raw), close);
			if (!("write" in started)) {
				// Refused before the body: the body is read and dropped first, as the device's server does, so
				// that the client, still sending, gets the answer instead of a broken connection.
				request.on("end", () => send(started));
				request.resume();
				return;
			}
			sink = started;
		} catch (error) {
			this.#log.error(`HTTP POST ${url.pathname}: ${(error as Error)?.stack ?? error}`);
			this.#plain(response, 500, "internal error");
			request.resume();
			return;
		}
		request.on("data", (chunk: Buffer) => {
			try {
				sink.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
			} catch (error) {
				this.#log.error(`HTTP POST ${url.pathname}: ${(error as Error)?.stack ?? error}`);
				ended = true;
				sink.abort();
				this.#plain(response, 500, "internal error");
				request.destroy();
			}
		});
		request.on("end", () => {
			if (ended) return;
			ended = true;
			try {
				send(sink.end());
			} catch (error) {
				this.#log.error(`HTTP POST ${url.pathname}: ${(error as Error)?.stack ?? error}`);
				this.#plain(response, 500, "internal error");
			}
		});
		request.on("close", () => {
			if (ended) return;
			ended = true;
			sink.abort();
		});
	}

	#plain(response: http.ServerResponse, status: number, text: string): void {
		response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
		response.end(text + "\n");
	}
}

/** Bytes past the limit read and dropped so that the 413 reaches the client (closing with unread data resets the connection). */
const DRAIN_LIMIT = 1024 * 1024;

/**
 * The body as text, or undefined when it is longer than `limit`: then the rest is read and
 * dropped (up to DRAIN_LIMIT, past which the connection is closed) so the client gets the 413.
 */
function readBody(request: http.IncomingMessage, limit: number): Promise<string | undefined> {
	return new Promise((resolve, reject) => {
		const declared = Number(request.headers["content-length"] ?? 0);
		const chunks: Buffer[] = [];
		let size = 0;
		request.on("data", (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit + DRAIN_LIMIT) {
				request.destroy();
				reject(new Error("too large"));
				return;
			}
			if (size <= limit) chunks.push(chunk);
			else chunks.length = 0;
		});
		request.on("end", () => resolve(size > limit || declared > limit ? undefined : Buffer.concat(chunks).toString("utf8")));
		request.on("error", reject);
	});
}
