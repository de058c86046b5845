/*
 * kamailio as the FRITZ!Box stand-in: registrar with digest auth (realm fritz.box, qop=auth),
 * the ring group forking in parallel, topology hiding, force_rport, and sipdump of every
 * message. The config is test/rig/kamailio.cfg with this run's address, port and paths filled
 * in; kamailio runs in the foreground (-DD -E), never as the system service, with the rig's
 * resolver (loopback-dns.ts). It relays nothing off 127.0.0.0/8: its config drops such a branch
 * and logs LOOPBACK_GUARD_LOG, and stop() throws when that happened, when its sipdump shows a
 * message sent elsewhere, or when a DNS query reached the rig's resolver while it ran.
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RigProcess } from "./process.js";
import { freePort } from "./ports.js";
import { readSipDump, type DumpedMessage } from "./sipdump.js";
import { sourcePath } from "./paths.js";
import { loopbackDns, type LoopbackDns } from "./loopback-dns.js";
import { isLoopbackAddress } from "../../modules/host/loopback-guard.js";

export const KAMAILIO = "/usr/sbin/kamailio";
const DBTEXT = "/usr/share/kamailio/dbtext/kamailio";

/** The accounts of the test FRITZ!Box: the door (620) and two handsets. */
export const DEFAULT_USERS: Record<string, string> = { "620": "tuer-620-geheim", "611": "mobil-611", "612": "mobil-612" };

/** What kamailio.cfg logs when it refuses a destination off 127.0.0.0/8. */
export const LOOPBACK_GUARD_LOG = "LOOPBACK-GUARD drop";

export interface KamailioOptions {
	/** Directory for the config, logs, sipdump and topos tables. */
	dir: string;
	address?: string;
	/** Defaults to a free port. */
	port?: number;
	users?: Record<string, string>;
	/**
	 * The ring group number and its members (default **610 → 611, 612), each a user at 127.0.0.1
	 * or a whole user@host.
	 */
	ringGroup?: string;
	ringMembers?: string[];
	/** Longest registration the registrar grants (default 3600; lower it to test refreshes). */
	maxExpires?: number;
	minExpires?: number;
	/** A REGISTER asking for less than minExpires: raised silently (default) or refused with 423. */
	refuseShortExpiry?: boolean;
	/** Topology hiding like the FRITZ!Box (default true); false: a plain record-routing proxy. */
	topologyHiding?: boolean;
	/** How INVITEs (and MESSAGE, SUBSCRIBE) are challenged: 407 (default) or 401 as some FRITZ!OS versions do. */
	inviteChallenge?: 401 | 407;
}

const CHALLENGE = {
	407: ['if (!is_present_hf("Proxy-Authorization") || !pv_proxy_authenticate("fritz.box", "$sht(users=>$au)", "0")) {', '\tproxy_challenge("fritz.box", "1");'],
	401: ['if (!is_present_hf("Authorization") || !pv_www_authenticate("fritz.box", "$sht(users=>$au)", "0")) {', '\twww_challenge("fritz.box", "1");'],
};

export class Kamailio {
	readonly address: string;
	readonly port: number;
	readonly dir: string;
	readonly users: Record<string, string>;
	readonly process: RigProcess;
	readonly #dns: LoopbackDns;
	readonly #dnsMark: number;

	private constructor(address: string, port: number, dir: string, users: Record<string, string>, process: RigProcess, dns: LoopbackDns, dnsMark: number) {
		this.address = address;
		this.port = port;
		this.dir = dir;
		this.users = users;
		this.process = process;
		this.#dns = dns;
		this.#dnsMark = dnsMark;
	}

