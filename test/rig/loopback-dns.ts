/*
 * Name lookups of the rig's children stay on this machine. kamailio (and baresip, the simulator,
 * sipp) run in a mount namespace of their own in which /etc/resolv.conf names one DNS server, a
 * loopback address where this process listens on UDP port 53: a tripwire that answers every
 * query "no such name" and keeps it, so that a run which asked anything fails (Rig.stop,
 * Kamailio.stop). Without it a name in a request URI or a ring group member made kamailio ask
 * the configured DNS server (at home the FRITZ!Box, which then got the test's INVITE too).
 *
 * As root the namespace is `unshare --mount`; otherwise `unshare -rm` (a user namespace) when the
 * system allows it. Only root (or a lowered net.ipv4.ip_unprivileged_port_start) may listen on
 * port 53; without the tripwire the lookups still go nowhere (nothing answers on that address),
 * they are only not counted. When either is missing the rig fails under CI=true (nothing may be
 * skipped) and warns once otherwise.
 */

import dgram from "node:dgram";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The tripwire's first choice; another test process of the same run takes 127.0.N.153. */
export const TRIPWIRE_ADDRESS = "127.0.0.153";

const CI = process.env.CI === "true" || process.env.CI === "1";
const TYPES: Record<number, string> = { 1: "A", 12: "PTR", 28: "AAAA", 33: "SRV", 35: "NAPTR" };

export interface DnsQuery {
	/** e.g. "SRV _sip._udp.fritz.box" */
	question: string;
	at: number;
}

export class LoopbackDns {
	/** Where the children's resolver sends its queries. */
	readonly address: string;
	/** Whether this process listens there (false: nobody counts the queries). */
	readonly listening: boolean;
	/** How the children get their resolver: a mount namespace as root, inside a user namespace, or not at all. */
	readonly isolation: "mount" | "user" | "none";
	/** Every query that reached the tripwire. */
	readonly queries: DnsQuery[] = [];
	readonly #files: { resolvConf: string; nsswitch?: string };

	constructor(address: string, socket: dgram.Socket | undefined, isolation: "mount" | "user" | "none", files: { resolvConf: string; nsswitch?: string }) {
		this.address = address;
		this.listening = socket !== undefined;
		this.isolation = isolation;
		this.#files = files;
		socket?.on("message", (query, from) => {
			const question = readQuestion(query);
			this.queries.push({ question: question?.text ?? `${query.length} bytes that are no DNS query`, at: Date.now() });
			if (question) socket.send(nxdomain(query, question.end), from.port, from.address);
		});
	}

	/** The index for `since`: only queries after now count. */
	mark(): number {
		return this.queries.length;
	}

	/** The queries after `mark`, one line each, for a failure message. */
	since(mark: number): string[] {
		return this.queries.slice(mark).map((q) => `a DNS query (${q.question}) reached the rig's resolver ${this.address}:53`);
	}

