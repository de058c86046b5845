/* ECMA-419 Wi-Fi network interface (Moddable: modules/io/wifi, ESP32 only). */
declare module "embedded:network/interface/wifi" {
	export interface WiFiOptions {
		/** Called when `connection` or `address` changed. */
		onChanged?: (this: WiFi, property: "connection" | "address") => void;
	}

	export default class WiFi {
		constructor(options: WiFiOptions);
		connect(options: { SSID: string; password?: string }): void;
		disconnect(): void;
		close(): void;
		/** Connection state: below 200 disconnected, 400 and up connected, 500 and up with an address. */
		readonly connection: number;
		readonly address: string | undefined;
		readonly SSID: string | undefined;
	}
}
