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
import { readNumber, readText, type BadSetting, type SettingsError } from "../config/read.js";
import { RemoteDoor } from "../door/remote-door.js";
import { hookUrlsFrom, mqttSettingsFrom } from "../config/home.js";
import { Home } from "./home.js";
import { bellRings, bellsFrom, GONG_PULSE_MS, type BellSettings } from "../config/bells.js";
import { StatusLed } from "../hardware/status-led.js";
import { BOOT_HOLD_MS, ButtonHold } from "../hardware/button-hold.js";
import { WifiStart } from "./wifi-start.js";
import type { WifiCredentials } from "../config/wifi.js";
import type { DoorCall } from "../door/door-opener.js";
import type { MqttSettings } from "../home/mqtt-link.js";
import type { RingResult } from "../sip/user-agent.js";

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
	/**
	 * A stored setting that fails its check stops the start-up (a SettingsError naming the key),
	 * as the simulator wants for its developer's settings file. Without it (the device) the door
	 * starts with everything valid, a bad key counting as its default (the door code as none)
	 * until a save puts it right; the log names the key and the page shows it.
	 */
	stopOnBadSetting?: boolean;
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

/** Builds and starts the application. Throws SettingsError (naming the key) for a bad setting with stopOnBadSetting. */
export function boot(env: DoorbellEnvironment, options: BootOptions = {}): Application {
	return new App(env, options);
}

/*
 * The wiring's callbacks are methods bound to the application, not closures: on the device a
 * closure made at run time by a preloaded module gets a copy of its code (nested functions'
 * included) in the XS chunk heap, where a method stays in flash and a bound function holds only
 * references.
 */
class App implements Application {
	readonly doorbell: Doorbell;
	readonly door: DoorOpener;
	readonly relay: RelayPulse;
	readonly home: Home;
	readonly remoteDoor: RemoteDoor;
	readonly image: LiveImage;
	readonly settings: Settings;
	readonly web: WebApp;
	readonly wifi?: WifiStart;
	readonly #env: DoorbellEnvironment;
	readonly #options: BootOptions;
	readonly #gong?: RelayPulse;
	readonly #led?: StatusLed;
	readonly #cameraRoute?: CameraRoute;
	readonly #bootHold?: ButtonHold;
	#mqttSettings: MqttSettings;
	/** The name to claim on the LAN: set when the start-up is over, let go once claimed. */
	#hostName?: string;
	/** Told of a stored setting that fails its check; absent with stopOnBadSetting, which throws instead. */
	readonly #bad?: BadSetting;
	/** The keys whose bad stored value was logged (each once; bounded by the table of keys). */
	readonly #told = new Set<string>();
	/** From the end of the start-up until stop(): the network coming up starts what waits for it. */
	#running = false;
	/** Whether the SIP and RTP ports are open and the user agent and MQTT started. */
	#started = false;

