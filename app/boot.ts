/*
 * Start-up of the doorbell application, the same on the device (main.ts) and in the simulator:
 * settings from the store, the user agent, the web routes, and (with the media issue) audio and
 * the door opener. A provider builds the environment and calls `boot`.
 */

import type { DoorbellEnvironment } from "../modules/environment.js";
import { Doorbell } from "./doorbell.js";
import { uaConfigFrom, localPortFrom, rtpPortFrom } from "../config/ua-config.js";
import { Settings } from "../config/settings.js";
import { keySpec, needsRestart } from "../config/keys.js";
import { addWebRoutes, type WebApp } from "../web/routes.js";
import { addDiagnosticsRoutes } from "../web/diagnostics.js";
import { addUpdateRoutes } from "../web/update.js";
import { confirmWhenWorking } from "./firmware-confirm.js";
import { doorSettingsFrom } from "../config/door.js";
import { RelayPulse } from "../hardware/relay-pulse.js";
import { DoorEventLog } from "../door/door-events.js";
import { DoorOpener } from "../door/door-opener.js";
import type { LockoutTimes } from "../door/door-lockout.js";
import { LiveImage } from "../hardware/live-image.js";
import { CameraKey } from "../web/camera-key.js";
import { CameraRoute } from "../web/camera-route.js";
import { readNumber, readText } from "../config/read.js";
import { RemoteDoor } from "../door/remote-door.js";
import { hookUrlsFrom, mqttSettingsFrom } from "../config/home.js";
import { Home } from "./home.js";
import { bellsFrom, GONG_PULSE_MS } from "../config/bells.js";
import { StatusLed } from "../hardware/status-led.js";
import { WifiStart } from "./wifi-start.js";
import type { WifiCredentials } from "../config/wifi.js";

export interface BootOptions {
	/** Local SIP port wanted; the `local_port` setting (5062) when absent. */
	sipPort?: number;
	/** Log every SIP message. */
	trace?: boolean;
	/** More fields for /sipDebug from the provider (e.g. the virtual relay's pulses). */
	statusExtra?: () => Record<string, unknown>;
	/** An admin password for the web page, set when none is stored yet (the simulator's KLINGEL_ADMIN_PASSWORD). */
	adminPassword?: string;
	/** SHA-256 rounds for the admin password hash (4096). */
	hashIterations?: number;
	/**
	 * Shorter lock-out durations for the simulator's end-to-end tests (--door-lockout-ms). The
	 * device's entry point never passes this, and no setting reaches it.
	 */
	doorLockout?: LockoutTimes;
	/** The build's network (manifest config `ssid`, `password`); it wins over the stored one. */
	wifiBuild?: WifiCredentials;
	/** The build's access-point password (`ap_password`); empty: a random one kept in the store. */
	accessPointPassword?: string;
}

export interface Application {
	doorbell: Doorbell;
	/** The door opener (its `settings` can be replaced at run time) and its relay. */
	door: DoorOpener;
	relay: RelayPulse;
	/** The event history and the links that tell the home (MQTT, webhooks). */
	home: Home;
	/** Remote door opening (MQTT). */
	remoteDoor: RemoteDoor;
	/** The live image (its camera runs only while frames are asked for). */
	image: LiveImage;
	/** The settings over the store, and the web page with its admin password and sessions. */
	settings: Settings;
	web: WebApp;
	/** The Wi-Fi start-up, where the environment has a radio. */
	wifi?: WifiStart;
	/** The status as /sipDebug shows it. */
	status(): Record<string, unknown>;
	/** Hangs up, unregisters and closes the sockets; `done` runs when that is over. */
	stop(done?: () => void): void;
}