	/** The command line that runs `command` with this resolver (unchanged without a namespace). */
	wrap(command: string, args: string[]): { command: string; args: string[] } {
		if (this.isolation === "none") return { command, args };
		return { command: "unshare", args: [...(this.isolation === "user" ? ["-r"] : []), "--mount", "sh", "-c", bindScript(this.#files), "sh", command, ...args] };
	}
}

/**
 * Binds resolv.conf (and nsswitch.conf: a "resolve" or "mdns" source would ask systemd-resolved
 * or the LAN past resolv.conf) over the system's, then becomes the command (same pid, so the
 * rig's signals and process group reach it).
 */
function bindScript(files: { resolvConf: string; nsswitch?: string }): string {
	const q = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;
	const binds = [`mount --bind ${q(files.resolvConf)} /etc/resolv.conf`];
	if (files.nsswitch) binds.push(`mount --bind ${q(files.nsswitch)} /etc/nsswitch.conf`);
	return `${binds.join(" && ")} && exec "$@"`;
}

/** The first question of a DNS query and where it ends, or undefined. */
function readQuestion(query: Buffer): { text: string; end: number } | undefined {
	if (query.length < 17 || (query[2] & 0x80) !== 0 || query.readUInt16BE(4) < 1) return undefined;
	const labels: string[] = [];
	let i = 12;
	while (i < query.length && query[i] !== 0) {
		const length = query[i];
		if (length > 63 || i + 1 + length >= query.length) return undefined;
		labels.push(query.subarray(i + 1, i + 1 + length).toString("latin1"));
		i += 1 + length;
	}
	if (i + 5 > query.length) return undefined;
	const type = query.readUInt16BE(i + 1);
	return { text: `${TYPES[type] ?? `type ${type}`} ${labels.join(".") || "."}`, end: i + 5 };
}

/** "No such name" to `query`, so that the asking resolver gives up at once instead of waiting. */
function nxdomain(query: Buffer, questionEnd: number): Buffer {
	const answer = Buffer.from(query.subarray(0, questionEnd));
	answer[2] = 0x80 | (query[2] & 0x79); // response, same opcode and RD
	answer[3] = 0x80 | 3; // RA, NXDOMAIN
	answer.writeUInt16BE(1, 4);
	answer.writeUInt32BE(0, 6);
	answer.writeUInt16BE(0, 10);
	return answer;
}

function bind(address: string): Promise<dgram.Socket | NodeJS.ErrnoException> {
	return new Promise((resolve) => {
		const socket = dgram.createSocket({ type: "udp4", reuseAddr: false });
		socket.once("error", (error: NodeJS.ErrnoException) => {
			socket.close();
			resolve(error);
		});
		socket.bind(53, address, () => {
			socket.removeAllListeners("error");
			socket.on("error", () => {});
			socket.unref();
			resolve(socket);
		});
	});
}

function works(args: string[], files: { resolvConf: string; nsswitch?: string }): boolean {
	const probe = spawnSync("unshare", [...args, "--mount", "sh", "-c", bindScript(files), "sh", "cat", "/etc/resolv.conf"], { encoding: "utf8", timeout: 10000 });
	return probe.status === 0 && probe.stdout === readFileSync(files.resolvConf, "utf8");
}

function warn(text: string): void {
	process.stderr.write(`[rig] ${text}\n`);
}

let shared: Promise<LoopbackDns> | undefined;

/** This process's tripwire and the children's resolver (made on first use, shared by every rig). */
export function loopbackDns(): Promise<LoopbackDns> {
	shared ??= setUp();
	return shared;
}

async function setUp(): Promise<LoopbackDns> {
	let address = TRIPWIRE_ADDRESS;
	let socket: dgram.Socket | undefined;
	let refused = "every address taken";
	for (let n = 0; n < 64 && !socket; n++) {
		const candidate = n === 0 ? TRIPWIRE_ADDRESS : `127.0.${n}.153`;
		const bound = await bind(candidate);
		if (bound instanceof dgram.Socket) {
			address = candidate;
			socket = bound;
		} else if (bound.code !== "EADDRINUSE") {
			refused = bound.code ?? bound.message;
			break;
		}
	}
	if (!socket) {
		const why = `no DNS tripwire on ${address}:53 (${refused})`;
		if (CI) throw new Error(`CI=true: ${why}, and nothing may be skipped: run as root, or with net.ipv4.ip_unprivileged_port_start=53`);
		warn(`${why}: the children's lookups go there all the same and nothing answers, but a run that asks one does not fail; as root, or with net.ipv4.ip_unprivileged_port_start=53, they are counted`);
	}
	const dir = mkdtempSync(join(tmpdir(), "klingel-resolver-"));
	process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
	const files: { resolvConf: string; nsswitch?: string } = { resolvConf: join(dir, "resolv.conf") };
	writeFileSync(files.resolvConf, `# The rig's DNS tripwire (test/rig/loopback-dns.ts)\nnameserver ${address}\noptions timeout:1 attempts:1\n`);
	if (existsSync("/etc/nsswitch.conf")) {
		files.nsswitch = join(dir, "nsswitch.conf");
		writeFileSync(files.nsswitch, readFileSync("/etc/nsswitch.conf", "utf8").replace(/^hosts:.*$/m, "hosts: files dns"));
	}
	let isolation: "mount" | "user" | "none" = "none";
	if (process.getuid?.() === 0 && works([], files)) isolation = "mount";
	else if (works(["-r"], files)) isolation = "user";
	if (isolation === "none") {
		const why = "neither `unshare --mount` (as root) nor `unshare -rm` could give the rig's children a resolver on loopback";
		if (CI) throw new Error(`CI=true: ${why}, and nothing may be skipped`);
		warn(`${why}: kamailio and the others use the system's resolver; kamailio's LOOPBACK-GUARD still refuses every destination off 127.0.0.0/8`);
	}
	return new LoopbackDns(address, socket, isolation, files);
}
