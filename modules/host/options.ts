/** The simulator's command line. */

import { ECHO_LATENCY_MAX_MS, ECHO_MODES, type EchoMode } from "./echo-box.js";

export interface SimulatorOptions {
	settings: string;
	http: number;
	httpHost: string;
	sipPort: number | undefined;
	trace: boolean;
	mic: string | undefined;
	/** The door's box: the speaker's echo in the microphone (modules/host/echo-box.ts). */
	echo: EchoMode | undefined;
	/** What the device's audio buffers add to the box's echo (ms; only with echo). */
	echoLatencyMs: number;
	speaker: string | undefined;
	camera: string | undefined;
	/** For tests and benchmarks: where to write when each microphone and speaker frame went through. */
	audioTimes: string | undefined;
	/** The first door lock-out's length in ms, for tests (the device always uses 5 minutes). */
	doorLockoutMs: number | undefined;
	/** Run the Wi-Fi start-up with the stand-in radio (set-up access point, /wifi page). */
	accessPoint: boolean;
	help: boolean;
}

export const USAGE = `klingel simulator: the doorbell firmware on this computer.

  npm start -- [options]

  --settings FILE   settings as JSON, { "sip": { "sip_user": "620", ... } } (default ./klingel-settings.json)
  --http PORT       web page port (default 8080; 0 picks a free one)
  --http-host ADDR  address the web server listens on (default 127.0.0.1)
  --sip-port PORT   local SIP port (default: the local_port setting (5062); the next free
                    one from PORT+1 up when it is busy)
  --mic FILE|tone:HZ    microphone: an 8/16 kHz mono WAV file or a tone (20-7000 Hz)
  --speaker FILE    record what the speaker plays to a WAV file (16 kHz)
  --echo [room|clip]  the door's box: what the speaker plays comes back into the microphone
                    (2.5 ms later, with reflections), mixed with --mic; clip: a small speaker
                    that clips when driven hard (default room)
  --echo-latency MS  with --echo: the echo comes MS ms later (0-${ECHO_LATENCY_MAX_MS}, default 0), as on a
                    device whose audio buffers hold the sound back (128-256 ms with the SDK's
                    default speaker DMA buffers)
  --camera FILE.jpg|testcard   the live image: that JPEG as it is, or a test card with the
                    time on it (default: no camera)
  --audio-times FILE    for tests and benchmarks: write when each microphone frame was read
                    and each speaker frame written (monotonic clock, ms) to FILE as JSON when
                    the simulator exits
  --trace           log every SIP message
  --access-point    start as the device does without a network: the Wi-Fi set-up page /wifi
                    over a stand-in radio (scripted scan list, no real radio; see the README)
  --door-lockout-ms MS  for tests: the first door lock-out lasts MS ms instead of 5 minutes
                    (each further one twice as long, at most 12 times MS; the firmware on the
                    device has no such option)
  --help            this text

Keys: Enter or b = press the button, 1-4 = press bell button 1-4, h = hang up, s = status,
  r = hold the board's BOOT button down (r again lets it go; held 10 s it resets the admin
  password, as on the device), q = quit.`;

export function parseOptions(argv: string[]): SimulatorOptions {
	const options: SimulatorOptions = { settings: "klingel-settings.json", http: 8080, httpHost: "127.0.0.1", sipPort: undefined, trace: false, mic: undefined, echo: undefined, echoLatencyMs: 0, speaker: undefined, camera: undefined, audioTimes: undefined, doorLockoutMs: undefined, accessPoint: false, help: false };
	let latencyGiven = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const value = () => {
			const v = argv[++i];
			if (v === undefined) throw new Error(`${arg} needs a value`);
			return v;
		};
		const port = (name: string, min: number) => {
			const v = value();
			if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > 65535) throw new Error(`${name} must be a port number (${min}-65535), not "${v}"`);
			return Number(v);
		};
		switch (arg) {
			case "--settings": options.settings = value(); break;
			case "--http": options.http = port("--http", 0); break;
			case "--http-host": options.httpHost = value(); break;
			case "--sip-port": options.sipPort = port("--sip-port", 1); break;
			case "--mic": options.mic = value(); break;
			case "--speaker": options.speaker = value(); break;
			case "--echo": {
				// The mode may be left out: the next word is taken only when it is no option.
				const next = argv[i + 1];
				if (next === undefined || next.startsWith("-")) options.echo = "room";
				else if ((ECHO_MODES as readonly string[]).includes(next)) options.echo = argv[++i] as EchoMode;
				else throw new Error(`--echo takes ${ECHO_MODES.join(" or ")}, not "${next}"`);
				break;
			}
			case "--echo-latency": {
				const v = value();
				if (!/^\d+$/.test(v) || Number(v) > ECHO_LATENCY_MAX_MS) throw new Error(`--echo-latency must be a whole number of ms, 0 to ${ECHO_LATENCY_MAX_MS}, not "${v}"`);
				latencyGiven = true;
				options.echoLatencyMs = Number(v);
				break;
			}
			case "--camera": options.camera = value(); break;
			case "--audio-times": options.audioTimes = value(); break;
			case "--trace": options.trace = true; break;
			case "--access-point": options.accessPoint = true; break;
			case "--door-lockout-ms": {
				const v = value();
				if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 3_600_000) throw new Error(`--door-lockout-ms must be 1 to 3600000, not "${v}"`);
				options.doorLockoutMs = Number(v);
				break;
			}
			case "--help": case "-h": options.help = true; break;
			default: throw new Error(`unknown option ${arg} (see --help)`);
		}
	}
	if (latencyGiven && !options.echo) throw new Error("--echo-latency needs --echo (the box whose echo it delays)");
	return options;
}
