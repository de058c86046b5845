import { test, group, assert } from "../lib/spec.js";
import { FakeClock } from "../lib/fake-clock.js";
import { Webhooks, QUEUE_SIZE, TIMEOUT_MS, base64, encodeHookUrl, parseHookUrl, redactUrl } from "../../home/webhooks.js";
import type { HttpPostRequest } from "../../modules/ports.js";

function rig(urls = ["http://user:pa%3Ass@192.168.178.20:8123/api/webhook/klingel?x=1"]) {
	const clock = new FakeClock();
	const requests: HttpPostRequest[] = [];
	const aborted: HttpPostRequest[] = [];
	const lines: string[] = [];
	const hooks = new Webhooks({
		post: (request) => {
			requests.push(request);
			// As the providers do: abandoning a request ends it with "abandoned".
			return () => {
				aborted.push(request);
				request.done("abandoned");
			};
		},
		clock, log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) }, userAgent: "klingel/test",
	}, urls);
	return { clock, requests, aborted, lines, hooks };
}

group("webhooks", () => {
	test("URLs: http only, port and path, user and password for Basic authorization; shown without the password", () => {
		assert.deepEqual(parseHookUrl("http://nodered.lan:1880/klingel"), { host: "nodered.lan", port: 1880, path: "/klingel", userinfo: "" });
		assert.deepEqual(parseHookUrl("http://10.0.0.2?a=b"), { host: "10.0.0.2", port: 80, path: "/?a=b", userinfo: "" });
		assert.equal(parseHookUrl("http://a:b%40c@h/").userinfo, "a:b@c");
		assert.throws(() => parseHookUrl("https://h/"), /http:\/\/.*https/);
		assert.throws(() => parseHookUrl("ftp://h/"), /http:\/\//);
		assert.throws(() => parseHookUrl("http://h:99999/"), /port/);
		assert.throws(() => parseHookUrl("http://h/a b"), /http:\/\//);
		assert.equal(redactUrl("http://user:secret@h:1/p"), "http://user:***@h:1/p");
		assert.equal(redactUrl("http://h/p"), "http://h/p");
		assert.equal(base64("Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
		assert.equal(base64("ü"), "w7w=");
	});

	test("a path or query beyond ASCII is percent-encoded as UTF-8 (as a browser sends it); the user and password stay as typed", () => {
		const url = "http://jörg:pä%40ss@homeassistant.local:8123/api/webhook/дверь?raum=küche&x=%C3%A4😀";
		assert.equal(parseHookUrl(url).path, "/api/webhook/%D0%B4%D0%B2%D0%B5%D1%80%D1%8C?raum=k%C3%BCche&x=%C3%A4%F0%9F%98%80");
		assert.equal(parseHookUrl(url).userinfo, "jörg:pä@ss");
		assert.equal(encodeHookUrl(url), "http://jörg:pä%40ss@homeassistant.local:8123/api/webhook/%D0%B4%D0%B2%D0%B5%D1%80%D1%8C?raum=k%C3%BCche&x=%C3%A4%F0%9F%98%80");
		assert.equal(encodeHookUrl("http://h:1/a/%C3%A4?b=c"), "http://h:1/a/%C3%A4?b=c", "an encoded URL stays as it is");
		assert.equal(encodeHookUrl("http://h"), "http://h");
		// A phone's keyboard capitalises the first letter; a scheme is case-insensitive (RFC 3986 §3.1).
		assert.equal(encodeHookUrl("Http://h/Web"), "http://h/Web");
		assert.deepEqual(parseHookUrl("HTTP://h:8/p"), { host: "h", port: 8, path: "/p", userinfo: "" });
		assert.throws(() => parseHookUrl("Https://h/"), /https/);
		assert.throws(() => parseHookUrl("http://h/a\ud800b"), /character/);
		const { clock, requests, hooks } = rig([url]);
		hooks.send("a");
		clock.advance(0);
		assert.equal(requests[0].path, "/api/webhook/%D0%B4%D0%B2%D0%B5%D1%80%D1%8C?raum=k%C3%BCche&x=%C3%A4%F0%9F%98%80");
		assert.equal(hooks.status()[0].to, "homeassistant.local:8123/api/webhook/%D0%B4%D0%B2%D0%B5%D1%80%D1%8C?***", "the status shows the path encoded, the query hidden");
	});

	test("posts the JSON from a timer turn of its own, with Basic authorization", () => {
		const { clock, requests, hooks } = rig();
		hooks.send('{"type":"ring"}');
		assert.equal(requests.length, 0, "nothing sent inside send()");
		clock.advance(0);
		assert.equal(requests.length, 1);
		const r = requests[0];
		assert.equal(r.host, "192.168.178.20");
		assert.equal(r.port, 8123);
		assert.equal(r.path, "/api/webhook/klingel?x=1");
		assert.equal(r.body, '{"type":"ring"}');
		assert.equal(r.headers.Authorization, `Basic ${base64("user:pa:ss")}`);
		assert.equal(r.headers["Content-Type"], "application/json");
		assert.equal(r.timeoutMs, TIMEOUT_MS);
		r.done(undefined, 204);
		assert.deepEqual(hooks.status()[0], { to: "192.168.178.20:8123/api/webhook/klingel?***", queued: 0, sent: 1, failed: 0, dropped: 0, last_error: "" });
	});

	test("one request at a time; retries after 2 s and 8 s, then the event is given up and the next one goes", () => {
		const { clock, requests, hooks, lines } = rig();
		hooks.send("a");
		hooks.send("b");
		clock.advance(0);
		assert.equal(requests.length, 1);
		requests[0].done("ECONNREFUSED");
		clock.advance(1999);
		assert.equal(requests.length, 1);
		clock.advance(1);
		assert.equal(requests[1].body, "a");
		requests[1].done(undefined, 503);
		clock.advance(8000);
		assert.equal(requests[2].body, "a");
		requests[2].done("ECONNRESET");
		clock.advance(0);
		assert.equal(requests[3].body, "b");
		assert.equal(hooks.status()[0].failed, 1);
		assert.ok(lines.some((l) => /event not delivered \(ECONNRESET, attempt 3\)/.test(l)));
		assert.ok(!lines.some((l) => l.includes("pa:ss") || l.includes("pa%3Ass")), "no password in a log line");
	});

	test("a 4xx refusal is not retried", () => {
		const { clock, requests, hooks } = rig();
		hooks.send("a");
		clock.advance(0);
		requests[0].done(undefined, 404);
		clock.advance(20000);
		assert.equal(requests.length, 1);
		assert.equal(hooks.status()[0].last_error, "HTTP 404");
	});

	test("a redirect (3xx) is final, as every answer but 408, 429 and 5xx: the doorbell follows none, and the log says so", () => {
		const { clock, requests, hooks, lines } = rig();
		hooks.send("a");
		hooks.send("b");
		clock.advance(0);
		requests[0].done(undefined, 301);
		clock.advance(0);
		assert.equal(requests.length, 2, "the next event goes at once, no retry of the first");
		assert.equal(requests[1].body, "b");
		requests[1].done(undefined, 307);
		clock.advance(20000);
		assert.equal(requests.length, 2);
		assert.equal(hooks.status()[0].failed, 2);
		assert.match(String(hooks.status()[0].last_error), /^HTTP 307 \(a redirect/);
		assert.ok(lines.some((l) => /event not delivered \(HTTP 301 \(a redirect, which the doorbell does not follow\), attempt 1\)/.test(l)), lines.join("\n"));
	});

	test("the queue is bounded: the oldest waiting event is dropped and counted, the one in flight stays", () => {
		const { clock, requests, hooks } = rig();
		hooks.send("0");
		clock.advance(0);
		for (let i = 1; i < 20; i++) hooks.send(String(i));
		clock.advance(0);
		assert.equal(requests.length, 1);
		assert.equal(requests[0].body, "0");
		const status = hooks.status()[0];
		assert.equal(status.queued, QUEUE_SIZE);
		assert.equal(status.dropped, 20 - QUEUE_SIZE);
		requests[0].done(undefined, 200);
		clock.advance(0);
		assert.equal(requests[1].body, String(20 - QUEUE_SIZE + 1), "the newest are kept");
	});

	test("an event dropped from a full queue while it waits for a retry takes its attempts and its retry timer along", () => {
		const { clock, requests, hooks, lines } = rig();
		for (let i = 0; i < QUEUE_SIZE; i++) hooks.send(String(i));
		clock.advance(0);
		requests[0].done("ECONNREFUSED");
		clock.advance(2000);
		requests[1].done("ECONNREFUSED");
		assert.equal(requests.length, 2, "event 0 waits 8 s for its third attempt");
		hooks.send("new");
		assert.equal(hooks.status()[0].dropped, 1);
		clock.advance(0);
		assert.equal(requests.length, 3);
		assert.equal(requests[2].body, "1", "the next event goes at once, not after the dropped one's wait");
		requests[2].done("ECONNREFUSED");
		clock.advance(2000);
		assert.equal(requests.length, 4, "its own second attempt");
		assert.equal(requests[3].body, "1");
		assert.equal(hooks.status()[0].failed, 0);
		assert.ok(!lines.some((l) => /not delivered/.test(l)), lines.join("\n"));
		clock.advance(8000);
		assert.equal(requests.length, 4, "no timer of the dropped event is left");
		requests[3].done("ECONNREFUSED");
		clock.advance(8000);
		assert.equal(requests[4].body, "1");
		requests[4].done("ECONNREFUSED");
		assert.ok(lines.some((l) => /event not delivered \(ECONNREFUSED, attempt 3\)/.test(l)));
		clock.advance(0);
		assert.equal(requests[5].body, "2");
	});

	test("a request that never ends is abandoned by the timeout guard", () => {
		const { clock, requests, aborted, hooks } = rig();
		hooks.send("a");
		clock.advance(0);
		clock.advance(TIMEOUT_MS + 1000);
		assert.equal(aborted.length, 1);
		assert.match(String(hooks.status()[0].last_error), /no answer within 5 s/);
		clock.advance(2000);
		assert.equal(requests.length, 2, "retried");
	});

	test("stop(): the request in flight is abandoned quietly, no timer is left and later events are not posted", () => {
		const { clock, requests, aborted, hooks } = rig();
		hooks.send("a");
		clock.advance(0);
		hooks.stop();
		assert.equal(aborted.length, 1);
		assert.equal(clock.pending, 0, "no retry, no guard timer");
		assert.equal(hooks.status()[0].last_error, "", "abandoning is no error");
		hooks.send("b");
		clock.advance(20000);
		assert.equal(requests.length, 1, "nothing posted after stop()");
	});

	test("new URLs: the old one's request in flight is abandoned quietly (no \"not delivered\"), no timer of it is left, events go to the new one", () => {
		const { clock, requests, aborted, hooks, lines } = rig();
		hooks.send("a");
		clock.advance(0);
		requests[0].done("ECONNREFUSED");
		clock.advance(2000);
		requests[1].done("ECONNREFUSED");
		clock.advance(8000);
		assert.equal(requests.length, 3, "the third attempt is in flight");
		hooks.urls = ["http://10.0.0.3/neu"];
		assert.equal(aborted.length, 1);
		assert.ok(!lines.some((l) => /not delivered/.test(l)), lines.join("\n"));
		assert.equal(clock.pending, 0);
		hooks.send("b");
		clock.advance(0);
		assert.deepEqual(requests.slice(3).map((r) => [r.host, r.body]), [["10.0.0.3", "b"]]);
		requests[3].done(undefined, 204);
		clock.advance(20000);
		assert.equal(requests.length, 4);
		assert.deepEqual(hooks.status(), [{ to: "10.0.0.3:80/neu", queued: 0, sent: 1, failed: 0, dropped: 0, last_error: "" }]);
	});

	test("at most two URLs; a bad one is left out with a message that does not repeat it", () => {
		const { hooks, lines } = rig(["https://u:secret@h/", "http://a/", "http://b/", "http://c/"]);
		assert.deepEqual(hooks.status().map((s) => s.to), ["a:80/"]);
		assert.ok(lines.some((l) => /https/.test(l)) && !lines.some((l) => l.includes("secret")));
	});
});
