/*
 * Start-up of the doorbell application, the same on the device (main.ts) and in the simulator:
 * settings from the store, the user agent, the web routes, and (with the media issue) audio and
 * the door opener. A provider builds the environment and calls `boot`.
 */

import type { DoorbellEnvironment } from "./environment.js";
import { Doorbell } from "./doorbell.js";
import { uaConfigFrom, localPortFrom } from "./ua-config.js";
import { addStatusRoutes } from "./status-routes.js";

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
	/** Hangs up, unregisters and closes the sockets; `done` runs when that is over. */
	stop(done?: () => void): void;
}

/** Builds and starts the application. Throws SettingsError (naming the key) for bad settings. */
export function boot(env: DoorbellEnvironment, options: BootOptions = {}): Application {
	const config = uaConfigFrom(env.store);
	const localPort = options.sipPort ?? localPortFrom(env.store);
	if (!config.user) env.log.warn("no SIP account yet: set sip_user and sip_password (web page /sip or the settings)");
	const doorbell = new Doorbell(env, { config, localPort, trace: options.trace ?? false });
	addStatusRoutes(env.routes, doorbell, options.statusExtra);
	doorbell.start();
	return {
		doorbell,
		stop(done) {
			doorbell.stop(done);
		},
	};
}
