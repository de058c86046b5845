/*
 * `npm start`: the doorbell firmware on a laptop. Real SIP over UDP, the web endpoints on
 * localhost, a virtual button (Enter or b), the board's BOOT button (r holds it down, r again
 * lets it go) and a virtual relay whose pulses are logged.
 */

import { createInterface } from "node:readline";
import { boot, type Application } from "./app/boot.js";
import { SettingsError } from "./config/read.js";
import { createUdp } from "./modules/host/udp.js";
import { nodeClock } from "./modules/host/clock.js";
import { nodeMd5, nodeRandom, nodeSha256, nodeSha256Stream } from "./modules/host/crypto.js";
import { consoleLogger } from "./modules/host/logger.js";
import { LocalAddress } from "./modules/host/local-address.js";
import { VirtualButton, VirtualLed, VirtualRelay } from "./modules/host/gpio.js";
import { JsonStore, JsonStoreError } from "./modules/host/json-store.js";
import { HostHttpServer } from "./modules/host/http-server.js";
import { parseOptions, USAGE } from "./modules/host/options.js";
import { loadNativeAudio } from "./modules/host/native-audio.js";
import { openMic, openSpeaker, type ToneMic, type WavMic, type WavSpeaker } from "./modules/host/audio.js";
import { EchoBox } from "./modules/host/echo-box.js";
import { FrameTimes, writeFrameTimes } from "./modules/host/frame-times.js";
import { openCamera } from "./modules/host/camera.js";
import type { AudioIn, AudioOut, CameraFactory } from "./modules/ports.js";
import { DEFAULT_LOCKOUT_TIMES } from "./door/door-lockout.js";
import { BOOT_HOLD_MS } from "./hardware/button-hold.js";
import { hostHealth } from "./modules/host/health.js";
import { createMqtt } from "./modules/host/mqtt.js";
import { httpPost } from "./modules/host/http-post.js";
import { hostname } from "node:os";
import { hostAnnouncer } from "./modules/host/mdns.js";
import { hostWifi } from "./modules/host/wifi.js";
import { FileFirmware } from "./modules/host/firmware.js";
import { packageVersion } from "./modules/host/version.js";
import { adminPasswordProblem } from "./web/admin-credential.js";
import { dirname, join, resolve as resolvePath } from "node:path";

