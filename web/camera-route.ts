/*
 * GET /camera.jpg?key=K: the door's newest camera frame as image/jpeg, for the FRITZ!Box's live
 * image on FRITZ!Fon handsets (it cannot sign in, so the URL carries the key). Without the right
 * key the answer is 403 with no body and nothing that tells why; the check runs before anything
 * else is looked at, so a wrong key learns neither whether there is a camera nor whether it is on.
 * Requests with the right key are rate-limited (a token bucket: bursts of BURST, RATE_PER_S a
 * second after that; 429 beyond), so no client can keep the camera and the Wi-Fi busy.
 */

import type { Clock, HttpRequest, HttpResponse, HttpRoutes } from "../modules/ports.js";
import type { LiveImage } from "../hardware/live-image.js";
import { IMAGE_PATH, type CameraKey } from "./camera-key.js";
import { isLocalHost } from "./guard.js";
import { header } from "./http.js";

export const BURST = 5;
export const RATE_PER_S = 2;

export interface CameraRouteOptions {
	routes: HttpRoutes;
	image: LiveImage;
	key: CameraKey;
	clock: Clock;
	/** The `camera.enabled` setting. */
	enabled(): boolean;
}

function plain(status: number, text: string, extra: Record<string, string> = {}): HttpResponse {
	return { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...extra }, body: text };
}

const FORBIDDEN: HttpResponse = Object.freeze({ status: 403, headers: Object.freeze({ "Cache-Control": "no-store" }), body: "" });

export class CameraRoute {
	#o: CameraRouteOptions;
	#tokens = BURST;
	#filledAt = 0;
	/** Requests refused for a wrong or missing key, and for the rate. */
	refused = 0;
	limited = 0;

	constructor(options: CameraRouteOptions) {
		this.#o = options;
		this.#filledAt = options.clock.now();
		options.routes.add("GET", IMAGE_PATH, this.handle.bind(this));
	}

	handle(request: HttpRequest): HttpResponse {
		if (!isLocalHost(header(request, "host")) || !this.#o.key.matches(request.query?.key)) {
			this.refused++;
			return FORBIDDEN;
		}
		if (!this.#take()) {
			this.limited++;
			return plain(429, "too many requests\n", { "Retry-After": "1" });
		}
		if (!this.#o.enabled()) return plain(404, "the camera is turned off\n");
		if (!this.#o.image.present) return plain(404, "this doorbell has no camera\n");
		const frame = this.#o.image.take();
		// The camera is starting: the FRITZ!Box asks again within 2.5 s.
		if (!frame) return plain(503, "the camera is starting\n", { "Retry-After": "1" });
		return { status: 200, headers: { "Content-Type": "image/jpeg", "Content-Length": String(frame.byteLength), "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" }, body: frame };
	}

	status(): Record<string, unknown> {
		return { refused: this.refused, rate_limited: this.limited };
	}

	#take(): boolean {
		const now = this.#o.clock.now();
		this.#tokens = Math.min(BURST, this.#tokens + ((now - this.#filledAt) * RATE_PER_S) / 1000);
		this.#filledAt = now;
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}
}
