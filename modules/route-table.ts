/*
 * The route table both HTTP servers (host and device) dispatch on: method and exact path,
 * HEAD answered by the GET handler when there is no HEAD one. A path no route has goes to the
 * method's ANY_PATH route where there is one (the set-up access point's captive portal, where
 * a phone or a browser asks another host for any path), else it is unknown (404).
 */

import { ANY_PATH, type HttpHandler, type HttpRoutes, type UploadHandler } from "./ports.js";

/** A known path: its handler for the method, or none (405) with the methods it has. */
export interface RouteMatch {
	handler: HttpHandler | undefined;
	/** The path's methods, for a 405's Allow header. */
	allow: string;
}

export class RouteTable implements HttpRoutes {
	#routes = new Map<string, Map<string, HttpHandler>>();
	#uploads = new Map<string, UploadHandler>();

	/** An upload route answers POST on its path; a 405 for another method names POST. */
	addUpload(path: string, handler: UploadHandler): void {
		this.#uploads.set(path, handler);
	}

	/** The upload handler for a POST to this path, if it is an upload route. */
	findUpload(method: string, path: string): UploadHandler | undefined {
		return method === "POST" ? this.#uploads.get(path) : undefined;
	}

	add(method: string, path: string, handler: HttpHandler): void {
		let methods = this.#routes.get(path);
		if (!methods) this.#routes.set(path, (methods = new Map()));
		methods.set(method.toUpperCase(), handler);
	}

	/** The match for an upper-case method and a path, or undefined for an unknown path (404). */
	find(method: string, path: string): RouteMatch | undefined {
		const methods = path === ANY_PATH ? undefined : this.#routes.get(path);
		if (!methods) {
			if (this.#uploads.has(path)) return { handler: undefined, allow: "POST" };
			const any = this.#routes.get(ANY_PATH);
			const handler = any && handlerFor(any, method);
			return handler ? { handler, allow: "" } : undefined;
		}
		const handler = handlerFor(methods, method);
		return { handler, allow: handler ? "" : [...methods.keys()].join(", ") };
	}
}

function handlerFor(methods: Map<string, HttpHandler>, method: string): HttpHandler | undefined {
	return methods.get(method) ?? (method === "HEAD" ? methods.get("GET") : undefined);
}
