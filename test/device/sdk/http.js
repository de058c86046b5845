/*
 * A model of the Moddable SDK's `http` Request (SDK 8.2.3, modules/network/http/http.js), as far
 * as modules/device/http-post.ts relies on it, for the XS test host (KLINGEL_XS_EMBEDDED). Like
 * the SDK, for an answer with a Content-Length or one that ends when the server closes:
 * - with the `response` option (String or ArrayBuffer) it keeps each piece of the body as it
 *   arrives and joins them at the end, then calls responseComplete with the whole;
 * - without it, it tells each piece by responseFragment (the bytes at hand), which the callback
 *   reads, or skips with read(null, count); the body of a Content-Length answer is complete, and
 *   responseComplete called, once that many bytes were read;
 * - status, then each header, then headersComplete come first; a closed request tells nothing.
 * The test plays the server through `Request.last`: answer(status, length, piece, withLength)
 * sends a body of `length` bytes in pieces of `piece`, and `held` is the most the request kept
 * of it at once (the pieces, and the joined copy beside them at the end).
 */

export class Request {
	static last;

	constructor(dictionary) {
		this.dictionary = dictionary;
		this.response = dictionary.response;
		this.held = 0;
		this.available = 0;
		this.closed = false;
		Request.last = this;
	}

	read(type, limit) {
		const count = limit === undefined || limit > this.available ? this.available : limit;
		this.available -= count;
		if (this.total !== undefined) this.total -= count;
		return type === null ? count : new ArrayBuffer(count);
	}

	close() {
		this.closed = true;
	}

	answer(status, length, piece, withLength = true) {
		this.#tell(Request.status, status);
		if (withLength) {
			this.total = length;
			this.#tell(Request.header, "content-length", String(length));
		}
		this.#tell(Request.headersComplete);
		let kept = 0;
		for (let left = length; left > 0 && !this.closed; left -= piece) {
			const count = left < piece ? left : piece;
			if (this.response) {
				kept += count;
				if (kept > this.held) this.held = kept;
				continue;
			}
			this.available += count;
			this.#tell(Request.responseFragment, count);
			// What the callback left unread stays in the socket, and the body never completes.
			if (this.available > this.held) this.held = this.available;
		}
		if (this.closed) return;
		if (this.response) {
			if (2 * kept > this.held) this.held = 2 * kept;
			this.#tell(Request.responseComplete, new ArrayBuffer(kept));
		} else if (!withLength || this.total === 0) this.#tell(Request.responseComplete);
	}

	#tell(message, value1, value2) {
		if (!this.closed) this.callback(message, value1, value2);
	}
}
Request.requestFragment = 0;
Request.status = 1;
Request.header = 2;
Request.headersComplete = 3;
Request.responseFragment = 4;
Request.responseComplete = 5;
Request.error = -2;

/*
 * A model of the SDK's `http` Server (the same file), as far as modules/device/http-server.ts
 * relies on it: the server's callback is called with `this` set to the request (the test's
 * exchange object) for each message, as the SDK calls it for each line it reads: status (the
 * target and the method), each header (its name lowercased and its value trimmed, as the SDK
 * reads them), headersComplete, then prepareResponse. The test plays the connection through
 * `Server.last.tell(exchange, message, value1, value2)`.
 */
export class Server {
	static last;

	constructor(dictionary) {
		this.dictionary = dictionary;
		this.closed = false;
		Server.last = this;
	}

	tell(exchange, message, value1, value2) {
		return this.callback.call(exchange, message, value1, value2);
	}

	close() {
		this.closed = true;
	}

	/** The exchanges taken out (their sockets closed), in order. */
	detached = [];

	detach(exchange) {
		this.detached.push(exchange);
		return { close() {} };
	}
}
Server.connection = 1;
Server.status = 2;
Server.header = 3;
Server.headersComplete = 4;
Server.requestFragment = 5;
Server.requestComplete = 6;
Server.prepareResponse = 8;
Server.responseFragment = 9;
Server.responseComplete = 10;
Server.error = -1;