	constructor(env: DoorbellEnvironment, options: BootOptions) {
		this.#env = env;
		this.#options = options;
		// The door relay is forced off first, whatever follows; and again when the application stops.
		const relay = this.relay = new RelayPulse(env.relay, env.clock, env.log);
		// Then the network, before any stored setting is read: with stopOnBadSetting a bad one stops
		// the start-up below, and the door must still be reachable to be put right.
		const wifi = this.wifi = env.wifi ? new WifiStart({ radio: env.wifi, store: env.store, clock: env.clock, random: env.random, log: env.log, build: options.wifiBuild, accessPointPassword: options.accessPointPassword, onConnected: this.#networkUp.bind(this, true), onAccessPoint: this.#networkUp.bind(this, false) }) : undefined;
		wifi?.start();
		// Opening the settings first finishes the roll-back of a save that a reset cut short.
		const settings = this.settings = new Settings(env.store, env.log, env.boardPins);
		const bad = this.#bad = options.stopOnBadSetting ? undefined : this.#badSetting.bind(this);
		const config = uaConfigFrom(env.store, bad);
		const doorSettings = doorSettingsFrom(env.store, bad);
		const localPort = options.sipPort ?? localPortFrom(env.store, bad);
		if (!config.user) env.log.warn("no SIP account yet: set sip_user and sip_password (web page /sip or the settings)");
		const doorbell = this.doorbell = new Doorbell(env, { config, localPort, rtpPort: rtpPortFrom(env.store, bad), trace: options.trace ?? false, bells: bellsFrom(env.store, bad, env.boardPins), echoControl: this.#echoControl.bind(this) });
		this.#mqttSettings = mqttSettingsFrom(env.store, bad);
		const home = this.home = new Home(env, {
			mqtt: this.#mqttSettings,
			hooks: hookUrlsFrom(env.store, bad),
			name: this.#displayName.bind(this),
			buttons: this.#buttons.bind(this),
			registered: this.#registered.bind(this),
			onDoorCommand: this.#doorCommand.bind(this),
		});
		// The door's events are kept once, in the home's event log, which tells MQTT and the webhooks.
		const doorEvents = new DoorEventLog(home.events);
		const door = this.door = new DoorOpener({ clock: env.clock, log: env.log, relay, events: doorEvents, store: env.store, pbx: this.#pbx.bind(this), hangup: this.#hangup.bind(this) }, doorSettings, options.doorLockout);
		door.playTone = this.#playTone.bind(this);
		doorbell.onDigit = door.digit.bind(door);
		doorbell.onForeignDtmf = door.foreignDtmf.bind(door);
		// Remote commands share the door's lock-out across calls: they are refused while it holds, and their wrong codes count towards it.
		this.remoteDoor = new RemoteDoor({
			clock: env.clock, log: env.log, relay, events: doorEvents, settings: this.#doorSettings.bind(this), enabled: this.#remoteDoorEnabled.bind(this),
			lockedOut: this.#lockedOut.bind(this),
			wrong: this.#wrongCode.bind(this),
		});
		// Every event is recorded after the work it reports: the INVITE written, the relay switched.
		doorbell.onEvent = home.record.bind(home);
		doorbell.onRegistered = home.registration.bind(home);
		// The house's own chime: the gong relay pulses for each press of a button that has it on
		// (not for the web page's test ring, which plays no chime at the door either).
		const gong = this.#gong = env.gong ? new RelayPulse(env.gong, env.clock, env.log) : undefined;
		if (gong) doorbell.onPress = this.#pressed.bind(this);
		const led = this.#led = env.led ? new StatusLed(env.led, env.clock, env.log, this.#ledState.bind(this)) : undefined;
		const image = this.image = new LiveImage({ camera: env.camera, clock: env.clock, log: env.log });
		// The key is made at the first start with a camera; the page shows the URL that carries it.
		const cameraKey = env.camera ? new CameraKey(env.store, env.random) : undefined;
		this.#cameraRoute = cameraKey ? new CameraRoute({ routes: env.routes, image, key: cameraKey, clock: env.clock, enabled: this.#cameraEnabled.bind(this) }) : undefined;
		const status = this.status.bind(this);
		const web = this.web = addWebRoutes({
			routes: env.routes, settings, clock: env.clock, sha256: env.sha256, random: env.random, log: env.log, status,
			ring: this.#ring.bind(this),
			events: home.history.bind(home),
			hashIterations: options.hashIterations,
			cameraKey,
			wifi,
			bootButton: env.bootButton !== undefined,
			onSaved: this.#saved.bind(this),
		});
		addDiagnosticsRoutes({ web, trace: doorbell.traceLog, localAddress: env.localAddress.bind(env), status, health: env.health });
		if (env.firmware && env.sha256Stream) addUpdateRoutes({ web, updater: env.firmware, sha256Stream: env.sha256Stream, clock: env.clock, log: env.log, version: env.version ?? "unknown" });
		if (options.adminPassword && !web.admin.isSet) web.admin.set(options.adminPassword);
		if (web.admin.damaged) env.log.error(`web: the stored admin password (web/admin) is damaged: no password signs in until it is removed${env.bootButton ? ` (hold the board's BOOT button for ${BOOT_HOLD_MS / 1000} s)` : ""}; the next visit then shows the first-run page`);
		else if (!web.admin.isSet) env.log.warn("no admin password yet: open the web page /sip to set one");
		// The board's BOOT button, inside the housing, resets a forgotten or damaged admin password
		// when held: whoever can open the housing could reflash the board anyway.
		const bootButton = env.bootButton;
		if (bootButton) {
			const hold = this.#bootHold = new ButtonHold({ clock: env.clock, onHeld: this.#resetAdmin.bind(this), level: bootButton.read() });
			bootButton.onChange = hold.change.bind(hold);
		}
		// The name on the LAN is claimed once, when there is a LAN.
		this.#hostName = readText(env.store, "hostname", bad);
		// The device's sockets cannot open before Wi-Fi has an interface up (NO_NETWORK), seconds
		// after the radio was started: the SIP and RTP ports, the user agent, MQTT and the name
		// start now where the network is up, else when it comes up.
		this.#running = true;
		this.#startOnline();
		if (env.firmware) confirmWhenWorking({ updater: env.firmware, clock: env.clock, log: env.log, registered: this.#registered.bind(this), tried: this.#registrationTried.bind(this), account: this.#accountSet.bind(this) });
		// The home hears why the door started: after a hang, that the watchdog restarted it.
		const lastReset = env.health?.().reset_reason;
		home.record(lastReset ? { type: "startup", reason: lastReset } : { type: "startup" });
		led?.start();
	}

	status(): Record<string, unknown> {
		const env = this.#env, image = this.image, cameraRoute = this.#cameraRoute, gong = this.#gong, led = this.#led;
		return { version: env.version ?? "unknown", ...this.doorbell.status(), ...this.door.status(20), ...this.home.status(), settings_problems: this.settings.storedProblems(), camera: cameraRoute ? { ...image.status(), ...cameraRoute.status() } : null, gong: gong ? { on: gong.on, pulses: gong.pulses } : null, status_led: led ? { pattern: led.pattern, level: led.level } : null, ...this.#options.statusExtra?.() };
	}

	stop(done?: () => void): void {
		this.#running = false;
		// Closed, not only switched off: the un-REGISTER's answer is waited for up to 32 s, and a
		// call the PBX brings meanwhile (the user agent still answers) must not open the door.
		this.relay.close();
		this.home.stop();
		this.#gong?.close();
		this.#led?.close();
		this.#bootHold?.close();
		this.door.lockout.close();
		this.image.stop();
		this.doorbell.stop(done);
	}

	/**
	 * The station got an address (`station`), or the access point opened. An address also has
	 * what started before it (on the access point, which reaches neither the PBX nor the broker,
	 * or on the station's last network) try again now where it failed or still waits for an
	 * answer, rather than after its retry's pause: the user who has just joined the door to the
	 * home network presses the bell next. A failure is logged: no caller is left to tell.
	 */
	#networkUp(station: boolean): void {
		if (!this.#running) return;
		const started = this.#started;
		try {
			this.#startOnline();
			if (station && started) {
				this.doorbell.ua.networkChanged();
				this.home.networkChanged();
			}
		} catch (error) {
			this.#env.log.error(`start-up failed: ${(error as Error)?.message ?? error}`);
		}
	}

	/**
	 * Starts what needs the network, where it is up (a provider without a radio has it all along).
	 * What found no network after all (it went down again; on the device the access point's
	 * interface comes up a moment after it opens) is tried again the next time it comes up.
	 */
	#startOnline(): void {
		const wifi = this.wifi;
		if (wifi && !wifi.online) return;
		if (!this.#started && this.doorbell.start()) {
			this.#started = true;
			this.home.start();
		}
		if (!wifi || wifi.state === "connected") this.#announce();
	}

	#announce(): void {
		const name = this.#hostName;
		if (name !== undefined && this.#env.announce?.(name) !== false) this.#hostName = undefined;
	}

	#echoControl(): boolean {
		return readNumber(this.#env.store, "aec", this.#bad) === 1;
	}

	/** A stored setting that fails its check, at start-up or when read again: logged once per key. */
	#badSetting(error: SettingsError, meanwhile: string): void {
		if (this.#told.has(error.key)) return;
		this.#told.add(error.key);
		this.#env.log.error(`${error.message}: ${meanwhile}`);
	}

	#displayName(): string {
		return this.doorbell.ua.config.displayName;
	}

	/** The buttons that ring now (one set up after start waits for a restart for its GPIO). */
	#buttons(): number[] {
		const out: number[] = [];
		for (const [n, bell] of this.doorbell.bells) if (bellRings(bell.settings)) out.push(n);
		return out.sort(byNumber);
	}

	#registered(): boolean {
		return this.doorbell.ua.registration.registered;
	}

	/**
	 * Whether the PBX is being tried: the user agent runs on the home network (the station's
	 * address; a provider without a radio has it all along), so its REGISTER goes out or the
	 * PBX's name is being looked up, whichever way that ends. The set-up access point reaches no
	 * PBX: an image that got no further is not kept for a REGISTER sent there.
	 */
	#registrationTried(): boolean {
		const wifi = this.wifi;
		return this.#started && (!wifi || wifi.state === "connected");
	}

	#accountSet(): boolean {
		return this.doorbell.ua.config.user !== "";
	}

	#doorCommand(payload: string): void {
		this.remoteDoor.command(payload, "mqtt");
	}

	#pbx() {
		return this.doorbell.ua.pbx;
	}

	#hangup(call: DoorCall, reason: string): void {
		const ua = this.doorbell.ua;
		if (ua.call === call) ua.hangup(reason);
	}

	#playTone(kind: "confirm" | "reject"): void {
		this.doorbell.playTone?.(kind);
	}

	#doorSettings() {
		return this.door.settings;
	}

