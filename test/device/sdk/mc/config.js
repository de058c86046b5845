/*
 * A model of the `mc/config` module that mcconfig compiles from the manifest's `config` section,
 * for the XS test host (KLINGEL_XS_EMBEDDED): an empty object that a test fills with the keys of
 * the build it plays (absent keys take modules/device/settings.ts's defaults, as on the device).
 */

export default {};
