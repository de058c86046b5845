/*
 * modules/device/http-post.ts (as tsc -p tsconfig.device.json emits it) on the XS test host, over
 * a model of the SDK's http Request (sdk/http.js; KLINGEL_XS_EMBEDDED=test/device/sdk): a
 * webhook's answer is skipped piece by piece, however long, never held whole, so a URL that
 * answers with a big page cannot run the device's heap out; the exchange still ends with the
 * answer's status, once. Prints "ok - …" / "not ok - …" lines and "N passed, N failed".
 */
import { devicePost } from "../../build/device/modules/device/http-post.js";
import { Request } from "http";
import Timer from "timer";
import { check, summary } from "./xs-checks.js";

// The SDK's ArrayBuffer.fromString, which the XS test host does not have (ASCII is enough here).
ArrayBuffer.fromString = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0)).buffer;

const MIB = 1024 * 1024, PIECE = 1460;

for (const withLength of [true, false]) {
	const how = withLength ? "with a Content-Length" : "ending at the server's close";
	const ends = [];
	devicePost({ host: "192.168.178.20", port: 8123, path: "/hook", headers: { "Content-Type": "application/json" }, body: "{}", timeoutMs: 10000, done: (error, status) => void ends.push([error, status]) });
	const sdk = Request.last;
	sdk.answer(200, MIB, PIECE, withLength);
	check(ends.length === 1 && ends[0][0] === undefined && ends[0][1] === 200, `a 1 MiB answer ${how}: the exchange ends once, with its status`, JSON.stringify(ends));
	check(sdk.held <= PIECE, `a 1 MiB answer ${how}: at most one piece (${PIECE} bytes) is held at a time`, `held ${sdk.held} bytes`);
	check(sdk.closed && Timer.pending === 0, `a 1 MiB answer ${how}: the request is closed and its timer cleared`, JSON.stringify({ closed: sdk.closed, timers: Timer.pending }));
}

summary();