async function main(): Promise<void> {
	let options;
	try {
		options = parseOptions(process.argv.slice(2));
	} catch (error) {
		console.error(`${(error as Error).message}\n\n${USAGE}`);
		process.exit(2);
	}
	if (options.help) {
		console.log(USAGE);
		return;
	}
	// Checked before anything is opened: a password the web page would refuse stops the start with nothing stored.
	const adminPassword = process.env.KLINGEL_ADMIN_PASSWORD || undefined;
	const adminProblem = adminPassword === undefined ? undefined : adminPasswordProblem(adminPassword);
	if (adminProblem) fail(`KLINGEL_ADMIN_PASSWORD ${adminProblem}; nothing was stored.`);
	const log = consoleLogger();
	let store: JsonStore;
	try {
		store = new JsonStore(options.settings);
	} catch (error) {
		if (error instanceof JsonStoreError) fail(`Invalid settings in ${options.settings}: ${error.message}\nNothing was changed.`);
		throw error;
	}

	// The address the PBX sees the door as, found at each lookup of the PBX's name.
	const local = new LocalAddress();

	const http = new HostHttpServer(log);
	// Listening before anything else opens: a port that is taken stops the start before a REGISTER
	// goes out that no un-REGISTER would follow. Requests before boot() adds the routes get 404.
	let httpPort: number;
	try {
		httpPort = await http.listen(options.http, options.httpHost);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		fail(code === "EADDRINUSE"
			? `The web page's port ${options.httpHost}:${options.http} is in use (another program, or another simulator): choose another with --http PORT (0 picks a free one). Nothing was started.`
			: `The web page cannot listen on ${options.httpHost}:${options.http} (${(error as Error).message}): see --http and --http-host. Nothing was started.`);
	}
	const button = new VirtualButton();
	// Bell buttons 2-4, made when the settings use them; the keys 2-4 press them.
	const bells = new Map<number, VirtualButton>([[1, button]]);
	// The board's BOOT button: held for BOOT_HOLD_MS it resets the admin password, as on the device.
	const bootButton = new VirtualButton();
	const relay = new VirtualRelay(log);
	// The house's gong relay and the status LED, as wired on the device.
	const gong = new VirtualRelay(log, "gong", "house chime");
	const led = new VirtualLed();
	// Call audio runs through the C core (the Node addon); --mic and --speaker are the audio ports,
	// and with --echo the box between them: its speaker's sound in its microphone.
	let audio;
	let mic: WavMic | ToneMic | undefined;
	let speaker: WavSpeaker | undefined;
	// What the door reads and writes: the ports themselves, or the box around them.
	let micPort: AudioIn | undefined;
	let speakerPort: (AudioOut & { finish?(): void }) | undefined;
	let box: EchoBox | undefined;
	try {
		audio = loadNativeAudio();
		if (options.mic) mic = openMic(options.mic, audio);
		if (options.speaker) speaker = openSpeaker(options.speaker);
		micPort = mic;
		speakerPort = speaker;
		if (options.echo) {
			box = new EchoBox({ mode: options.echo, audio, source: mic, recording: speaker, latencyMs: options.echoLatencyMs, clock: nodeClock });
			micPort = box.mic;
			speakerPort = box.speaker;
		}
	} catch (error) {
		fail(`Audio: ${(error as Error).message}`);
	}
	if (options.audioTimes) {
		const file = options.audioTimes, times: { mic?: FrameTimes; speaker?: FrameTimes } = {};
		if (mic) mic.times = times.mic = new FrameTimes(mic.sampleRate);
		if (speaker) speaker.times = times.speaker = new FrameTimes(speaker.sampleRate);
		process.on("exit", () => writeFrameTimes(file, times));
	}
	let camera: CameraFactory | undefined;
	try {
		if (options.camera) camera = openCamera(options.camera);
	} catch (error) {
		fail((error as Error).message);
	}
	// The recording's header is finished at each call's end and here, whatever way the process ends.
	process.on("exit", () => speaker?.close());
	const wifi = options.accessPoint ? hostWifi({ log, accessPointAddress: () => `${options.httpHost}:${httpPort}` }) : undefined;
	let app: Application;
	try {
		app = boot(
			{
				udp: createUdp, clock: nodeClock, wallClock: Date.now, health: hostHealth, announce: hostAnnouncer(log), md5: nodeMd5, sha256: nodeSha256, random: nodeRandom, log,
				store, routes: http, button, bootButton, relay, gong, led,
				openButton: (bell) => {
					const input = new VirtualButton();
					bells.set(bell, input);
					return input;
				},
				audio, mic: micPort, speaker: speakerPort, camera, wifi,
				firmware: new FileFirmware({ file: join(dirname(resolvePath(options.settings)), "klingel-update.bin"), log }),
				sha256Stream: nodeSha256Stream,
				version: packageVersion(),
				localAddress: () => local.address,
				resolve: local.resolve.bind(local),
				mqtt: createMqtt,
				httpPost,
				// Stable for this computer and settings file, as the MAC address is on the device.
				deviceId: nodeMd5(`${hostname()} ${resolvePath(options.settings)}`).slice(0, 12),
			},
			// A bad value in the developer's settings file stops the simulator, naming the key (the device starts without it).
			{ sipPort: options.sipPort, trace: options.trace, stopOnBadSetting: true, statusExtra: () => ({ relay_pulses: relay.pulses, gong_pulses: gong.pulses, simulator: true, ...(box && { echo_box: { mode: box.mode, latency_ms: box.latencyMs, reads_without_play: box.readsWithoutPlay, plays_unread: box.playsUnread } }) }), adminPassword,
				doorLockout: options.doorLockoutMs ? { ...DEFAULT_LOCKOUT_TIMES, firstMs: options.doorLockoutMs, maxMs: 12 * options.doorLockoutMs } : undefined },
		);
	} catch (error) {
		if (error instanceof SettingsError) fail(`Invalid settings in ${options.settings}: ${error.message}\nNothing was changed.`);
		throw error;
	}
	const doorbell = app.doorbell;
	// With --access-point and a stored network the SIP port opens once the stand-in has joined it.
	const sip = doorbell.transport;
	console.log(`klingel simulator: SIP on UDP ${sip.isOpen ? sip.port : `${sip.wanted} once Wi-Fi is up`}, web on http://${options.httpHost}:${httpPort}/sip`);
	if (app.wifi?.state === "none") console.log(`Wi-Fi set-up: open http://${options.httpHost}:${httpPort}/wifi (stand-in radio, scripted networks).`);
	else if (!app.web.admin.isSet) console.log(`First run: open http://${options.httpHost}:${httpPort}/sip to set the admin password of the web page.`);
	console.log(`Press Enter or b to ring (1-4: bell button 1-4), h to hang up, s for the status, q to quit; r holds the BOOT button down and r again lets it go (held ${BOOT_HOLD_MS / 1000} s: the admin password is reset).`);

	let stopping = false;
	const quit = () => {
		if (stopping) process.exit(1);
		stopping = true;
		console.log("stopping: unregistering…");
		const force = setTimeout(() => process.exit(0), 3000);
		app.stop(() => {
			clearTimeout(force);
			void http.close().then(() => process.exit(0));
		});
	};
	process.on("SIGINT", quit);
	process.on("SIGTERM", quit);
	// One command a line: Enter or b rings, h hangs up, s shows the status, r holds or lets go of the BOOT button, q quits.
	createInterface({ input: process.stdin }).on("line", (line) => {
		const key = line.trim().toLowerCase();
		if (key === "" || key === "b") button.press();
		else if (/^[1-4]$/.test(key)) {
			const bell = bells.get(Number(key));
			if (bell) bell.press();
			else console.log(`bell button ${key} is not set up (its number, bell${key}_target, is empty)`);
		}
		else if (key === "r") {
			if (bootButton.held) {
				bootButton.release();
				console.log("BOOT button let go");
			} else {
				bootButton.hold();
				console.log(`BOOT button held down: after ${BOOT_HOLD_MS / 1000} s the admin password is reset; r lets it go`);
			}
		}
		else if (key === "h") doorbell.ua.hangup();
		else if (key === "s") console.log(JSON.stringify(doorbell.status(), null, 1));
		else if (key === "q") quit();
		else console.log("Enter or b = ring, 1-4 = press bell button 1-4, h = hang up, s = status, r = hold the BOOT button down / let it go, q = quit");
	});
}

function fail(message: string): never {
	console.error(message);
	process.exit(2);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
