/*
 * The user agent's status and last error in plain words for the page: what went wrong and what
 * to check, for the errors a FRITZ!Box set-up runs into.
 */

import { isTemporaryRefusal } from "../sip/registration.js";

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
	// A login the doorbell cannot make (an algorithm or qop it lacks) is no wrong password.
	if ((m = / with no (?:challenge the door can answer \((.+)\)|Digest challenge)$/.exec(error))) return `the PBX asks for a login the doorbell does not support${m[1] ? `: ${m[1]}` : ""}.`;
	if ((m = /^no answer from the PBX at (\S+)/.exec(error))) return `the PBX at ${m[1]} does not answer. Is the PBX address right, and is the doorbell on the same network?`;
	if ((m = /^cannot resolve the PBX name (\S+?):/.exec(error))) return `the PBX name ${m[1]} is not known on this network. Enter the PBX's address (e.g. 192.168.178.1).`;
	if ((m = /^the registrar answered (\d{3})/.exec(error))) {
		const code = Number(m[1]);
		if (code === 403) return `the PBX refused the registration of ${user} (403 Forbidden). Is the IP phone enabled in the FRITZ!Box, and is the user name right?`;
		if (code === 404) return `the PBX does not know the user ${user} (404). Check the user name.`;
		const answer = error.slice("the registrar answered ".length);
		if (code === 503) return "the PBX is busy or starting up (503); the doorbell keeps trying.";
		if (isTemporaryRefusal(code)) return `the PBX cannot take the registration now (${answer}); the doorbell keeps trying.`;
		if (code >= 300 && code < 400) return `the PBX sends the registration elsewhere (${answer}), which the doorbell does not follow. Is the PBX address right?`;
		return `the PBX refused the registration (${answer}).`;
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

