/*
 * What registration and calls share: the account, the PBX address, identifiers, digest
 * credentials and the formatting of Via, From, Contact and the common header lines.
 */

import type { Clock, Logger } from "../modules/ports.js";
import type { TransactionLayer } from "./transaction-layer.js";
import type { Incoming } from "./transport.js";
import type { UaConfig } from "./config.js";
import type { CallMediaSink } from "./call-media.js";
import { IdSource } from "./ids.js";
import { DigestAuthenticator, parseChallenge, unanswerable } from "./digest.js";

// Header lines are built with one String#concat each: on XS a template literal allocates every
// intermediate string, and a literal inside a function is a new string each time it runs.
const SIP_COLON = "sip:", AT = "@", COLON = ":", LT = "<", GT = ">", EMPTY = "";
const VIA_UDP = "Via: SIP/2.0/UDP ", BRANCH = ";branch=", RPORT = ";rport", FROM = "From: ", TAG = ";tag=";
const CONTACT_SIP = "Contact: <sip:", MAX_FORWARDS = "Max-Forwards: 70", USER_AGENT = "User-Agent: ";
/** Why a 401/407 cannot be answered: it has no Digest challenge, or none the door supports. */
const NO_CHALLENGE = "no Digest challenge", UNANSWERABLE = "no challenge the door can answer (", CLOSE = ")";

/** The local address and port with what is made from them: the Via up to its branch, the Contact line. */
export interface LocalLines {
	readonly address: string;
	readonly port: number;
	readonly user: string;
	/** "Via: SIP/2.0/UDP address:port;branch=" */
	readonly viaPrefix: string;
	/** "Contact: <sip:user@address:port>" */
	readonly contact: string;
}

/** Our identity and the lines made from it, for the display name, user and server they were made from. */
export interface IdentityLines {
	readonly displayName: string;
	readonly user: string;
	readonly server: string;
	/** The address-of-record, e.g. sip:620@fritz.box. */
	readonly aor: string;
	/** The quoted display name and <aor>. */
	readonly text: string;
	/** "From: " + text + ";tag=" */
	readonly fromPrefix: string;
}

export interface Endpoint {
	address: string;
	port: number;
}

export class UaContext {
	config: UaConfig;
	readonly layer: TransactionLayer;
	readonly ids: IdSource;
	readonly auth: DigestAuthenticator;
	readonly log: Logger;
	/** Where calls hand their agreed media (absent: calls have no media). */
	readonly media: CallMediaSink | undefined;
	/** The PBX's resolved address, once known. */
	pbx: Endpoint | undefined;
	#localAddress: () => string;
	#localPort: () => number;
	/** identity() for the display name, user and server it was made from. */
	#identity: IdentityLines = { displayName: EMPTY, user: EMPTY, server: EMPTY, aor: EMPTY, text: EMPTY, fromPrefix: EMPTY };
	/** local() for the address, port and user it was made from. */
	#local: LocalLines = { address: EMPTY, port: 0, user: EMPTY, viaPrefix: EMPTY, contact: EMPTY };
	/** common() for the User-Agent it was made from (read-only: callers copy or index it). */
	#common = { userAgent: "", lines: [] as readonly string[] };

	constructor(options: { config: UaConfig; layer: TransactionLayer; ids: IdSource; auth: DigestAuthenticator; log: Logger; localAddress: () => string; localPort: () => number; media?: CallMediaSink }) {
		this.config = options.config;
		this.media = options.media;
		this.layer = options.layer;
		this.ids = options.ids;
		this.auth = options.auth;
		this.log = options.log;
		this.#localAddress = options.localAddress;
		this.#localPort = options.localPort;
	}

	get clock(): Clock {
		return this.layer.clock;
	}

	get localAddress(): string {
		return this.#localAddress();
	}

	get localPort(): number {
		return this.#localPort();
	}

	/** The address-of-record, e.g. sip:620@fritz.box. */
	get aor(): string {
		return SIP_COLON.concat(this.config.user, AT, this.config.server);
	}

	/** The registrar's URI: the bare domain, as FRITZ!Box wants it. */
	get registrarUri(): string {
		return SIP_COLON.concat(this.config.server);
	}

	uriFor(user: string): string {
		return SIP_COLON.concat(user, AT, this.config.server);
	}

