/*
 * modules/device/wifi.ts (as tsc -p tsconfig.device.json emits it) on the XS test host, over
 * models of the SDK's ESP32 `wifi` and `net` (sdk/wifi.js, sdk/net.js; KLINGEL_XS_EMBEDDED=
 * test/device/sdk): a fresh door, whose Wi-Fi nothing has initialised yet, opens its set-up
 * access point and joins the home network chosen on the set-up page. While the access point
 * stays open beside the station, the local address (modules/device/network.ts) is the
 * station's, and the name on the LAN (modules/device/mdns.ts, over a model of the SDK's `mdns`
 * probe) waits until the SDK's mdns finds that address. Prints "ok - …" / "not ok - …" lines
 * and "N passed, N failed".
 */
import { deviceWifi } from "../../build/device/modules/device/wifi.js";
import { deviceLocalAddress } from "../../build/device/modules/device/network.js";
import { deviceAnnouncer } from "../../build/device/modules/device/mdns.js";
import WiFi, { esp } from "wifi";
import { STATION_MAC } from "net";
import MDNS from "mdns";
import DNSServer from "dns/server";
import { check, summary } from "./xs-checks.js";

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
check(deviceLocalAddress() === "0.0.0.0", "no local address before Wi-Fi is up", deviceLocalAddress());
const radio = deviceWifi({ clock, log, httpPort: 80, sntp: "" })({ onConnected: (address) => connected.push(address), onDisconnected() {} });
check(esp.hasStation, "the radio starts the station", `mode ${WiFi.mode}`);
const lastFour = STATION_MAC.replace(/:/g, "").slice(8);
check(radio.id === lastFour, "the access point's name ends in the station MAC's last four hex digits", `id ${radio.id}, MAC ${STATION_MAC}`);
radio.openAccessPoint(`klingel-${radio.id}`, "abcdefgh1234");
check(esp.hasAccessPoint && esp.hasStation, "the access point opens beside the station (APSTA)", `mode ${WiFi.mode}, access point ${esp.hasAccessPoint}, station ${esp.hasStation}`);
check(radio.accessPointAddress() === "192.168.4.1", "the set-up page is at the access point's address", radio.accessPointAddress());
check(DNSServer.open === 1, "the captive portal's DNS server answers on it", `${DNSServer.open} open`);
{
	// What a phone's or a laptop's resolver asks: A with an EDNS OPT record (systemd-resolved,
	// dig), AAAA and HTTPS beside it. Each must get an answer a resolver reads: the A record in
	// the answer section (the OPT record after it), no records but NOERROR for the other types.
	const dns = DNSServer.last;
	const ask = (type, edns) => {
		const name = [7, ...Array.from("captive", (c) => c.charCodeAt(0)), 5, ...Array.from("apple", (c) => c.charCodeAt(0)), 3, 99, 111, 109, 0];
		const opt = edns ? [0, 0, 41, 4, 208, 0, 0, 128, 0, 0, 0] : [];
		dns.sent.length = 0;
		dns.deliver(Uint8Array.from([0x12, 0x34, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, edns ? 1 : 0, ...name, 0, type, 0, 1, ...opt]), "192.168.4.2", 53535);
		return dns.sent[0];
	};
	const sections = (bytes) => {
		const count = (at) => (bytes[at] << 8) | bytes[at + 1];
		let at = 12;
		while (bytes[at]) at += 1 + bytes[at];
		at += 5;
		const records = [];
		for (let n = count(6) + count(8) + count(10); n > 0 && at < bytes.length; n--) {
			const name = bytes[at] >= 0xc0 ? 2 : bytes[at] === 0 ? 1 : -1;
			if (name < 0) return undefined;
			at += name;
			const type = count(at), length = count(at + 8);
			records.push({ type, data: Array.from(bytes.subarray(at + 10, at + 10 + length)) });
			at += 10 + length;
		}
		return { id: count(0), flags: count(2), answers: records.slice(0, count(6)), additional: records.slice(count(6) + count(8)), end: at, length: bytes.length };
	};
	const a = ask(1, true);
	const read = a && sections(a.bytes);
	check(read?.id === 0x1234 && (read.flags & 0x800f) === 0x8000 && read.answers.length === 1 && read.answers[0].type === 1 && read.answers[0].data.join(".") === "192.168.4.1" && read.additional.length === 1 && read.additional[0].type === 41 && read.end === read.length && a.address === "192.168.4.2" && a.port === 53535,
		"an A query with an EDNS OPT record gets the access point's address in the answer section, the OPT record after it", JSON.stringify(read));
	for (const [type, name] of [[28, "AAAA"], [65, "HTTPS"]]) {
		const answer = ask(type, false);
		const other = answer && sections(answer.bytes);
		check(other?.id === 0x1234 && (other.flags & 0x800f) === 0x8000 && other.answers.length === 0 && other.end === other.length, `an ${name} query gets an answer without records (NOERROR), not silence that a resolver waits out`, JSON.stringify(other ?? "nothing sent"));
	}
}
radio.join("Home", "home-secret");
check(esp.joining === "Home" && esp.connectFailures === 0 && warnings.length === 0, "joining the network chosen on the set-up page starts at once", `joining ${esp.joining}, ${esp.connectFailures} failed connects, warnings ${JSON.stringify(warnings)}`);
advance(120_000);
check(esp.connectFailures === 0, "and is not retried", `${esp.connectFailures} failed connects in 2 minutes`);
if (esp.joining) esp.join(HOME_ADDRESS);
check(connected.length === 1 && connected[0] === HOME_ADDRESS, "the station reports its address", JSON.stringify(connected));

