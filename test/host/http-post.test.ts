/*
 * The simulator's webhook POST over node:http: what node:http would refuse in a request never
 * leaves a timer behind, and a path beyond ASCII goes out percent-encoded, as on the device.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { LoopbackGuard } from "../../modules/host/loopback-guard.js";
import { httpPost } from "../../modules/host/http-post.js";

const guard = () => new LoopbackGuard(() => {});

test("a path beyond ASCII goes out percent-encoded as UTF-8", async () => {
	const paths: string[] = [];
	const server = createServer((request, response) => {
		paths.push(String(request.url));
		request.resume();
		request.on("end", () => response.writeHead(204).end());
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	try {
		const { port } = server.address() as AddressInfo;
		const result = await new Promise<[string | undefined, number | undefined]>((resolve) => {
			httpPost({ host: "127.0.0.1", port, path: "/hook/дверь?ä=1", headers: {}, body: "{}", timeoutMs: 2000, done: (error, status) => resolve([error, status]) }, guard());
		});
		assert.deepEqual(result, [undefined, 204]);
		assert.deepEqual(paths, ["/hook/%D0%B4%D0%B2%D0%B5%D1%80%D1%8C?%C3%A4=1"]);
	} finally {
		server.close();
	}
});

test("a request node:http refuses at once ends with its error, once, and no timer runs after it", async () => {
	const calls: Array<[string | undefined, number | undefined]> = [];
	const abandon = httpPost({ host: "127.0.0.1", port: 9, path: "/", headers: { "X-Bad": "a\nb" }, body: "{}", timeoutMs: 30, done: (error, status) => void calls.push([error, status]) }, guard());
	await new Promise((resolve) => setTimeout(resolve, 150));
	abandon();
	assert.deepEqual(calls, [["ERR_INVALID_CHAR", undefined]]);
});
