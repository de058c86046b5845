/*
 * Start-up of the doorbell application, the same on the device (main.ts) and in the simulator:
 * settings from the store, the user agent, the web routes, and (with the media issue) audio and
 * the door opener. A provider builds the environment and calls `boot`.
 */

import type { DoorbellEnvironment } from "./environment.js";
import { Doorbell } from "./doorbell.js";
import { uaConfigFrom, localPortFrom } from "./ua-config.js";
import { addStatusRoutes } from "./status-routes.js";
import { doorSettingsFrom } from "../config/door.js";
import { RelayPulse } from "../hardware/relay-pulse.js";
import { DoorEventLog } from "../hardware/door-events.js";
import { DoorOpener } from "../hardware/door-opener.js";

export interface BootOptions {
	/** Local SIP port wanted; the `local_port` setting (5062) when absent. */
	sipPort?: number;
	/** Log every SIP message. */
	trace?: boolean;
	/** More fields for /sipDebug from the provider (e.g. the virtual relay's pulses). */
	statusExtra?: () => Record<string, unknown>;
}

export interface Application {
	doorbell: Doorbell;
	/** The door opener (its `settings` can be replaced at run time) and its relay. */
	door: DoorOpener;
	relay: RelayPulse;
	/** Hangs up, unregisters and closes the sockets; `done` runs when that is over. */
	stop(done?: () => void): void;
}

/** Builds and starts the application. Throws SettingsError (naming the key) for bad settings. */
export function boot(env: DoorbellEnvironment, options: BootOptions = {}): Application {
	// The door relay is forced off first, whatever follows; and again when the application stops.
	const relay = new RelayPulse(env.relay, env.clock, env.log);
	const config = uaConfigFrom(env.store);
	const doorSettings = doorSettingsFrom(env.store);
	const localPort = options.sipPort ?? localPortFrom(env.store);
	if (!config.user) env.log.warn("no SIP account yet: set sip_user and sip_password (web page /sip or the settings)");
	const doorbell = new Doorbell(env, { config, localPort, trace: options.trace ?? false });
	const door = new DoorOpener({ clock: env.clock, log: env.log, relay, events: new DoorEventLog(env.wallClock), pbx: () => doorbell.ua.pbx }, doorSettings);
	door.playTone = (kind) => doorbell.playTone?.(kind);
	doorbell.onDigit = (call, digit, via, source) => door.digit(call, digit, via, source);
	addStatusRoutes(env.routes, doorbell, () => ({ ...door.status(20), ...options.statusExtra?.() }));
	doorbell.start();
	return {
		doorbell,
		door,
		relay,
		stop(done) {
			relay.off();
			doorbell.stop(() => {
				relay.close();
				done?.();
			});
		},
	};
}
