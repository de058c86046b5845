/*
 * A baresip handset registered at the test PBX, driven through its `cons` console (UDP):
 * answer, hang up, dial, DTMF by RFC 2833. Its microphone is a WAV file (aufile, mono s16 at
 * 8 kHz, or 16 kHz for a wideband handset; silence by default) and sndfile records what it sends
 * and receives in its directory. A wideband handset has the g722 module and prefers G722.
 * Events are read from its output.
 */

import dgram from "node:dgram";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RigProcess } from "./process.js";
import { freePort } from "./ports.js";
import { writeSilenceWav } from "./wav.js";
import { loopbackDns } from "./loopback-dns.js";

export const BARESIP = "/usr/bin/baresip";
/** A handset's RTP and RTCP ports: room for a few calls' pairs (baresip picks within the range). */
const RTP_PORTS = 16;

/** What a handset reports, and the output that shows it. */
export const HANDSET_EVENTS = {
	/** Its registration was accepted. */
	registered: /\{0\/UDP\/v4\} 200 OK/,
	/** An incoming call: the handset rings. Group 1: the caller's URI. */
	incoming: /Incoming call from:\s+(\S+)/,
	/** A call it made is ringing at the other end (180). */
	ringing: /SIP Progress: 18[03]/,
	/** A call is up. Group 1: the other side's URI. */
	established: /Call established:\s+(\S+)/,
	/** A call ended (hung up, cancelled, refused). Group 1: the other side. */
	closed: /Call with (\S+) terminated|session closed|call: closed|[Cc]all (?:failed|closed)[^\n]*/,
	/** An RFC 2833 event arrived. Group 1: the digit. */
	dtmf: /received event: '(.)'/,
} as const;

export type HandsetEvent = keyof typeof HANDSET_EVENTS;

export interface HandsetOptions {
	/** Directory of its config, recordings and log. */
	dir: string;
	user: string;
	password: string;
	/** The PBX (kamailio) it registers at, as outbound proxy. */
	pbx: { address: string; port: number };
	/** SIP domain of its account (default fritz.box). */
	domain?: string;
	/** Its SIP port (UDP and TCP; TLS takes port+1); a free one by default. */
	sipPort?: number;
	/** Answer every call at once (no 180) instead of waiting for answer(). */
	autoAnswer?: boolean;
	/** Microphone: a WAV file, mono s16 at 8 kHz (16 kHz for a wideband handset). Default: 10 minutes of silence at that rate. */
	mic?: string;
	/** Register every this many seconds (default 600). */
	registerInterval?: number;
	/** Load baresip's g722 module and offer G722 first (then PCMU, PCMA); default G.711 only. */
	wideband?: boolean;
	/** The packet time it asks for (a=ptime) and sends; baresip's default is 20 ms. */
	ptime?: number;
}

export class Handset {
	readonly user: string;
	readonly dir: string;
	readonly sipPort: number;
	readonly consPort: number;
	readonly process: RigProcess;
	#console: dgram.Socket;
	/** What the console sent back to the command that waits for its answer (undefined: none waits). */
	#replies: string | undefined;

