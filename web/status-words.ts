/*
 * The user agent's status and last error in plain words for the page: what went wrong and what
 * to check, for the errors a FRITZ!Box set-up runs into.
 */

export type Tone = "ok" | "warn" | "bad";

export interface Words {
	tone: Tone;
	text: string;
}

function statusText(status: Record<string, unknown>, key: string): string {
	const value = status[key];
	return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

/** The registration line: registered, trying, or failing and why. */
export function registrationWords(status: Record<string, unknown>): Words {
	const user = statusText(status, "sip_user");
	const server = statusText(status, "sip_server") || "the PBX";
	if (!user) return { tone: "warn", text: "No SIP account yet: enter the user name and password of the IP phone set up for the doorbell." };
	if (status.registered === true) return { tone: "ok", text: `Registered with ${server} as ${user}.` };
	const state = statusText(status, "registration");
	const error = statusText(status, "last_error");
	if (error && state !== "registering") return { tone: "bad", text: `Not registered: ${errorWords(error, status)}` };
	return { tone: "warn", text: `Registering with ${server} as ${user}…` };
}

/** Whether an error is about registering (stale once the doorbell is registered again). */
export function isRegistrationError(error: string): boolean {
	return /^(wrong user name or password|the registrar answered|cannot resolve the PBX name)/.test(error);
}

/** A last_error from the user agent in plain words ("" when there is none). */
export function errorWords(error: string, status: Record<string, unknown> = {}): string {
	if (!error) return "";
	const user = statusText(status, "sip_user") || "this user";
	let m: RegExpExecArray | null;
	if (/wrong user name or password/i.test(error)) return `wrong password (or user name): the PBX refused the login of ${user}. Check both against the IP phone in the FRITZ!Box.`;
	if ((m = /^no answer from the PBX at (\S+)/.exec(error))) return `the PBX at ${m[1]} does not answer. Is the PBX address right, and is the doorbell on the same network?`;
	if ((m = /^cannot resolve the PBX name (\S+?):/.exec(error))) return `the PBX name ${m[1]} is not known on this network. Enter the PBX's address (e.g. 192.168.178.1).`;
	if ((m = /^the registrar answered (\d{3})/.exec(error))) {
		const code = Number(m[1]);
		if (code === 403) return `the PBX refused the registration of ${user} (403 Forbidden). Is the IP phone enabled in the FRITZ!Box, and is the user name right?`;
		if (code === 404) return `the PBX does not know the user ${user} (404). Check the user name.`;
		if (code === 503) return "the PBX is busy or starting up (503); the doorbell keeps trying.";
		return `the PBX refused the registration (${error.slice("the registrar answered ".length)}).`;
	}
	if ((m = /^the PBX refused the call to (.+?): (\d{3})/.exec(error))) {
		const target = m[1];
		const code = Number(m[2]);
		if (code === 403) return `the PBX refused the call to ${target}: is this IP phone allowed to ring internal numbers?`;
		if (code === 404 || code === 484) return `the number ${target} does not exist at the PBX. Check the number to ring (e.g. **610 or **9).`;
		if (code === 480) return `nobody can take the call to ${target} right now (no handset registered for it?).`;
		if (code === 486 || code === 600) return `${target} was busy.`;
		if (code === 603) return `the call to ${target} was declined.`;
		if (code === 401 || code === 407) return `the PBX wanted a login for the call to ${target} that it did not accept: check the password.`;
		return `the PBX refused the call to ${target} (${error.slice(error.lastIndexOf(": ") + 2)}).`;
	}
	return error;
}

/** A call's media figures (the `media.session` of /sipDebug) as far as the hint reads them. */
interface MediaFigures {
	running?: boolean;
	direction?: string;
	remote?: string;
	packets_sent?: number;
	packets_received?: number;
	audio_received?: number;
	dropped_source?: number;
	frames_played?: number;
	frames_lost?: number;
	frames_late?: number;
	jitter_ms?: number;
	mic_short_frames?: number;
	last_drop?: string;
}

/** Frames (20 ms) of sending after which silence from the handset is a fault, not a slow start. */
const QUIET_FRAMES = 100;

/**
 * What the media figures of a call say in plain words, for the common faults of a door call
 * ("" when nothing stands out). Reads counters only: it needs no timer of its own.
 */
export function mediaHint(media: MediaFigures | null | undefined): string {
	if (!media || !media.running) return "";
	const n = (v: number | undefined) => v ?? 0;
	const received = n(media.packets_received);
	const sent = n(media.packets_sent);
	const direction = media.direction ?? "sendrecv";
	if (direction === "inactive" || direction === "sendonly") return "The handset holds the call: no audio is expected from it now.";
	if (sent >= QUIET_FRAMES && n(media.audio_received) === 0) {
		if (n(media.dropped_source) > 0) return `RTP arrives, but not from ${media.remote}, the address the handset announced: is there NAT or a second network between them? (${media.last_drop})`;
		if (received === 0) return "No RTP from the handset: is the door's RTP port reachable from the PBX (firewall, another subnet)?";
	}
	const expected = n(media.frames_played) + n(media.frames_lost);
	if (expected >= QUIET_FRAMES && n(media.frames_lost) * 20 > expected) return `${Math.round((100 * n(media.frames_lost)) / expected)} % of the handset's audio is lost on the way: check the door's Wi-Fi signal.`;
	if (n(media.jitter_ms) > 40) return `The network delays the handset's packets unevenly (jitter ${media.jitter_ms} ms): check the door's Wi-Fi signal.`;
	if (n(media.frames_late) * 20 > expected && expected >= QUIET_FRAMES) return "Many of the handset's packets arrive too late to be played: the Wi-Fi is slow or busy.";
	if (n(media.mic_short_frames) > 0 && sent >= QUIET_FRAMES) return "The microphone delivers less audio than the call sends: check the microphone.";
	return "";
}
