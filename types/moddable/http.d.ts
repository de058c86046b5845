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
