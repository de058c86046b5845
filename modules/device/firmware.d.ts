import type { FirmwareSlot, FirmwareUpdater } from "../ports.js";

/** Firmware updates through the ESP32's OTA partitions, with app rollback. */
export class DeviceFirmware implements FirmwareUpdater {
	readonly maxSize: number;
	readonly pendingConfirm: boolean;
	open(size: number): FirmwareSlot;
	restart(): void;
	confirm(): void;
}
