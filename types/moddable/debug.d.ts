/* Moddable `debug` (modules/base/debug): Debug.gc() runs a garbage collection now. */
declare module "debug" {
	export default class Debug {
		/** Without an argument: collect garbage now; with one: turn collection on or off. */
		static gc(enable?: boolean): void;
	}
}
