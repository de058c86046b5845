/** What the user agent needs to know about its account and behaviour. */
export interface UaConfig {
	user: string;
	password: string;
	displayName: string;
	/** The PBX host name or address; also the domain of every SIP URI (e.g. "fritz.box"). */
	server: string;
	/** The PBX's SIP port. */
	serverPort: number;
	/** Whom a button press rings, e.g. "**610". */
	target: string;
	/** Seconds before an unanswered ring is cancelled. */
	ringTimeout: number;
	/** Seconds after which a call is ended with BYE. */
	talkLimit: number;
	/** Expires asked for in REGISTER (s). */
	registerExpires: number;
	/** Longest time between refreshes (s); shorter when the registrar grants less. */
	refreshInterval: number;
	/** The digest URI: the Request-URI (RFC 2617) or the registrar URI some FRITZ!OS versions want. */
	digestUri: "request" | "registrar";
	/** Take INVITEs from any address, not only from the PBX. */
	allowAnySource: boolean;
	/** Offer and prefer G.722 (wideband, 16 kHz audio) over G.711. */
	hdVoice: boolean;
	/** Answer a handset's call at once (intercom); off: the door's chime rings and the call gets 480. */
	autoAnswer: boolean;
	userAgent: string;
}

/** The local SIP port wanted: 5062, kept apart from the PBX's 5060. */
export const DEFAULT_LOCAL_PORT = 5062;

export const DEFAULT_UA_CONFIG: UaConfig = Object.freeze({
	user: "",
	password: "",
	displayName: "Doorbell",
	server: "fritz.box",
	serverPort: 5060,
	target: "**610",
	ringTimeout: 30,
	talkLimit: 120,
	registerExpires: 120,
	refreshInterval: 60,
	digestUri: "request",
	allowAnySource: false,
	hdVoice: true,
	autoAnswer: true,
	userAgent: "klingel/0.1",
});

/** Whether two configurations name the same account at the same PBX. */
export function sameAccount(a: UaConfig, b: UaConfig): boolean {
	return a.user === b.user && a.password === b.password && a.server === b.server && a.serverPort === b.serverPort;
}
