/*
 * Firmware updates on the ESP32: the image goes into the inactive OTA partition through the
 * SDK's `ota` module; esp32/firmware-native.c adds what that module leaves out (app rollback,
 * the slot's size, the restart). Plain JavaScript with its declaration beside it, because the
 * SDK ships no typings for `ota`; the lin build maps this module to lin/firmware.ts.
 */
import OTA from "ota";

function pending() @ "xs_klingel_ota_pending";
function confirmRunning() @ "xs_klingel_ota_confirm";
function slotSize() @ "xs_klingel_ota_slot_size";
function restartChip() @ "xs_klingel_restart";

export class DeviceFirmware {
	get maxSize() {
		return slotSize();
	}
	get pendingConfirm() {
		return pending();
	}
	open(size) {
		if (size > slotSize()) throw new Error("the image is larger than the firmware slot");
		const ota = new OTA;
		return {
			write(piece) {
				ota.write(piece);
			},
			complete() {
				ota.complete();
			},
			cancel() {
				ota.cancel();
			},
		};
	}
	restart() {
		restartChip();
	}
	confirm() {
		if (pending()) confirmRunning();
	}
}
