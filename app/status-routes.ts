/*
 * The machine-facing endpoints: GET /sipDebug (status JSON, never a secret) and POST /ring/sip
 * (a test ring; GET is refused so that a link or a prefetch never rings).
 */

import type { HttpRoutes } from "../modules/ports.js";
import type { Doorbell } from "./doorbell.js";

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };

export function addStatusRoutes(routes: HttpRoutes, doorbell: Doorbell, extra: () => Record<string, unknown> = () => ({})): void {
	routes.add("GET", "/sipDebug", () => ({ status: 200, headers: JSON_HEADERS, body: JSON.stringify({ ...doorbell.status(), ...extra() }, null, 1) }));
	routes.add("POST", "/ring/sip", () => {
		const result = doorbell.press("web");
		return { status: result.ok ? 200 : 409, headers: JSON_HEADERS, body: JSON.stringify(result) };
	});
}
