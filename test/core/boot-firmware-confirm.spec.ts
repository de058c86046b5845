// A freshly installed image in the whole application: it is kept once it has registered, or has
// tried its PBX from the home network for CONFIRM_AFTER_MS. A PBX whose name cannot be looked up
// is as much no fault of the image as one that does not answer; the set-up access point, which
// reaches no PBX, is no try at all, so an image that never got onto the home network stays
// returnable.
import { test, group, assert } from "../lib/spec.js";
import { FakeRadio } from "../lib/fake-radio.js";
import { bootApp } from "../lib/app-harness.js";
import { LOCAL } from "../lib/ua-harness.js";
import { MemoryUdp } from "../lib/rtp-fixtures.js";
import { CONFIRM_AFTER_MS } from "../../app/firmware-confirm.js";
import { FALLBACK_MS } from "../../app/wifi-start.js";
import type { FirmwareUpdater, UdpOptions } from "../../modules/ports.js";

/** The updater of an image just installed: it records confirm(). */
class PendingImage implements FirmwareUpdater {
	readonly maxSize = 1000;
	pendingConfirm = true;
	confirmed = 0;
	open(): never {
		throw new Error("no upload in these tests");
	}
	restart(): void {}
	confirm(): void {
		this.confirmed++;
		this.pendingConfirm = false;
	}
}

group("a new image in the application", () => {
	test("a PBX name that cannot be looked up (a typo in sip_server): the image that runs is kept after 60 s of trying, not returned at the next reset", () => {
		const firmware = new PendingImage();
		const a = bootApp({
			settings: { sip: { sip_server: "fritz.bx" } },
			env: { firmware, resolve: (_host, callback) => callback(new Error("not found")) },
		});
		assert.equal(a.application.doorbell.ua.registration.registered, false);
		a.clock.advance(CONFIRM_AFTER_MS + 2000);
		assert.ok(a.lines.some((l) => /cannot resolve the PBX name fritz\.bx/.test(l)), a.lines.join("\n"));
		assert.equal(firmware.confirmed, 1, a.lines.join("\n"));
	});

	test("Wi-Fi down at the first start: a REGISTER over the set-up access point is no try; the image is kept once the station is on the home network and registers", () => {
		const firmware = new PendingImage();
		const radio = new FakeRadio();
		const a = bootApp({
			settings: { wifi: { ssid: "FRITZ!Box 7590 XY", pass: "Wlan-Schluessel-42" } },
			network: () => radio.up,
			udp: (o: UdpOptions) => new MemoryUdp(o.port ?? 0, LOCAL),
			env: {
				firmware,
				wifi: (events) => {
					radio.events = events;
					return radio;
				},
			},
		});
		a.clock.advance(FALLBACK_MS + 1000);
		assert.equal(radio.accessPoint, true);
		assert.ok(a.sent().some((m) => m.method === "REGISTER"), "the REGISTER goes out over the access point");
		a.clock.advance(10 * CONFIRM_AFTER_MS);
		assert.equal(firmware.confirmed, 0, "never on the home network: a reset must still return to the previous image");
		a.sent();
		radio.events.onConnected("192.168.178.40");
		a.clock.advance(1000);
		assert.equal(a.acceptRegister(), true);
		assert.equal(a.application.doorbell.ua.registration.registered, true);
		a.clock.advance(1000);
		assert.equal(firmware.confirmed, 1);
	});
});
