/* The SDK's Linux simulator has no OTA partitions: the update page says so and takes no image. */

import type { FirmwareSlot, FirmwareUpdater } from "../../ports.js";

export class DeviceFirmware implements FirmwareUpdater {
	readonly maxSize = 0;
	readonly pendingConfirm = false;
	open(): FirmwareSlot {
		throw new Error("the SDK's simulator has no firmware slot");
	}
	restart(): void {}
	confirm(): void {}
}
