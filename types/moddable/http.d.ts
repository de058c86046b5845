/* Moddable `http` Server (modules/network/http), as documented in documentation/network/network.md. */
declare module "http" {
	/** What the server asks for; the callback's `this` is one exchange (a request and its response). */
	export type ServerMessage = -1 | 1 | 2 | 3 | 4 | 5 | 6 | 8 | 9 | 10;

	export interface ServerResponse {
		status?: number;
		reason?: string;
		/** Name, value, name, value, … */
		headers?: string[];
		/** The whole body, or true to send it in fragments. */
		body?: string | ArrayBuffer | true;
	}

	export class Server {
		constructor(options?: { port?: number });
		close(connections?: boolean): void;
		/**
		 * 2 status: (path with query, method); 3 header: (lowercase name, value); 4 headersComplete:
		 * return String or ArrayBuffer to receive the body whole, false to skip it; 6 requestComplete:
		 * (body); 8 prepareResponse: return the response; -1 error; 10 responseComplete.
		 */
		callback: (this: object, message: ServerMessage, value1?: unknown, value2?: unknown) => unknown;
		static readonly error: -1;
		static readonly connection: 1;
		static readonly status: 2;
		static readonly header: 3;
		static readonly headersComplete: 4;
		static readonly requestFragment: 5;
		static readonly requestComplete: 6;
		static readonly prepareResponse: 8;
		static readonly responseFragment: 9;
		static readonly responseComplete: 10;
	}
}

/* Moddable `http` Request (the client in modules/network/http/http.js). */
declare module "http" {
	export interface RequestOptions {
		host?: string;
		address?: string;
		port?: number;
		method?: string;
		path?: string;
		/** Name, value, name, value, … */
		headers?: Array<string | number>;
		body?: string | ArrayBuffer | true;
		/** How the body reaches responseComplete: String or ArrayBuffer; absent to read it piecewise. */
		response?: typeof String | typeof ArrayBuffer;
	}

	/**
	 * Messages: 1 status (value: the status code), 2 header (name, value), 3 headersComplete,
	 * 4 responseFragment (bytes available), 5 responseComplete (the body), -2 error. The request
	 * closes itself after 5 and -2.
	 */
	export type RequestMessage = -2 | 0 | 1 | 2 | 3 | 4 | 5;

	export class Request {
		constructor(options: RequestOptions);
		callback: (message: RequestMessage, value1?: unknown, value2?: unknown) => unknown;
		read(type?: unknown, limit?: number): unknown;
		close(): void;
		static readonly requestFragment: 0;
		static readonly status: 1;
		static readonly header: 2;
		static readonly headersComplete: 3;
		static readonly responseFragment: 4;
		static readonly responseComplete: 5;
		static readonly error: -2;
	}
}