	private constructor(user: string, dir: string, sipPort: number, consPort: number, process: RigProcess) {
		this.user = user;
		this.dir = dir;
		this.sipPort = sipPort;
		this.consPort = consPort;
		this.process = process;
		this.#console = dgram.createSocket("udp4");
		this.#console.on("error", () => {});
		this.#console.on("message", (message) => {
			if (this.#replies !== undefined) this.#replies += message.toString("latin1");
		});
		this.#console.bind(0, "127.0.0.1");
	}

	/** Starts baresip and waits until it is registered. */
	static async start(options: HandsetOptions): Promise<Handset> {
		const dir = options.dir;
		mkdirSync(dir, { recursive: true });
		const sipPort = options.sipPort ?? (await freePort({ span: 2, tcp: true }));
		const consPort = await freePort();
		// Its calls' RTP and RTCP ports come from a range of its own: left to itself, baresip takes
		// them anywhere from 1024 to 49151, inside the range freePort hands out, and a call's port
		// once took the console port the next handset was given ("cons: failed to listen ...
		// Address already in use"), so that handset's commands went to another and its call
		// was never answered.
		const rtpPorts = await freePort({ span: RTP_PORTS });
		// baresip asks its dns_server itself: the rig's tripwire, which fails a run that asks it anything.
		const dns = await loopbackDns();
		let mic = options.mic;
		if (!mic) {
			// aufile refuses a file whose rate is not the codec's: G.722 takes 16 kHz.
			const rate = options.wideband ? 16000 : 8000;
			mic = join(dir, "..", `silence-600s-${rate / 1000}k.wav`);
			if (!existsSync(mic)) writeSilenceWav(mic, 600, rate);
		}
		const config = [
			"poll_method\t\tepoll",
			`sip_listen\t\t127.0.0.1:${sipPort}`,
			"net_interface\t\t127.0.0.1",
			`dns_server\t\t${dns.address}:53`,
			`audio_source\t\taufile,${mic}`,
			"module_path\t\t/usr/lib/baresip/modules",
			"module\t\t\taccount.so",
			"module\t\t\tcons.so",
			"module\t\t\tmenu.so",
			...(options.wideband ? ["module\t\t\tg722.so"] : []),
			"module\t\t\tg711.so",
			"module\t\t\taufile.so",
			"module\t\t\tsndfile.so",
			`cons_listen\t\t127.0.0.1:${consPort}`,
			`rtp_ports\t\t${rtpPorts}-${rtpPorts + RTP_PORTS - 1}`,
			`snd_path\t\t${dir}`,
			"",
		].join("\n");
		writeFileSync(join(dir, "config"), config);
		const domain = options.domain ?? "fritz.box";
		const account = `<sip:${options.user}@${domain}>;auth_pass=${options.password};outbound="sip:${options.pbx.address}:${options.pbx.port}";regint=${options.registerInterval ?? 600};answermode=${options.autoAnswer ? "auto" : "manual"}` +
			(options.wideband ? ";audio_codecs=G722,PCMU,PCMA" : "") + (options.ptime ? `;ptime=${options.ptime}` : "");
		writeFileSync(join(dir, "accounts"), `${account}\n`);
		const process = new RigProcess({ name: `baresip ${options.user}`, ...dns.wrap(BARESIP, ["-f", dir]), cwd: dir, logFile: join(dir, "baresip.log"), filter: statusLineFilter() });
		const handset = new Handset(options.user, dir, sipPort, consPort, process);
		try {
			await process.waitFor(HANDSET_EVENTS.registered, { timeoutMs: 10000, what: `registration of ${options.user}` });
		} catch (error) {
			await handset.stop();
			throw error;
		}
		return handset;
	}

	/** Sends a console command ("/accept", a key such as "1"); a newline ends long commands. */
	send(command: string): void {
		this.#console.send(command, this.consPort, "127.0.0.1");
	}

	answer(): void {
		this.send("/accept\n");
	}

	hangup(): void {
		this.send("/hangup\n");
	}

	/** How many calls it has, ringing or up, as its console lists them. */
	async activeCalls(): Promise<number> {
		this.#replies = "";
		this.send("/listcalls\n");
		const deadline = Date.now() + 5000;
		try {
			for (;;) {
				const listed = /Active calls \((\d+)\)/.exec(this.#replies);
				if (listed) return Number(listed[1]);
				if (Date.now() > deadline) throw new Error(`handset ${this.user}'s console did not list its calls`);
				await sleep(20);
			}
		} finally {
			this.#replies = undefined;
		}
	}

	/**
	 * Ends every call it still has; true when there was one. A handset keeps a call the door has
	 * no part in any more (a ring group's branch whose CANCEL it never got still rings), and its
	 * next /accept answers that call and puts the new one on hold.
	 */
	async endCalls(): Promise<boolean> {
		let ended = false;
		for (let attempt = 0; attempt < 10; attempt++) {
			if ((await this.activeCalls()) === 0) return ended;
			ended = true;
			this.hangup();
			await sleep(100);
		}
		throw new Error(`handset ${this.user} keeps a call after 10 hang-ups`);
	}

	/** Calls a number at its domain, e.g. "620". */
	dial(number: string): void {
		this.send(`/dial ${number}\n`);
	}

	/** Sends DTMF digits as RFC 2833 events during a call: key press, hold, key release. */
	async dtmf(digits: string, holdMs = 120, gapMs = 120): Promise<void> {
		for (const digit of digits) {
			this.send(digit);
			await sleep(holdMs);
			this.send("\x04");
			await sleep(gapMs);
		}
	}

	/** The offset after which `waitFor` looks (pass it as `from`). */
	mark(): number {
		return this.process.mark();
	}

	/** Waits for an event in its output (after `from`, default anywhere). */
	waitFor(event: HandsetEvent, options: { from?: number; timeoutMs?: number } = {}): Promise<RegExpMatchArray> {
		return this.process.waitFor(HANDSET_EVENTS[event], { ...options, what: `"${event}" from handset ${this.user}` });
	}

	/** Whether an event showed up after `from`. */
	saw(event: HandsetEvent, from = 0): boolean {
		return HANDSET_EVENTS[event].test(this.process.output.slice(from));
	}

	/** The WAV files sndfile wrote: "enc" is what it sent, "dec" what it received. */
	recordings(): { sent: string[]; received: string[] } {
		const names = readdirSync(this.dir).filter((n) => n.startsWith("dump-")).sort();
		return {
			sent: names.filter((n) => n.endsWith("-enc.wav")).map((n) => join(this.dir, n)),
			received: names.filter((n) => n.endsWith("-dec.wav")).map((n) => join(this.dir, n)),
		};
	}

	async stop(): Promise<void> {
		try {
			this.#console.close();
		} catch {
			// closed
		}
		await this.process.stop();
	}
}

/**
 * baresip's menu redraws a call status line ("[0:00:03] audio=64000/64000 (bit/s)" and carriage
 * returns) many times a second, sometimes in pieces; it says nothing the tests need. A piece of
 * such a line at the end of a chunk waits for the rest.
 */
function statusLineFilter(): (text: string) => string {
	let carry = "";
	return (chunk) => {
		let text = carry + chunk;
		carry = "";
		const cut = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
		if (text.charAt(cut + 1) === "[") {
			carry = text.slice(cut + 1);
			text = text.slice(0, cut + 1);
		}
		return text.replace(/\[\d+:\d\d:\d\d\] audio=\d+\/\d+ \(bit\/s\) */g, "").replace(/\r+/g, "");
	};
}

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}
