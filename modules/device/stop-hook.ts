/*
 * Running the firmware's stop (the un-REGISTER, the relay off) when the platform stops it. On
 * the ESP32 nothing stops the application but a reset or the power going, and neither runs any
 * code first: there is no hook, so nothing is registered and the registration runs out at the
 * PBX (its expiry, 120 s asked for). The lin build has one (lin/stop-hook.ts).
 */

/** Registers `stop` to run when the platform stops the application; false when it has no such hook. */
export function onPlatformStop(_stop: () => void): boolean {
	return false;
}
