/*
 * What an application image for this door starts with (ESP-IDF's esp_image_header_t): the magic
 * byte 0xE9, and at offset 12 the id of the chip it was built for, 16 bits little-endian, 9 for
 * the ESP32-S3. The update checks both as the first bytes arrive, before they reach the slot (all
 * 14 are in the first piece but for a very short one): a file that is no image, or an image for
 * another chip, is refused in words, where the SDK's OTA would refuse the first only as "write
 * failed" and the second only after the whole upload, as "end failed".
 */

/** Bytes of the header the check reads: the magic byte to the chip id. */
export const IMAGE_HEADER_BYTES = 14;

const MAGIC = 0xe9;
const CHIP_ID_AT = 12;
const ESP32_S3 = 9;
/** ESP-IDF's esp_chip_id_t, for the message. */
const CHIPS: Readonly<Record<number, string>> = Object.freeze({ 0: "ESP32", 2: "ESP32-S2", 5: "ESP32-C3", 9: "ESP32-S3", 12: "ESP32-C2", 13: "ESP32-C6", 16: "ESP32-H2" });

/** Why the image whose first `count` bytes are in `header` cannot be this door's, or undefined (also while the chip id has not arrived). */
export function imageHeaderProblem(header: Uint8Array, count: number): string | undefined {
	if (count < 1) return undefined;
	if (header[0] !== MAGIC) return "this is no ESP32 firmware image (it does not start with 0xE9)";
	if (count < CHIP_ID_AT + 2) return undefined;
	const chip = header[CHIP_ID_AT] | (header[CHIP_ID_AT + 1] << 8);
	if (chip === ESP32_S3) return undefined;
	const name = CHIPS[chip];
	return `the image is for ${name ? `the ${name} (chip id ${chip})` : `chip id ${chip}`}, not for this door's ESP32-S3`;
}