	#remoteDoorEnabled(): boolean {
		return this.#mqttSettings.remoteDoor;
	}

	#lockedOut(): boolean {
		return this.door.lockout.active;
	}

	#wrongCode(): string | undefined {
		const started = this.door.lockout.wrong();
		return started ? `too many wrong codes: every code is refused for ${Math.round(started.durationMs / 60000)} min (lock-out ${started.level} in a row)` : undefined;
	}

	#pressed(bell: BellSettings, source: string): void {
		if (source === "button" && bell.gong) this.#gong?.pulse(GONG_PULSE_MS);
	}

	#ledState() {
		const doorbell = this.doorbell, call = doorbell.ua.call;
		return { registered: doorbell.ua.registration.registered, call: call ? { state: call.state, direction: call.direction } : undefined, accessPoint: this.#env.accessPoint?.() ?? false, adminReset: this.#bootHold?.reached ?? false };
	}

	#cameraEnabled(): boolean {
		return readNumber(this.#env.store, "cam_enabled", this.#bad) === 1;
	}

	/** The BOOT button was held: the admin password goes, the household hears of it. */
	#resetAdmin(): void {
		const log = this.#env.log;
		try {
			const was = this.web.resetAdmin();
			log.warn(`web: admin password removed at the board (BOOT button held ${BOOT_HOLD_MS / 1000} s); all sessions ended; the next visit to the page shows the first-run page${was ? "" : " (none was set)"}`);
		} catch (error) {
			log.error(`web: the admin password could not be removed (BOOT button held): ${(error as Error)?.message ?? error}`);
			return;
		}
		this.home.record({ type: "admin_password_reset", source: "boot_button" });
	}

	#ring(button?: number): RingResult {
		return this.doorbell.press("web", button);
	}

	/** A new account unregisters the old one first (UserAgent.reconfigure); door settings apply from the next digit. */
	#saved(changed: string[]): void {
		const env = this.#env, doorbell = this.doorbell, home = this.home, bad = this.#bad;
		const now = changed.filter(appliesNow);
		if (now.some(inNamespace, "sip")) doorbell.reconfigure(uaConfigFrom(env.store, bad));
		if (now.some(inNamespace, "door")) this.door.settings = doorSettingsFrom(env.store, bad);
		if (now.some(inNamespace, "mqtt")) {
			this.#mqttSettings = mqttSettingsFrom(env.store, bad);
			if (home.mqtt) home.mqtt.settings = this.#mqttSettings;
		}
		if (now.some(inNamespace, "hook") && home.webhooks) home.webhooks.urls = hookUrlsFrom(env.store, bad);
		if (now.some(inNamespace, "bell") || now.includes("sip_displayname")) {
			doorbell.updateBells(bellsFrom(env.store, bad, env.boardPins));
			home.mqtt?.rediscover();
		}
		if (now.includes("cam_enabled") && readNumber(env.store, "cam_enabled", bad) !== 1) this.image.stop();
	}
}

function byNumber(a: number, b: number): number {
	return a - b;
}

function appliesNow(key: string): boolean {
	return !needsRestart(key);
}

/** `some`'s predicate with the namespace as its `this`. */
function inNamespace(this: string, key: string): boolean {
	return keySpec(key)?.namespace === this;
}
