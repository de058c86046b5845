/*
 * The key of the live-image URL. The FRITZ!Box fetches the image without signing in, so the URL
 * itself carries the secret: 16 random bytes (128 bits) as 32 hex digits, made at the first
 * start, kept in the `camera` namespace (key `key`), renewable from the page. Compared in time
 * that does not depend on where a guess goes wrong.
 */

import type { KeyValueStore, RandomBytes } from "../modules/ports.js";
import { hex, sameText } from "./http.js";

export const CAMERA_NAMESPACE = "camera";
export const CAMERA_KEY = "key";
export const KEY_BYTES = 16;
export const IMAGE_PATH = "/camera.jpg";

export class CameraKey {
	#store: KeyValueStore;
	#random: RandomBytes;
	#key = "";

	/** Reads the stored key, or makes and stores one when there is none (or it is not a key). */
	constructor(store: KeyValueStore, random: RandomBytes) {
		this.#store = store;
		this.#random = random;
		const stored = store.get(CAMERA_NAMESPACE, CAMERA_KEY);
		if (typeof stored === "string" && stored.length === KEY_BYTES * 2 && /^[0-9a-f]+$/.test(stored)) this.#key = stored;
		else this.renew();
	}

	/** A new key: the old URL stops working at once. Throws when the store fails (the old key stays). */
	renew(): void {
		const bytes = new Uint8Array(KEY_BYTES);
		this.#random(bytes);
		const key = hex(bytes);
		this.#store.set(CAMERA_NAMESPACE, CAMERA_KEY, key);
		this.#key = key;
	}

	/** Whether `candidate` is the key. */
	matches(candidate: string | undefined): boolean {
		return typeof candidate === "string" && sameText(candidate, this.#key);
	}

	/** The URL to paste into the FRITZ!Box, for the doorbell reached as `host` (the page's Host header). */
	url(host: string): string {
		return `http://${host}${IMAGE_PATH}?key=${this.#key}`;
	}
}