	/**
	 * The Via prefix and Contact line for the local address and port now (made again when one
	 * changes): for a message that carries both. via() and contact() alone are cheaper made afresh.
	 */
	local(): LocalLines {
		const cached = this.#local, address = this.#localAddress(), port = this.#localPort(), user = this.config.user;
		if (cached.address === address && cached.port === port && cached.user === user && cached.viaPrefix !== EMPTY) return cached;
		const hostPort = address.concat(COLON, String(port));
		return this.#local = { address, port, user, viaPrefix: VIA_UDP.concat(hostPort, BRANCH), contact: CONTACT_SIP.concat(user, AT, hostPort, GT) };
	}

	via(branch: string): string {
		return VIA_UDP.concat(this.localAddress, COLON, String(this.localPort), BRANCH, branch, RPORT);
	}

	/** Our name-addr: the quoted display name and the address-of-record. */
	identity(): string {
		return this.identityLines().text;
	}

	/** identity(), the address-of-record and the From line up to its tag, made again when the account changes. */
	identityLines(): IdentityLines {
		const cached = this.#identity, { displayName, user, server } = this.config;
		if (cached.text !== EMPTY && cached.displayName === displayName && cached.user === user && cached.server === server) return cached;
		const aor = this.aor, text = quoteDisplayName(displayName).concat(LT, aor, GT);
		return this.#identity = { displayName, user, server, aor, text, fromPrefix: FROM.concat(text, TAG) };
	}

	from(tag: string): string {
		return this.identityLines().fromPrefix.concat(tag);
	}

	/** identity() under another display name (a bell button's caller name). */
	identityAs(displayName: string): string {
		return displayName === this.config.displayName ? this.identity() : quoteDisplayName(displayName).concat(LT, this.aor, GT);
	}

	/** from() under another display name. */
	fromAs(displayName: string, tag: string): string {
		return displayName === this.config.displayName ? this.from(tag) : FROM.concat(this.identityAs(displayName), TAG, tag);
	}

	contact(): string {
		return CONTACT_SIP.concat(this.config.user, AT, this.localAddress, COLON, String(this.localPort), GT);
	}

	/** Header lines every request carries after its own. */
	common(): readonly string[] {
		const cached = this.#common, userAgent = this.config.userAgent;
		if (cached.lines.length === 0 || cached.userAgent !== userAgent) this.#common = { userAgent, lines: [MAX_FORWARDS, USER_AGENT.concat(userAgent)] };
		return this.#common.lines;
	}

	/**
	 * The Authorization or Proxy-Authorization line answering a 401/407 to a request with `body`,
	 * or why there is none ("no …", to follow "answered 401 Unauthorized with"). Of several
	 * challenges the topmost the door can answer is taken (RFC 8760 §2.4): the server lists them
	 * in the order it prefers (§2.3), and ranking them by strength here would not stop a
	 * downgrade, as whoever could reorder them could as well drop the stronger ones.
	 */
	authorization(response: Incoming, method: string, requestUri: string, body = EMPTY): { line: string; stale: boolean } | { error: string } {
		const proxy = response.message.status === 407;
		let error = NO_CHALLENGE;
		for (const value of response.message.headerLines(proxy ? "proxy-authenticate" : "www-authenticate")) {
			const challenge = parseChallenge(value, proxy);
			if (!challenge) continue;
			const problem = unanswerable(challenge);
			if (problem) {
				if (error === NO_CHALLENGE) error = UNANSWERABLE.concat(problem, CLOSE);
				continue;
			}
			const uri = this.config.digestUri === "registrar" ? this.registrarUri : requestUri;
			const credentials = this.auth.authorize(challenge, { username: this.config.user, password: this.config.password, method, uri, body });
			return { line: `${DigestAuthenticator.header(challenge)}: ${credentials}`, stale: challenge.stale };
		}
		return { error };
	}
}

/** A display name as a quoted string followed by a space, or "" when empty (RFC 3261 §25.1). */
export function quoteDisplayName(name: string): string {
	// replaceAll with strings: a module-level RegExp with the g flag would keep lastIndex as state.
	const clean = name.replaceAll("\r", " ").replaceAll("\n", " ").trim();
	return clean ? `"${clean.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}" ` : "";
}
