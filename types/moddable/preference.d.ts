/* Moddable `preference` (modules/files/preference): NVS on ESP32, a JSON file on Linux. */
declare module "preference" {
	export type PreferenceValue = string | number | boolean | ArrayBuffer;

	const Preference: {
		/** Stores a value; on ESP32 domain and key are at most 15 characters and numbers are 32-bit integers. */
		set(domain: string, key: string, value: PreferenceValue): void;
		/** The stored value, or undefined. */
		get(domain: string, key: string): PreferenceValue | undefined;
		/** Removes a value; no error when it does not exist. */
		delete(domain: string, key: string): void;
		keys(domain: string): string[];
	};
	export default Preference;
}
