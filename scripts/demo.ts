/*
 * `npm run demo`: a FRITZ!Box stand-in on this computer (kamailio), two handsets (baresip 611
 * and 612, rung together as **610) and the doorbell simulator registered as 620. Type at the
 * prompt to press the button, let a handset call the door, answer and hang up. Ctrl-C stops
 * everything.
 */

import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { Rig, configureRig, portFree, sourcePath, RIG_ADMIN_PASSWORD, type Handset } from "../test/rig/index.js";

const HELP = `
  Enter or b   press the door button: both handsets ring (**610)
  h            hang up at the door
  c  / c2      handset 611 / 612 calls the door (620)
  a1 / a2      handset 611 / 612 answers
  x1 / x2      handset 611 / 612 hangs up
  d1 123       handset 611 sends DTMF digits (d2 for 612): the door code opens the door
  s            the door's status (GET /sipDebug)
  ?            this list
  q or Ctrl-C  stop everything`;

async function main(): Promise<void> {
	const { ensureDebianPackages } = (await import(pathToFileURL(sourcePath("scripts/debian-packages.mjs")).href)) as { ensureDebianPackages(names: string[]): string[] };
	const missing = ensureDebianPackages(["kamailio", "kamailio-extra-modules", "baresip-core"]);
	if (missing.length) process.exit(1);

	configureRig({ handleSignals: false });
	console.log("Starting the test FRITZ!Box (kamailio), handsets 611 and 612 (baresip) and the doorbell (620)…");
	const http = (await portFree(8080, { tcp: true })) ? 8080 : 0;
	const rig = await Rig.start({
		name: "demo",
		// 611 speaks G.722 (HD voice, as a FRITZ!Fon with HD telephony), 612 only G.711.
		handsets: [{ user: "611", wideband: true }, { user: "612" }],
		simulator: { sipPort: (await portFree(5062)) ? "default" : undefined, trace: false, args: ["--http", String(http)] },
	}).catch((error: Error) => {
		console.error(`The demo could not start: ${error.message}`);
		process.exit(1);
	});
	const door = rig.simulator!;

	let stopping = false;
	const stop = async () => {
		if (stopping) process.exit(1);
		stopping = true;
		console.log("\nStopping: the door unregisters, then the handsets and the PBX end…");
		const force = setTimeout(() => process.exit(1), 10000);
		await rig.stop();
		clearTimeout(force);
		console.log("All stopped.");
		process.exit(0);
	};
	process.on("SIGINT", () => void stop());
	process.on("SIGTERM", () => void stop());

	// What happens, as it happens.
	const clear = process.stdout.isTTY ? "\r\x1b[K" : "";
	const say = (text: string) => {
		process.stdout.write(`${clear}${text}\n> `);
	};
	for (const handset of Object.values(rig.handsets)) watch(handset, say);
	door.process.onLine((line) => {
		const m = /^\S+ (?:info |warn |error) (.*)$/.exec(line);
		const text = m?.[1] ?? "";
		if (/^SIP: (registration|ringing|incoming call|call .* ended|refused)|^ring \(|relay|door/i.test(text)) say(`door  | ${text}`);
	});

	const status = await door.status();
	console.log(`
klingel demo is running (everything on 127.0.0.1, files in ${rig.dir.path}):
  PBX (FRITZ!Box stand-in)  kamailio on UDP ${rig.kamailio.port}, realm fritz.box, ring group **610 = 611 + 612
  handsets                  baresip 611 on UDP ${rig.handset("611").sipPort} (G.722 HD voice), 612 on UDP ${rig.handset("612").sipPort} (G.711)
  doorbell                  620, registered: ${status.registered}, SIP on UDP ${door.sipPort}
  web page                  ${door.baseUrl}/sip  (admin password: ${RIG_ADMIN_PASSWORD})

Press Enter to ring the door bell: both phones ring. Type a1 to answer on 611, or wait 30 s
and the door gives up. Type c to let handset 611 call the door.${HELP}
`);
	process.stdout.write("> ");

	const handset = (n: string | undefined): Handset => rig.handset(n === "2" ? "612" : "611");
	createInterface({ input: process.stdin }).on("line", (input) => {
		const line = input.trim().toLowerCase();
		const [word, arg] = line.split(/\s+/, 2);
		const m = /^([acxd])([12])?$/.exec(word ?? "");
		if (line === "" || line === "b") {
			void door.press();
		} else if (line === "h") {
			door.hangup();
		} else if (m && m[1] === "c") {
			const h = handset(m[2]);
			say(`${h.user} calls the door (620)…`);
			h.dial("620");
		} else if (m && m[1] === "a") {
			handset(m[2]).answer();
		} else if (m && m[1] === "x") {
			handset(m[2]).hangup();
		} else if (m && m[1] === "d") {
			if (!arg || !/^[0-9*#]+$/.test(arg)) say("d1 needs digits, e.g. d1 123");
			else void handset(m[2]).dtmf(arg).then(() => say(`${handset(m[2]).user} sent DTMF ${arg}`));
		} else if (line === "s") {
			void door.status().then((s) => say(JSON.stringify({ registered: s.registered, call: s.call, current_call: s.current_call, last_call: s.last_call, last_error: s.last_error }, null, 1)));
		} else if (line === "q") {
			void stop();
			return;
		} else {
			say(HELP);
		}
		process.stdout.write("> ");
	});
}

/** Tells what a handset does, in words. */
function watch(handset: Handset, say: (text: string) => void): void {
	const n = handset.user === "611" ? "1" : "2";
	// baresip may say a call ended twice (session closed, then terminated): tell it once.
	let last = "";
	let lastAt = 0;
	const tell = (text: string) => {
		if (text === last && Date.now() - lastAt < 1000) return;
		last = text;
		lastAt = Date.now();
		say(text);
	};
	handset.process.onLine((line) => {
		if (/Incoming call from:/.test(line)) tell(`${handset.user}  | RINGING (call from the door) — type a${n} to answer, x${n} to reject`);
		else if (/Call established:/.test(line)) tell(`${handset.user}  | in the call — x${n} hangs up, d${n} 123 sends the door code`);
		else if (/Call with .* terminated|session closed/.test(line)) tell(`${handset.user}  | call ended`);
		else if (/SIP Progress: 18[03]/.test(line)) tell(`${handset.user}  | the door is ringing…`);
		else if (/received event: '(.)'/.test(line)) tell(`${handset.user}  | DTMF received`);
	});
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
