/*
 * A Wi-Fi radio for the application's specs: its station has no address until the test gives
 * one (through `events`), the set-up access point is a network of its own, and the scan finds
 * nothing. Portable: the specs run inside XS too.
 */
import type { WifiNetwork, WifiRadio, WifiRadioOptions } from "../../modules/ports.js";

export class FakeRadio implements WifiRadio {
	readonly id = "A1B2";
	up = false;
	events!: WifiRadioOptions;
	/** The networks join() was asked for, in order. */
	joins: string[] = [];
	accessPoint = false;
	join(ssid: string): void {
		this.joins.push(ssid);
	}
	openAccessPoint(): void {
		this.accessPoint = true;
		this.up = true;
	}
	closeAccessPoint(): void {
		this.accessPoint = false;
	}
	accessPointAddress(): string {
		return this.accessPoint ? "192.168.4.1" : "";
	}
	scan(_max: number, done: (networks: WifiNetwork[]) => void): void {
		done([]);
	}
}
