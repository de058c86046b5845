/*
 * The firmware's entry point: builds the device environment around the XS binding of the audio
 * core and boots the doorbell application (app/boot.ts, the same start-up as the simulator's),
 * which also decides the network (app/wifi-start.ts: the build's ssid, else the one stored by
 * the set-up page, else the set-up access point), then opens the web server.
 */

import { boot } from "./app/boot.js";
import { deviceSettings } from "./modules/device/settings.js";
import { createDeviceEnvironment } from "./modules/device/environment.js";
import { onPlatformStop } from "./modules/device/stop-hook.js";
import { installTextCodecs } from "./modules/device/text-globals.js";
import * as nativeAudio from "./rtp/native/audio-xs.js";

export default function main(): void {
	installTextCodecs();
	const settings = deviceSettings();
	const { env, http } = createDeviceEnvironment(settings, nativeAudio);
	const log = env.log;
	log.info(`starting: button GPIO${settings.buttonPin}, relay GPIO${settings.relayPin}${settings.bootButtonPin >= 0 ? `, BOOT button GPIO${settings.bootButtonPin}` : ""}, address ${env.localAddress()}`);
	try {
		const app = boot(env, {
			statusExtra: () => ({ device: true, audio: { core: !!env.audio, mic: !!env.mic, speaker: !!env.speaker } }),
			wifiBuild: settings.ssid ? { ssid: settings.ssid, password: settings.password } : undefined,
			accessPointPassword: settings.apPassword,
		});
		if (!app.web.admin.isSet) log.info("first run: open the web page to set the admin password");
		// Where the platform says it stops the application (the lin build's simulator), unregister first.
		if (onPlatformStop(() => {
			log.info("stopping: unregistering");
			app.stop();
		})) log.info("the simulator's Quit unregisters first");
	} catch (error) {
		// A stored setting that fails its check does not end up here: boot starts without it (the
		// log and the page name the key). Anything else leaves the door without its routes.
		log.error(`start-up failed: ${(error as Error)?.message ?? error}`);
	}
	http.listen();
	log.info(`web page on port ${settings.httpPort}: /sip (settings), /wifi (network)`);
}
