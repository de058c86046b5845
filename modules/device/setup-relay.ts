/*
 * Runs at boot as a Moddable setup module (named `setup/klingel-relay` in manifest.json), before
 * the SDK's setup/network has joined Wi-Fi and long before main: it drives the door-opener relay
 * off at once, so the pin never floats while the network comes up (which may take long, or
 * forever without an access point). The environment then takes over this same pin.
 */

// Bare module names: XS resolves a relative import against the module's name, and this module is
// named setup/…, not modules/device/….
import { DeviceRelay } from "modules/device/gpio";
import { traceLogger } from "modules/device/logger";
import { deviceSettings } from "modules/device/settings";

let relay: DeviceRelay | undefined;

export default function setup(done: () => void): void {
	try {
		const settings = deviceSettings();
		relay = new DeviceRelay({ pin: settings.relayPin, activeLow: settings.relayActiveLow, log: traceLogger() });
	} catch (error) {
		trace(`klingel: ERROR relay at boot: ${(error as Error)?.message ?? error}\n`);
	}
	done();
}

/** The relay opened at boot (once), or undefined when it could not be. */
export function takeBootRelay(): DeviceRelay | undefined {
	const taken = relay;
	relay = undefined;
	return taken;
}
