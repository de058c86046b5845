/*
 * The route table both HTTP servers (host and device) dispatch on: method and exact path,
 * HEAD answered by the GET handler when there is no HEAD one.
 */

import type { HttpHandler, HttpRoutes } from "./ports.js";

/** A known path: its handler for the method, or none (405) with the methods it has. */
export interface RouteMatch {
	handler: HttpHandler | undefined;
	/** The path's methods, for a 405's Allow header. */
	allow: string;
}

export class RouteTable implements HttpRoutes {
	#routes = new Map<string, Map<string, HttpHandler>>();

	add(method: string, path: string, handler: HttpHandler): void {
		let methods = this.#routes.get(path);
		if (!methods) this.#routes.set(path, (methods = new Map()));
		methods.set(method.toUpperCase(), handler);
	}

	/** The match for an upper-case method and a path, or undefined for an unknown path (404). */
	find(method: string, path: string): RouteMatch | undefined {
		const methods = this.#routes.get(path);
		if (!methods) return undefined;
		const handler = methods.get(method) ?? (method === "HEAD" ? methods.get("GET") : undefined);
		return { handler, allow: handler ? "" : [...methods.keys()].join(", ") };
	}
}
