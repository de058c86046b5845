/*
 * The webhook port on the device: one POST with the SDK's `http` Request (plain http; the
 * firmware has no TLS socket). The body goes as UTF-8 bytes (the SDK counts a string's length in
 * characters); the answer's body is skipped piece by piece as it arrives, never held: asked for
 * whole (the SDK's `response` option), it would be kept in pieces and joined at the end, twice its
 * size in the heap, and a URL that answers with a page (a web interface's start page, a stream)
 * would run the heap out at every event. A timer abandons a request that takes longer than its
 * timeout. The path goes out percent-encoded beyond ASCII, as on Node.
 */

import { Request } from "http";
import Timer from "timer";
import type { HttpPostRequest } from "../ports.js";
import { percentEncode } from "../text.js";

/** The SDK Request's read as it skips bytes. */
interface Skipping {
	read(type: null, limit: number): number;
}

export function devicePost(options: HttpPostRequest): () => void {
	let finished = false;
	let status: number | undefined;
	let request: Request | undefined;
	let timer: ReturnType<typeof Timer.set> | undefined;
	const finish = (error: string | undefined, code?: number) => {
		if (finished) return;
		finished = true;
		Timer.clear(timer);
		try {
			request?.close();
		} catch {
			// Already closed by the SDK.
		}
		request = undefined;
		options.done(error, code);
	};
	const headers: Array<string | number> = [];
	for (const name of Object.keys(options.headers)) headers.push(name, options.headers[name]);
	try {
		// The SDK writes the path as it is and counts it in characters: beyond ASCII it must be encoded.
		request = new Request({ host: options.host, port: options.port, path: percentEncode(options.path), method: "POST", headers, body: ArrayBuffer.fromString(options.body) });
		request.callback = (message, value) => {
			if (message === Request.status) status = value as number;
			// The bytes of the body at hand, skipped: the SDK counts the body's length by what is read.
			// (read(null, n) skips n bytes, as the SDK's own chunked reading does; its typings leave
			// null out.)
			else if (message === Request.responseFragment) (request as unknown as Skipping | undefined)?.read(null, value as number);
			else if (message === Request.responseComplete) finish(undefined, status);
			else if (message === Request.error) finish("connection failed");
		};
	} catch (error) {
		Promise.resolve().then(() => finish(String((error as Error)?.message ?? error)));
		return () => finish("abandoned");
	}
	timer = Timer.set(() => finish(`no answer within ${options.timeoutMs / 1000} s`), options.timeoutMs);
	return () => finish("abandoned");
}
