/*
 * The firmware's entry point (Moddable runs main's default export once the network is up):
 * builds the device environment around the XS binding of the audio core, boots the doorbell
 * application (app/boot.ts, the same start-up as the simulator's), opens the web server and
 * keeps Wi-Fi joined.
 */

import { boot } from "./app/boot.js";
import { deviceSettings } from "./modules/device/settings.js";
import { createDeviceEnvironment } from "./modules/device/environment.js";
import { watchWifi } from "./modules/device/wifi-watch.js";
import { onPlatformStop } from "./modules/device/stop-hook.js";
import { installTextCodecs } from "./modules/device/text-globals.js";
import * as nativeAudio from "./rtp/native/audio-xs.js";

export default function main(): void {
	installTextCodecs();
	const settings = deviceSettings();
	const { env, http } = createDeviceEnvironment(settings, nativeAudio);
	const log = env.log;
	log.info(`starting: button GPIO${settings.buttonPin}, relay GPIO${settings.relayPin}, address ${env.localAddress()}`);
	try {
		const app = boot(env, { statusExtra: () => ({ device: true, audio: { core: !!env.audio, mic: !!env.mic, speaker: !!env.speaker } }) });
		if (!app.web.admin.isSet) log.info("first run: open the web page to set the admin password");
		// Where the platform says it stops the application (the lin build's simulator), unregister first.
		if (onPlatformStop(() => {
			log.info("stopping: unregistering");
			app.stop();
		})) log.info("the simulator's Quit unregisters first");
	} catch (error) {
		// Bad stored settings: say which key (the serial console is then the way to find out).
		log.error(`start-up failed: ${(error as Error)?.message ?? error}`);
	}
	http.listen();
	log.info(`web page on http://${env.localAddress()}${settings.httpPort === 80 ? "" : `:${settings.httpPort}`}/sip`);
	watchWifi({ ssid: settings.ssid, password: settings.password, clock: env.clock, log });
}
