/* Moddable `sntp` (modules/network/sntp): asks an NTP server for the time once. */
declare module "sntp" {
	export default class SNTP {
		/** `callback(SNTP.time, seconds since 1970)` on success; SNTP.retry, SNTP.error (-1) otherwise. */
		constructor(options: { host: string }, callback: (message: number, value?: number | string) => void);
		close(): void;
		static readonly time: 1;
		static readonly retry: 2;
		static readonly error: -1;
	}
}
