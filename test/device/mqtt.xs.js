/*
 * modules/device/mqtt.js (plain JavaScript, run as it is) on the XS test host, over a model of
 * the SDK's `mqtt` Client (sdk/mqtt.js; KLINGEL_XS_EMBEDDED=test/device/sdk): a broker that
 * refuses the account says so in the link's reason, as MQTT.js does in the simulator, where the
 * SDK gives no reason at all; and a connection the SDK gives up (a broker silent past the
 * keep-alive) ends without a DISCONNECT, which would tell the broker to drop the last will
 * `offline`. Prints "ok - …" / "not ok - …" lines and "N passed, N failed".
 */
import { deviceMqtt } from "../../modules/device/mqtt.js";
import Client from "mqtt";
import { check, summary } from "./xs-checks.js";

function connect() {
	const seen = { connected: 0, closed: [] };
	const client = deviceMqtt({
		host: "127.0.0.1", port: 1883, clientId: "klingel-test", user: "u", password: "p",
		will: { topic: "klingel/x/availability", payload: "offline", retain: true }, keepAliveS: 30,
		onConnect: () => void seen.connected++,
		onMessage() {},
		onClose: (reason) => void seen.closed.push(reason),
	});
	return { client, sdk: Client.last, seen };
}

const words = [];
for (const code of [1, 2, 3, 4, 5, 6]) {
	const { sdk, seen } = connect();
	sdk.connack(code);
	words.push(seen.closed[0]);
	check(seen.closed.length === 1 && seen.connected === 0, `a CONNACK with code ${code} ends the attempt once`, JSON.stringify(seen));
}
check(/user name or password/.test(words[3]) && /not authori[sz]ed/.test(words[4]), "a refused account is named: bad user name or password (4), not authorised (5)", JSON.stringify(words));
check(/MQTT 3\.1\.1/.test(words[0]) && /client id/.test(words[1]) && /unavailable/.test(words[2]) && /code 6/.test(words[5]), "every other refusal in words, an unknown one by its code", JSON.stringify(words));

{
	const { client, sdk, seen } = connect();
	sdk.connack(0);
	check(seen.connected === 1 && client.publish("t", "p", false) === true, "an accepted connection publishes", JSON.stringify(seen));
	sdk.silence();
	check(seen.closed.length === 1 && /no answer/.test(seen.closed[0]), "a broker silent past the keep-alive is named", JSON.stringify(seen.closed));
	check(!sdk.written.includes("DISCONNECT"), "the connection the SDK gave up ends without a DISCONNECT: the broker publishes the last will", JSON.stringify(sdk.written));
	check(client.publish("t", "p", false) === false, "nothing is published after", "");
}
{
	const { sdk, seen } = connect();
	sdk.connack(0);
	sdk.socketError();
	check(seen.closed.length === 1 && seen.closed[0] === "connection lost", "a socket error after the CONNACK: connection lost", JSON.stringify(seen.closed));
	const refused = connect();
	refused.sdk.socketError();
	check(refused.seen.closed[0] === "connection refused or failed", "one before it: refused or failed", JSON.stringify(refused.seen.closed));
}
{
	const { client, sdk, seen } = connect();
	sdk.connack(0);
	client.close();
	check(sdk.written.includes("DISCONNECT") && seen.closed.length === 0, "the link's own close still says DISCONNECT, and is not reported back", JSON.stringify({ written: sdk.written, closed: seen.closed }));
}

summary();
