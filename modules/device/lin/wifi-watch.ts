/* Wi-Fi for the Moddable Linux simulator build: the host's network is used as it is. */

import type { WifiWatchOptions } from "../wifi-watch.js";

export function watchWifi(options: WifiWatchOptions): void {
	options.log.info("Wi-Fi: the simulator build uses the host's network");
}
