/*
 * The small part of firmware updates that the SDK's `ota` module leaves out: ESP-IDF app
 * rollback. With CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE the bootloader starts a new image in the
 * state "pending verify"; unless the image marks itself valid before the next reset, the
 * bootloader goes back to the previous one. Also the size of the slot an update goes into, and
 * the restart after an update. And the station's MAC address, the device's id (device-id.js).
 */

#include "xsmc.h"
#include "esp_mac.h"
#include "app_update/include/esp_ota_ops.h" /* the SDK adds $(IDF_PATH)/components, not the component's own include directory */
#include "esp_system.h"

void xs_klingel_ota_pending(xsMachine *the)
{
	esp_ota_img_states_t state;
	const esp_partition_t *running = esp_ota_get_running_partition();
	int pending = (NULL != running) && (ESP_OK == esp_ota_get_state_partition(running, &state)) && (ESP_OTA_IMG_PENDING_VERIFY == state);
	xsmcSetBoolean(xsResult, pending);
}

void xs_klingel_ota_confirm(xsMachine *the)
{
	if (ESP_OK != esp_ota_mark_app_valid_cancel_rollback())
		xsUnknownError("cannot mark the running image valid");
}

void xs_klingel_ota_slot_size(xsMachine *the)
{
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
	xsmcSetInteger(xsResult, (NULL != next) ? (xsIntegerValue)next->size : 0);
}

void xs_klingel_restart(xsMachine *the)
{
	esp_restart();
}

/*
 * The station's MAC address as 12 lowercase hex digits, derived from the chip's base MAC in efuse:
 * readable at any time, where the SDK's Net.get("MAC") has no interface to read before Wi-Fi is
 * initialised. ESP-IDF gives the station interface this same address.
 */
void xs_klingel_station_mac(xsMachine *the)
{
	uint8_t mac[6];
	char hex[13];
	if (ESP_OK != esp_read_mac(mac, ESP_MAC_WIFI_STA))
		xsUnknownError("cannot read the MAC address");
	c_snprintf(hex, sizeof(hex), "%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	xsmcSetString(xsResult, hex);
}