	static async start(options: KamailioOptions): Promise<Kamailio> {
		const address = options.address ?? "127.0.0.1";
		const port = options.port ?? (await freePort({ address }));
		const users = options.users ?? DEFAULT_USERS;
		const dir = options.dir;
		const dbtext = join(dir, "dbtext");
		mkdirSync(dbtext, { recursive: true });
		// topos stores its records in db_text; the shipped table definitions refuse NULL strings,
		// which makes topos silently do nothing. Every string column may be NULL here.
		for (const table of ["topos_d", "topos_t"]) {
			writeFileSync(join(dbtext, table), readFileSync(join(DBTEXT, table), "utf8").replace(/\(string\)/g, "(string,null)"));
		}
		writeFileSync(join(dbtext, "version"), "table_name(string) table_version(int) \ntopos_d:2\ntopos_t:2\n");
		const ringGroup = options.ringGroup ?? "**610";
		const members = options.ringMembers ?? ["611", "612"];
		const fill: Record<string, string> = {
			ADDRESS: address,
			PORT: String(port),
			DIR: dir,
			MAX_EXPIRES: String(options.maxExpires ?? 3600),
			MIN_EXPIRES: String(options.minExpires ?? 1),
			MIN_EXPIRES_MODE: options.refuseShortExpiry ? "1" : "0",
			RING_GROUP: ringGroup,
			USERS: Object.entries(users).map(([user, password]) => `\t$sht(users=>${user}) = "${password.replace(/["\\]/g, "")}";`).join("\n"),
			INVITE_CHALLENGE: [...CHALLENGE[options.inviteChallenge ?? 407], "\texit;", "}"].map((line) => `\t\t${line}`).join("\n"),
			// Addressed to 127.0.0.1: lookup_branches leaves a member without a binding as it is,
			// and a domain there (fritz.box) was looked up in DNS.
			RING_MEMBERS: members.map((m) => `sip:${m.includes("@") ? m : `${m}@127.0.0.1`}`).map((uri, i) => (i === 0 ? `\t\t$ru = "${uri}";` : `\t\tappend_branch("${uri}");`)).join("\n"),
		};
		const template = readFileSync(sourcePath("test/rig/kamailio.cfg"), "utf8");
		const config = template.replace(/@([A-Z_]+)@/g, (whole, name: string) => fill[name] ?? whole);
		const cfg = join(dir, "kamailio.cfg");
		writeFileSync(cfg, config);
		const dns = await loopbackDns();
		const dnsMark = dns.mark();
		const command = dns.wrap(KAMAILIO, ["-DD", "-E", "-f", cfg, "-Y", dir, "-P", join(dir, "kamailio.pid"), ...(options.topologyHiding === false ? [] : ["-A", "WITH_TOPOS"])]);
		const process = new RigProcess({ name: "kamailio", ...command, cwd: dir, logFile: join(dir, "kamailio.log") });
		const kamailio = new Kamailio(address, port, dir, users, process, dns, dnsMark);
		try {
			// The log says which address it listens on once the sockets are bound and children forked.
			await process.waitFor(/using database at|INFO: <core> \[core\/udp_server\.c:\d+\]: probe_max_receive_buffer\(\): SO_RCVBUF is finally/, { timeoutMs: 10000, what: "kamailio listening" });
			await new Promise((r) => setTimeout(r, 300));
		} catch (error) {
			await process.stop();
			throw error;
		}
		return kamailio;
	}

	/** Every message so far, as sipdump wrote it. */
	messages(): DumpedMessage[] {
		return readSipDump(this.dir);
	}

	/** Waits until a message matching `match` is in the sipdump (polling), and returns it. */
	async waitForMessage(match: (m: DumpedMessage) => boolean, options: { timeoutMs?: number; what?: string; after?: number } = {}): Promise<DumpedMessage> {
		const deadline = Date.now() + (options.timeoutMs ?? 10000);
		const after = options.after ?? 0;
		for (;;) {
			const found = this.messages().find((m) => m.time >= after && match(m));
			if (found) return found;
			if (!this.process.running) throw new Error(`kamailio exited before ${options.what ?? "the message"}:\n${this.process.output.slice(-2000)}`);
			if (Date.now() > deadline) throw new Error(`kamailio saw no ${options.what ?? "matching message"} within ${options.timeoutMs ?? 10000} ms`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	/**
	 * What went or would have gone off this machine so far: the destinations its config refused
	 * (LOOPBACK_GUARD_LOG lines), messages its sipdump shows it sent off 127.0.0.0/8, and DNS
	 * queries that reached the rig's resolver since it started (from it or another of the
	 * rig's processes).
	 */
	offLoopback(): string[] {
		const refused = this.process.output.split("\n").filter((line) => line.includes(LOOPBACK_GUARD_LOG)).map((line) => line.slice(line.indexOf(LOOPBACK_GUARD_LOG)).trim());
		const sent = this.messages().filter((m) => m.direction === "snd" && !isLoopbackAddress(m.dst.address)).map((m) => `kamailio sent ${m.startLine} to ${m.dst.address}:${m.dst.port}`);
		return [...refused, ...sent, ...this.#dns.since(this.#dnsMark)];
	}

	/** Stops it; then throws when anything went or was meant to go off this machine (offLoopback). */
	async stop(): Promise<void> {
		await this.process.stop();
		const off = this.offLoopback();
		if (off.length) throw new Error(`off this machine during kamailio's run:\n${off.join("\n")}`);
	}
}
