/*
 * modules/device/http-server.ts (as tsc -p tsconfig.device.json emits it) on the XS test host, over
 * a model of the SDK's http Server (sdk/http.js; KLINGEL_XS_EMBEDDED=test/device/sdk): what a
 * client sends before the body (the request line and the header lines) is kept up to
 * MAX_HEADER_CHARS and MAX_HEADER_LINES, whatever it sends, and such a request is answered 431
 * without its handler; a browser's request stays well within both. Prints "ok - …" / "not ok - …"
 * lines and "N passed, N failed".
 */
import { DeviceHttpServer, EXCHANGE_MS, MAX_HEADER_CHARS, MAX_HEADER_LINES } from "../../build/device/modules/device/http-server.js";
import { Server } from "http";
import { check, summary } from "./xs-checks.js";

// The SDK's ArrayBuffer.fromString, which the XS test host does not have (ASCII is enough here).
ArrayBuffer.fromString = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0)).buffer;

const FLOOD = 10000;
/** A name sent again and again: each line makes the value kept a copy longer, so fewer of them. */
const REPEATS = 2000;
const quiet = { info() {}, warn() {}, error() {} };
// A clock the test moves: timers fire only in advance().
const timers = new Map();
let now = 0, nextTimer = 1;
const clock = {
	now: () => now,
	setTimeout(callback, ms) {
		const id = nextTimer++;
		timers.set(id, { at: now + ms, callback });
		return id;
	},
	clearTimeout(id) {
		timers.delete(id);
	},
};
function advance(ms) {
	const end = now + ms;
	for (;;) {
		let next;
		for (const [id, t] of timers) if (t.at <= end && (!next || t.at < next[1].at)) next = [id, t];
		if (!next) break;
		timers.delete(next[0]);
		now = next[1].at;
		next[1].callback();
	}
	now = end;
}
const server = new DeviceHttpServer({ port: 80, maxBody: 4096, remoteAddress: false, log: quiet, clock });
let handled = 0;
server.add("GET", "/sip", () => {
	handled++;
	return { status: 200, headers: { "Content-Type": "text/plain" }, body: "ok\n" };
});
server.listen();
const sdk = Server.last;

/** The header names and the characters (names and values) the exchange keeps now. */
function kept(exchange) {
	const headers = exchange.klingel?.headers ?? {};
	let chars = 0;
	for (const name of Object.keys(headers)) chars += name.length + headers[name].length;
	return { lines: Object.keys(headers).length, chars };
}

/** One request: the status line, `header(i)` for i below `count` (a [name, value] pair), then the answer's status. */
function request(target, count, header) {
	const exchange = {};
	const most = { lines: 0, chars: 0 };
	sdk.tell(exchange, Server.status, target, "GET");
	for (let i = 0; i < count; i++) {
		const [name, value] = header(i);
		sdk.tell(exchange, Server.header, name, value);
		// Counted after every line up to well past the bounds, then now and then (counting is not free).
		if (i > 2 * MAX_HEADER_LINES && i % 500 !== 0 && i !== count - 1) continue;
		const now = kept(exchange);
		if (now.lines > most.lines) most.lines = now.lines;
		if (now.chars > most.chars) most.chars = now.chars;
	}
	const body = sdk.tell(exchange, Server.headersComplete);
	const response = sdk.tell(exchange, Server.prepareResponse);
	return { most, body, status: response?.status };
}

const value = "v".repeat(100);
{
	const before = handled;
	const r = request("/sip", FLOOD, (i) => [`x-flood-${i}`, value]);
	check(r.most.lines <= MAX_HEADER_LINES, `${FLOOD} header lines of distinct names: at most ${MAX_HEADER_LINES} are kept`, `kept ${r.most.lines}`);
	check(r.most.chars <= MAX_HEADER_CHARS, `${FLOOD} header lines of distinct names: at most ${MAX_HEADER_CHARS} characters are kept`, `kept ${r.most.chars}`);
	check(r.status === 431 && handled === before && r.body === false, `${FLOOD} header lines of distinct names: 431, the handler not run, the body skipped`, JSON.stringify({ status: r.status, handled: handled - before, body: r.body }));
}
{
	const before = handled;
	const r = request("/sip", REPEATS, () => ["x-flood", value]);
	check(r.most.chars <= MAX_HEADER_CHARS, `one header name sent ${REPEATS} times: at most ${MAX_HEADER_CHARS} characters of its values are kept`, `kept ${r.most.chars}`);
	check(r.status === 431 && handled === before, `one header name sent ${REPEATS} times: 431, the handler not run`, JSON.stringify({ status: r.status, handled: handled - before }));
}
{
	const before = handled;
	const r = request(`/sip?${"q".repeat(100000)}`, 0, undefined);
	check(r.status === 431 && handled === before, "a request line of 100,000 characters: 431, the handler not run", JSON.stringify({ status: r.status, handled: handled - before }));
}
{
	// What a desktop browser sends for the settings page, a session cookie and all (about 1 KB).
	const browser = [
		["host", "klingel.fritz.box"], ["connection", "keep-alive"], ["cache-control", "max-age=0"],
		["sec-ch-ua", '"Chromium";v="130", "Google Chrome";v="130", "Not?A_Brand";v="99"'], ["sec-ch-ua-mobile", "?0"], ["sec-ch-ua-platform", '"Windows"'],
		["upgrade-insecure-requests", "1"], ["user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"],
		["accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"],
		["sec-fetch-site", "same-origin"], ["sec-fetch-mode", "navigate"], ["sec-fetch-user", "?1"], ["sec-fetch-dest", "document"],
		["referer", "http://klingel.fritz.box/sip?n=saved"], ["accept-encoding", "gzip, deflate"], ["accept-language", "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"],
		["cookie", `klingel_sid=${"0123456789abcdef".repeat(3)}; other=${"x".repeat(200)}`],
	];
	const before = handled;
	const r = request("/sip?n=saved", browser.length, (i) => browser[i]);
	check(r.status === 200 && handled === before + 1, "a browser's request (17 header lines, about 1 KB) is handled", JSON.stringify({ status: r.status, handled: handled - before }));
}

{
	// The SDK's server has no timer: a connection that sends nothing, or stops halfway, or never
	// reads its answer, would hold one of lwIP's few sockets until a restart.
	sdk.detached.length = 0;
	const silent = {};
	sdk.tell(silent, Server.connection);
	const halfway = {};
	sdk.tell(halfway, Server.connection);
	sdk.tell(halfway, Server.status, "/sip", "GET");
	sdk.tell(halfway, Server.header, "host", "klingel.fritz.box");
	const whole = {};
	sdk.tell(whole, Server.connection);
	sdk.tell(whole, Server.status, "/sip", "GET");
	sdk.tell(whole, Server.headersComplete);
	sdk.tell(whole, Server.prepareResponse);
	sdk.tell(whole, Server.responseFragment, 1024);
	sdk.tell(whole, Server.responseComplete);
	advance(EXCHANGE_MS - 1);
	check(sdk.detached.length === 0, "no connection is closed before its time", `${sdk.detached.length} closed`);
	advance(1);
	check(sdk.detached.length === 2 && sdk.detached.includes(silent) && sdk.detached.includes(halfway), `a connection that sent nothing, and one that stopped halfway, are closed after ${EXCHANGE_MS / 1000} s; one answered is not`, `closed ${sdk.detached.map((x) => (x === silent ? "silent" : x === halfway ? "halfway" : "answered")).join(", ")}`);
	check(timers.size === 0, "no timer is left", `${timers.size} timers`);
}

summary();
