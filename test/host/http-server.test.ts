/*
 * The host's HTTP server and its body limit (16 KB): a longer body gets the documented 413,
 * whether its length is declared or it comes chunked, and not a reset connection; a body
 * within the limit reaches the route, and the server goes on answering. An upload's sink can
 * end a stalled exchange: the connection is closed without an answer.
 */

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { HostHttpServer } from "../../modules/host/http-server.js";

let server: HostHttpServer;
let port = 0;

before(async () => {
	server = new HostHttpServer({ info() {}, warn() {}, error() {} });
	server.add("POST", "/echo", (request) => ({ status: 200, headers: { "Content-Type": "text/plain" }, body: `got ${request.body.length}` }));
	port = await server.listen(0, "127.0.0.1");
});

after(async () => {
	await server?.close();
});

/** Sends raw bytes over one connection and returns everything the server sent back until it closed (or an error). */
function exchange(bytes: Buffer): Promise<{ text: string; error?: string }> {
	return new Promise((resolve) => {
		const socket = net.connect(port, "127.0.0.1");
		const chunks: Buffer[] = [];
		socket.on("data", (chunk) => chunks.push(chunk));
		socket.on("error", (error) => resolve({ text: Buffer.concat(chunks).toString("latin1"), error: (error as NodeJS.ErrnoException).code ?? error.message }));
		socket.on("close", () => resolve({ text: Buffer.concat(chunks).toString("latin1") }));
		socket.end(bytes);
	});
}

function post(body: Buffer, chunked: boolean): Buffer {
	const head = [`POST /echo HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Content-Type: text/plain", "Connection: close", chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${body.length}`, "", ""].join("\r\n");
	if (!chunked) return Buffer.concat([Buffer.from(head), body]);
	const parts: Buffer[] = [Buffer.from(head)];
	for (let i = 0; i < body.length; i += 4096) {
		const piece = body.subarray(i, i + 4096);
		parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
	}
	parts.push(Buffer.from("0\r\n\r\n"));
	return Buffer.concat(parts);
}

for (const chunked of [false, true]) {
	const how = chunked ? "chunked" : "with Content-Length";
	test(`a body over 16 KB (${how}) gets 413, not a reset`, async () => {
		for (const size of [16 * 1024 + 1, 64 * 1024, 512 * 1024]) {
			const answer = await exchange(post(Buffer.alloc(size, 0x61), chunked));
			assert.equal(answer.error, undefined, `${size} bytes: ${answer.error}`);
			assert.match(answer.text, /^HTTP\/1\.1 413 /, `${size} bytes: ${answer.text.slice(0, 80)}`);
			assert.match(answer.text, /request body too large/);
		}
	});

	test(`a body of 16 KB (${how}) reaches the route`, async () => {
		const answer = await exchange(post(Buffer.alloc(16 * 1024, 0x61), chunked));
		assert.match(answer.text, /^HTTP\/1\.1 200 /);
		assert.match(answer.text, /got 16384/);
	});
}

test("the server goes on answering after refusing bodies", async () => {
	const response = await fetch(`http://127.0.0.1:${port}/echo`, { method: "POST", body: "hallo" });
	assert.equal(response.status, 200);
	assert.equal(await response.text(), "got 5");
});

test("an upload's close, half a body in and nothing more coming, closes the connection without an answer and calls the sink no more", async () => {
	const heard: string[] = [];
	let received = 0;
	let close: (() => void) | undefined;
	server.addUpload("/upload", (_request, _length, closeIt) => {
		close = closeIt;
		return {
			write: (piece) => void (received += piece.length),
			end: () => (heard.push("end"), { status: 200 }),
			abort: () => void heard.push("abort"),
		};
	});
	const socket = net.connect(port, "127.0.0.1");
	const answer: Buffer[] = [];
	socket.on("data", (chunk) => answer.push(chunk));
	socket.on("error", () => undefined);
	const closed = new Promise((resolve) => socket.on("close", resolve));
	const head = [`POST /upload HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Content-Type: application/octet-stream", "Content-Length: 2000", "", ""].join("\r\n");
	socket.write(Buffer.concat([Buffer.from(head), Buffer.alloc(1000, 0xe9)]));
	for (const deadline = Date.now() + 5000; received < 1000 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
	assert.equal(received, 1000, "the half that was sent reached the sink");
	close!();
	await closed;
	await new Promise((resolve) => setTimeout(resolve, 50));
	assert.equal(Buffer.concat(answer).toString("latin1"), "", "no answer");
	assert.deepEqual(heard, [], "neither end nor abort after close");
	const response = await fetch(`http://127.0.0.1:${port}/echo`, { method: "POST", body: "hallo" });
	assert.equal(await response.text(), "got 5", "the server goes on answering");
});
