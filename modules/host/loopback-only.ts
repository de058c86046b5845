/*
 * Under KLINGEL_LOOPBACK_ONLY=1 (the test runs set it) the TCP clients of the simulator (MQTT,
 * webhooks) connect only to 127.0.0.0/8 and look up no name but `localhost`.
 */

const ENV = "KLINGEL_LOOPBACK_ONLY";

/** Why the destination is refused under the test runs' rule, or undefined when it may be used. */
export function offLoopback(host: string): string | undefined {
	if (process.env[ENV] !== "1") return undefined;
	if (/^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(host) || host.toLowerCase() === "localhost") return undefined;
	return `refused ${host}: only 127.0.0.0/8 while ${ENV}=1`;
}
