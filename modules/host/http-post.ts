/*
 * The webhook port on Node: one HTTP/1.1 POST with node:http, no keep-alive, abandoned after the
 * request's timeout. The answer's body is read and dropped. The path goes out percent-encoded
 * beyond ASCII, as on the device. Under the loopback guard the host and the address its name
 * resolves to are checked before the connection is made.
 */

import { request, type ClientRequest } from "node:http";
import type { HttpPostRequest } from "../ports.js";
import { percentEncode } from "../text.js";
import { connectRefusal, loopbackGuardFromEnv, type LoopbackGuard } from "./loopback-guard.js";

export function httpPost(options: HttpPostRequest, guard: LoopbackGuard | undefined = loopbackGuardFromEnv()): () => void {
	let finished = false;
	let timer: NodeJS.Timeout | undefined;
	const finish = (error: string | undefined, status?: number) => {
		if (finished) return;
		finished = true;
		clearTimeout(timer);
		options.done(error, status);
	};
	const refused = guard && !guard.allowsConnect("HTTP POST", options.host, options.port) ? connectRefusal(`${options.host}:${options.port}`) : undefined;
	if (refused) {
		queueMicrotask(() => finish(refused));
		return () => finish("abandoned");
	}
	const body = Buffer.from(options.body, "utf8");
	let req: ClientRequest;
	try {
		req = request({ host: options.host, port: options.port, path: percentEncode(options.path), method: "POST", family: 4, agent: false, lookup: guard?.connectLookup("HTTP POST", options.port), headers: { ...options.headers, "Content-Length": String(body.length), Connection: "close" } }, (response) => {
			response.resume();
			response.on("end", () => finish(undefined, response.statusCode));
			response.on("error", (error) => finish(error.message));
		});
	} catch (error) {
		// Refused before any socket (a path or header node:http will not send): the post ends with that.
		queueMicrotask(() => finish((error as NodeJS.ErrnoException).code ?? String((error as Error)?.message ?? error)));
		return () => finish("abandoned");
	}
	// Started only with a request to end: a timer without one would outlive the post.
	timer = setTimeout(() => {
		finish(`no answer within ${options.timeoutMs / 1000} s`);
		req.destroy();
	}, options.timeoutMs);
	req.on("error", (error) => finish((error as NodeJS.ErrnoException).code ?? error.message));
	req.end(body);
	return () => {
		finish("abandoned");
		req.destroy();
	};
}