// The access point stays open beside the station for two more minutes (app/wifi-start.ts).
check(deviceLocalAddress() === HOME_ADDRESS, "the local address is the station's while the access point is open beside it", deviceLocalAddress());
// The start-up claims the name on the LAN once the station has its address (app/boot.ts).
deviceAnnouncer(80, log, true, clock)("klingel");
MDNS.made[0]?.probe();
check(MDNS.made.length === 0, "no mDNS while the SDK's mdns would find no address to state", `${MDNS.made.length} made, its probes stating ${JSON.stringify(MDNS.made[0]?.probed)}`);
advance(now + 60_000);
check(MDNS.made.length === 0, "nor a minute later with the access point still open", `${MDNS.made.length} made`);
radio.closeAccessPoint();
check(esp.hasStation && !esp.hasAccessPoint && esp.stationAddress === HOME_ADDRESS, "closing the access point leaves the station connected", `mode ${WiFi.mode}, address ${esp.stationAddress}`);
check(deviceLocalAddress() === HOME_ADDRESS, "and the local address as it was", deviceLocalAddress());
advance(now + 5_000);
const mdns = MDNS.made[MDNS.made.length - 1];
mdns?.probe();
check(MDNS.made.length === 1 && mdns.hostName === "klingel" && mdns.probed.length === 4 && mdns.probed.every((address) => address === HOME_ADDRESS), "mDNS starts within seconds of the access point closing, every probe stating the station's address", `${MDNS.made.length} made, probes stating ${JSON.stringify(mdns?.probed)}`);
check(mdns?.services.length === 1 && mdns.services[0].port === 80 && mdns.services[0].txt.path === "/sip", "and announces the web page once the name is claimed", JSON.stringify(mdns?.services));

// The access point again, this time opened before the ESP-IDF has a default interface: the
// SDK's socket refuses the captive portal's DNS server twice with "no network".
DNSServer.refuse = 2;
warnings.length = 0;
radio.openAccessPoint(`klingel-${radio.id}`, "abcdefgh1234");
check(DNSServer.open === 0 && warnings.length === 1 && warnings[0].includes("no network"), "a DNS server the SDK refuses for want of a network is said to wait", `${DNSServer.open} open, warnings ${JSON.stringify(warnings)}`);
advance(now + 1_000);
check(DNSServer.open === 0, "and tried again a second later (refused again)", `${DNSServer.open} open`);
advance(now + 1_000);
check(DNSServer.open === 1 && warnings.length === 1, "it opens as soon as the SDK lets it, with no further warning", `${DNSServer.open} open, warnings ${JSON.stringify(warnings)}`);
radio.closeAccessPoint();
DNSServer.refuse = 1;
radio.openAccessPoint(`klingel-${radio.id}`, "abcdefgh1234");
radio.closeAccessPoint();
const pending = timers.size;
advance(now + 10_000);
check(DNSServer.open === 0 && DNSServer.refuse === 0, "closing the access point ends the waiting: no server is opened later", `${DNSServer.open} open, ${pending} timers pending at the close`);

summary();
