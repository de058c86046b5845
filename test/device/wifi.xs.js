/*
 * modules/device/wifi.ts (as tsc -p tsconfig.device.json emits it) on the XS test host, over
 * models of the SDK's ESP32 `wifi` and `net` (sdk/wifi.js, sdk/net.js; KLINGEL_XS_EMBEDDED=
 * test/device/sdk): a fresh door, whose Wi-Fi nothing has initialised yet, opens its set-up
 * access point and joins the home network chosen on the set-up page. Prints "ok - …" /
 * "not ok - …" lines and "N passed, N failed".
 */
import { deviceWifi } from "../../build/device/modules/device/wifi.js";
import WiFi, { esp } from "wifi";
import { STATION_MAC } from "net";

let passed = 0, failed = 0;

function check(ok, name, detail) {
	if (ok) passed++;
	else failed++;
	print(`${ok ? "ok" : "not ok"} - ${name}${ok ? "" : `: ${detail}`}`);
}

// A clock that moves when told.
let now = 0, nextId = 1;
const timers = new Map();
const clock = {
	now: () => now,
	setTimeout(callback, ms) {
		timers.set(nextId, { callback, due: now + ms, every: 0 });
		return nextId++;
	},
	clearTimeout(id) { timers.delete(id); },
	setInterval(callback, ms) {
		timers.set(nextId, { callback, due: now + ms, every: ms });
		return nextId++;
	},
	clearInterval(id) { timers.delete(id); },
};
/** Moves the clock to `to`, running the timers due on the way. */
function advance(to) {
	for (;;) {
		let id, timer;
		for (const [k, t] of timers) if (t.due <= to && (!timer || t.due < timer.due)) [id, timer] = [k, t];
		if (!timer) break;
		now = timer.due;
		if (timer.every) timer.due += timer.every;
		else timers.delete(id);
		timer.callback();
	}
	now = to;
}
const warnings = [];
const log = { info() {}, warn(text) { warnings.push(text); print(`# warn: ${text}`); }, error(text) { print(`# error: ${text}`); } };

const HOME_ADDRESS = "192.168.1.20";
const connected = [];

// A fresh door: the set-up page's access point beside the station, then the home network.
check(WiFi.mode === WiFi.Mode.off, "the model starts as the SDK does: Wi-Fi off", `mode ${WiFi.mode}`);
const radio = deviceWifi({ clock, log, httpPort: 80, sntp: "" })({ onConnected: (address) => connected.push(address), onDisconnected() {} });
check(esp.hasStation, "the radio starts the station", `mode ${WiFi.mode}`);
const lastFour = STATION_MAC.replace(/:/g, "").slice(8);
check(radio.id === lastFour, "the access point's name ends in the station MAC's last four hex digits", `id ${radio.id}, MAC ${STATION_MAC}`);
radio.openAccessPoint(`klingel-${radio.id}`, "abcdefgh1234");
check(esp.hasAccessPoint && esp.hasStation, "the access point opens beside the station (APSTA)", `mode ${WiFi.mode}, access point ${esp.hasAccessPoint}, station ${esp.hasStation}`);
check(radio.accessPointAddress() === "192.168.4.1", "the set-up page is at the access point's address", radio.accessPointAddress());
radio.join("Home", "home-secret");
check(esp.joining === "Home" && esp.connectFailures === 0 && warnings.length === 0, "joining the network chosen on the set-up page starts at once", `joining ${esp.joining}, ${esp.connectFailures} failed connects, warnings ${JSON.stringify(warnings)}`);
advance(120_000);
check(esp.connectFailures === 0, "and is not retried", `${esp.connectFailures} failed connects in 2 minutes`);
if (esp.joining) esp.join(HOME_ADDRESS);
check(connected.length === 1 && connected[0] === HOME_ADDRESS, "the station reports its address", JSON.stringify(connected));
radio.closeAccessPoint();
check(esp.hasStation && !esp.hasAccessPoint && esp.stationAddress === HOME_ADDRESS, "closing the access point leaves the station connected", `mode ${WiFi.mode}, address ${esp.stationAddress}`);

print(`${passed} passed, ${failed} failed`);
