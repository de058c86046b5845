/*
 * The device provider: builds the doorbell environment (modules/environment.ts) from the Moddable
 * modules, as simulator.ts does from Node's. The audio core is given by main.ts: the XS binding of
 * the C99 core (rtp/native/audio-xs.js and .c, linked in by manifest.json). The microphone is
 * opened before the speaker: the PDM input needs I2S0, and the output takes the first free I2S unit.
 */

import type { DoorbellEnvironment } from "../environment.js";
import type { NativeAudio } from "../native-audio.js";
import { deviceUdp } from "./udp.js";
import { DeviceClock, deviceWallClock } from "./clock.js";
import { deviceMd5, deviceRandom, deviceSha256, deviceSha256Stream } from "./crypto.js";
import { DeviceFirmware } from "./firmware.js";
import { traceLogger } from "./logger.js";
import { PreferenceStore } from "./preference-store.js";
import { DeviceButton, DeviceLed, DeviceRelay } from "./gpio.js";
import { takeBootRelay } from "setup/klingel-relay";
import { DeviceHttpServer } from "./http-server.js";
import { openMic, openSpeaker } from "./audio.js";
import { deviceCamera } from "./camera.js";
import { deviceLocalAddress, deviceResolve } from "./network.js";
import deviceId from "./device-id.js";
import { deviceMqtt } from "./mqtt.js";
import { devicePost } from "./http-post.js";
import { deviceHealth } from "./health.js";
import { deviceAnnouncer } from "./mdns.js";
import { deviceWifi } from "./wifi.js";
import type { DeviceSettings } from "./settings.js";

export interface DeviceProvider {
	env: DoorbellEnvironment;
	http: DeviceHttpServer;
}

export function createDeviceEnvironment(settings: DeviceSettings, nativeAudio: NativeAudio): DeviceProvider {
	const log = traceLogger();
	const clock = new DeviceClock();
	clock.log = log;
	// The relay first: whatever fails later, the door opener is driven off (setup/klingel-relay
	// already did so at boot, before Wi-Fi; its pin is taken over).
	const relay = takeBootRelay() ?? new DeviceRelay({ pin: settings.relayPin, activeLow: settings.relayActiveLow, log });
	const button = new DeviceButton({ pin: settings.buttonPin, debounceMs: settings.buttonDebounceMs, clock });
	const http = new DeviceHttpServer({ port: settings.httpPort, maxBody: settings.httpMaxBody, remoteAddress: settings.httpRemoteAddress, log, clock });
	const audio = { sampleRate: settings.sampleRate, clock, log };
	const mic = settings.audio ? openMic(audio) : undefined;
	const speaker = settings.audio ? openSpeaker({ ...audio, queueMs: settings.speakerQueueMs }) : undefined;
	const env: DoorbellEnvironment = {
		udp: deviceUdp,
		clock,
		wallClock: deviceWallClock,
		md5: deviceMd5,
		sha256: deviceSha256,
		random: deviceRandom,
		log,
		audio: nativeAudio,
		store: new PreferenceStore(),
		routes: http,
		button,
		relay,
		localAddress: deviceLocalAddress,
		resolve: deviceResolve,
		health: deviceHealth(clock),
		mqtt: deviceMqtt,
		httpPost: devicePost,
		deviceId: deviceId(),
		announce: deviceAnnouncer(settings.httpPort, log, settings.mdns, clock),
		wifi: deviceWifi({ clock, log, httpPort: settings.httpPort, sntp: settings.sntp }),
		firmware: new DeviceFirmware(),
		sha256Stream: deviceSha256Stream,
		version: settings.version,
		boardPins: { buttonPin: settings.buttonPin, relayPin: settings.relayPin, gongPin: settings.gongPin, ledPin: settings.ledPin, bootButtonPin: settings.bootButtonPin },
	};
	if (mic) env.mic = mic;
	if (speaker) env.speaker = speaker;
	// The house gong's relay (off at once) and the status LED, where wired.
	if (settings.gongPin >= 0) env.gong = new DeviceRelay({ pin: settings.gongPin, activeLow: settings.gongActiveLow, log });
	if (settings.ledPin >= 0) env.led = new DeviceLed({ pin: settings.ledPin, pwm: !settings.liveImage });
	// The BOOT button, inside the housing (pulled up, debounced like the door button): held, it
	// resets the admin password (app/boot.ts).
	if (settings.bootButtonPin >= 0) env.bootButton = new DeviceButton({ pin: settings.bootButtonPin, debounceMs: settings.buttonDebounceMs, clock });
	// Bell buttons 2-4 on the pins the settings give (pulled up, debounced like button 1).
	env.openButton = (_bell, pin) => new DeviceButton({ pin, debounceMs: settings.buttonDebounceMs, clock });
	if (settings.liveImage) env.camera = deviceCamera({ width: settings.liveImageSize, height: settings.liveImageSize, clock });
	return { env, http };
}
