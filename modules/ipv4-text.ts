/*
 * The rule for an IPv4 address written as text, shared by the web guard's Host check, the device's
 * local address and the test runs' loopback guard.
 */

/**
 * Whether s is four groups of 1 to 3 digits joined by dots (no range check). A scan rather than
 * a RegExp: it runs for every HTTP request and every SIP message the door writes, and on the
 * device a RegExp is compiled where it is used (a preloaded module may not make one while it
 * loads).
 */
export function isIpv4Text(s: string): boolean {
	let groups = 0, digits = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c >= 0x30 && c <= 0x39) {
			if (++digits > 3) return false;
		} else if (c === 0x2e && digits > 0 && groups < 3) {
			groups++;
			digits = 0;
		} else return false;
	}
	return groups === 3 && digits > 0;
}