/** Builds and starts the application. Throws SettingsError (naming the key) for bad settings. */
export function boot(env: DoorbellEnvironment, options: BootOptions = {}): Application {
	// The door relay is forced off first, whatever follows; and again when the application stops.
	const relay = new RelayPulse(env.relay, env.clock, env.log);
	// Then the network, before any stored setting is read: a bad one stops the start-up below,
	// and the door must still be reachable to be put right.
	let announce: (() => void) | undefined;
	const wifi = env.wifi ? new WifiStart({ radio: env.wifi, store: env.store, clock: env.clock, random: env.random, log: env.log, build: options.wifiBuild, accessPointPassword: options.accessPointPassword, onConnected: () => announce?.() }) : undefined;
	wifi?.start();
	// Opening the settings first finishes the roll-back of a save that a reset cut short.
	const settings = new Settings(env.store, env.log);
	const config = uaConfigFrom(env.store);
	const doorSettings = doorSettingsFrom(env.store);
	const localPort = options.sipPort ?? localPortFrom(env.store);
	if (!config.user) env.log.warn("no SIP account yet: set sip_user and sip_password (web page /sip or the settings)");
	const doorbell = new Doorbell(env, { config, localPort, rtpPort: rtpPortFrom(env.store), trace: options.trace ?? false, bells: bellsFrom(env.store), echoControl: () => readNumber(env.store, "aec") === 1 });
	let mqttSettings = mqttSettingsFrom(env.store);
	const home = new Home(env, {
		mqtt: mqttSettings,
		hooks: hookUrlsFrom(env.store),
		name: () => doorbell.ua.config.displayName,
		// The buttons that ring now (one set up after start waits for a restart for its GPIO).
		buttons: () => Array.from(doorbell.bells.entries()).filter(([n, bell]) => n === 1 || bell.settings.target !== "").map(([n]) => n).sort(),
		registered: () => doorbell.ua.registration.registered,
		onDoorCommand: (payload) => remoteDoor.command(payload, "mqtt"),
	});
	// The door's events are kept once, in the home's event log, which tells MQTT and the webhooks.
	const doorEvents = new DoorEventLog(home.events);
	const door = new DoorOpener({ clock: env.clock, log: env.log, relay, events: doorEvents, store: env.store, pbx: () => doorbell.ua.pbx, hangup: (call, reason) => {
		if (doorbell.ua.call === call) doorbell.ua.hangup(reason);
	} }, doorSettings, options.doorLockout);
	door.playTone = (kind) => doorbell.playTone?.(kind);
	doorbell.onDigit = (call, digit, via, source) => door.digit(call, digit, via, source);
	doorbell.onForeignDtmf = (call, source, more) => door.foreignDtmf(call, source, more);
	// Remote commands share the door's lock-out across calls: they are refused while it holds, and their wrong codes count towards it.
	const remoteDoor = new RemoteDoor({
		clock: env.clock, log: env.log, relay, events: doorEvents, settings: () => door.settings, enabled: () => mqttSettings.remoteDoor,
		lockedOut: () => (door.lockout.active ? `the door is locked out after too many wrong codes (${Math.ceil(door.lockout.remainingMs / 60000)} min more)` : undefined),
		wrong: () => {
			const started = door.lockout.wrong();
			return started ? `too many wrong codes: every code is refused for ${Math.round(started.durationMs / 60000)} min (lock-out ${started.level} in a row)` : undefined;
		},
	});
	// Every event is recorded after the work it reports: the INVITE written, the relay switched.
	doorbell.onEvent = (event) => home.record(event);
	doorbell.onRegistered = (registered) => home.registration(registered);
	// The house's own chime: the gong relay pulses for each press of a button that has it on
	// (not for the web page's test ring, which plays no chime at the door either).
	const gong = env.gong ? new RelayPulse(env.gong, env.clock, env.log) : undefined;
	doorbell.onPress = (bell, source) => {
		if (source === "button" && bell.gong && gong) gong.pulse(GONG_PULSE_MS);
	};
	const led = env.led
		? new StatusLed(env.led, env.clock, env.log, () => {
			const call = doorbell.ua.call;
			return { registered: doorbell.ua.registration.registered, call: call ? { state: call.state, direction: call.direction } : undefined, accessPoint: env.accessPoint?.() ?? false };
		})
		: undefined;
	const image = new LiveImage({ camera: env.camera, clock: env.clock, log: env.log });
	// The key is made at the first start with a camera; the page shows the URL that carries it.
	const cameraKey = env.camera ? new CameraKey(env.store, env.random) : undefined;
	const cameraRoute = cameraKey ? new CameraRoute({ routes: env.routes, image, key: cameraKey, clock: env.clock, enabled: () => readNumber(env.store, "cam_enabled") === 1 }) : undefined;
	const status = () => ({ version: env.version ?? "unknown", ...doorbell.status(), ...door.status(20), ...home.status(), camera: cameraRoute ? { ...image.status(), ...cameraRoute.status() } : null, gong: gong ? { on: gong.on, pulses: gong.pulses } : null, status_led: led ? { pattern: led.pattern, level: led.level } : null, ...options.statusExtra?.() });
	const web = addWebRoutes({
		routes: env.routes, settings, clock: env.clock, sha256: env.sha256, random: env.random, log: env.log, status,
		ring: (button) => doorbell.press("web", button),
		events: () => home.history(),
		hashIterations: options.hashIterations,
		cameraKey,
		wifi,
		// A new account unregisters the old one first (UserAgent.reconfigure); door settings apply from the next digit.
		onSaved: (changed) => {
			const now = changed.filter((key) => !needsRestart(key));
			if (now.some((key) => keySpec(key)?.namespace === "sip")) doorbell.reconfigure(uaConfigFrom(env.store));
			if (now.some((key) => keySpec(key)?.namespace === "door")) door.settings = doorSettingsFrom(env.store);
			if (now.some((key) => keySpec(key)?.namespace === "mqtt")) {
				mqttSettings = mqttSettingsFrom(env.store);
				if (home.mqtt) home.mqtt.settings = mqttSettings;
			}
			if (now.some((key) => keySpec(key)?.namespace === "hook") && home.webhooks) home.webhooks.urls = hookUrlsFrom(env.store);
			if (now.some((key) => keySpec(key)?.namespace === "bell" || key === "sip_displayname")) {
				doorbell.updateBells(bellsFrom(env.store));
				home.mqtt?.rediscover();
			}
			if (now.includes("cam_enabled") && readNumber(env.store, "cam_enabled") !== 1) image.stop();
		},
	});
	addDiagnosticsRoutes({ web, trace: doorbell.traceLog, localAddress: () => env.localAddress(), status, health: env.health });
	if (env.firmware && env.sha256Stream) addUpdateRoutes({ web, updater: env.firmware, sha256Stream: env.sha256Stream, clock: env.clock, log: env.log, version: env.version ?? "unknown" });
	if (options.adminPassword && !web.admin.isSet) web.admin.set(options.adminPassword);
	if (!web.admin.isSet) env.log.warn("no admin password yet: open the web page /sip to set one");
	doorbell.start();
	if (env.firmware) {
		const registration = doorbell.ua.registration;
		confirmWhenWorking({ updater: env.firmware, clock: env.clock, log: env.log, registered: () => registration.registered, tried: () => registration.state !== "idle" });
	}
	home.start();
	home.record({ type: "startup" });
	led?.start();
	// The name on the LAN is claimed once, when there is a LAN.
	const hostName = readText(env.store, "hostname");
	announce = () => {
		announce = undefined;
		env.announce?.(hostName);
	};
	if (!wifi || wifi.state === "connected") announce();
	return {
		doorbell,
		door,
		home,
		remoteDoor,
		relay,
		image,
		settings,
		web,
		wifi,
		status,
		stop(done) {
			relay.off();
			home.stop();
			gong?.close();
			led?.close();
			door.lockout.close();
			image.stop();
			doorbell.stop(() => {
				relay.close();
				done?.();
			});
		},
	};
}
