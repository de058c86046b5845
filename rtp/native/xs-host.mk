# The XS test host: XS 13.3 from @agoric/xsnap (sources compiled once into build/native/xs with
# -w), the binding and the host with -Werror, linked twice: normal and GC-stress (mxStress:
# a compacting collection before every allocation, switched on by the test module).

XS_OUT := $(OUT)/xs
XS_SOURCES := $(wildcard $(XS)/sources/*.c)
XS_OBJECTS := $(patsubst $(XS)/sources/%.c,$(XS_OUT)/%.o,$(XS_SOURCES))
XS_FLAGS := -DINCLUDE_XSPLATFORM '-DXSPLATFORM="klingel_xs_platform.h"' -DmxParse=1 -DmxRun=1 -DmxMetering=1 -DmxBoundsCheck=1 \
	-I$(XS)/includes -I$(XS)/platforms -I$(XS)/sources -Ixs-host
XS_CC := $(CC) -O2 -fno-common $(XS_FLAGS)

$(XS_OUT):
	mkdir -p $@
$(XS_OUT)/%.o: $(XS)/sources/%.c xs-host/klingel_xs_platform.h | $(XS_OUT)
	$(XS_CC) -w -c $< -o $@
$(XS_OUT)/xsMemory-stress.o: $(XS)/sources/xsMemory.c xs-host/klingel_xs_platform.h | $(XS_OUT)
	$(XS_CC) -w -DmxStress=1 -c $< -o $@

XS_COMMON := $(filter-out $(XS_OUT)/xsMemory.o,$(XS_OBJECTS))
# host.c differs between the two builds; the test functions and the core are compiled once for both.
HOST_OBJECTS := $(patsubst %.c,$(XS_OUT)/host-%.o,$(notdir test/test-xs.c $(CORE_SRC)))
HOST_DEPS := xs-host/host.c xs-host/klingel_xs_platform.h $(HOST_OBJECTS) $(XS_OUT)/audio-xs.o
# The binding exactly as strict as the core: -std=c99 -Wall -Wextra -Werror. Its native blocks
# (the echo canceller's state) through test/test-xs.c's counting allocator.
$(XS_OUT)/audio-xs.o: audio-xs.c $(CORE_H) xs-host/klingel_xs_platform.h | $(XS_OUT)
	$(CC) $(STRICT) $(XS_FLAGS) -DKA_STATE_ALLOC=test_state_alloc -DKA_STATE_FREE=test_state_free -I. -c audio-xs.c -o $@
# Our files: -Werror; XS's headers need a few warnings off. -D_DEFAULT_SOURCE: realpath.
HOST_CC := $(CC) -std=gnu99 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -D_DEFAULT_SOURCE $(XS_FLAGS) -I.
$(XS_OUT)/host-%.o: %.c $(CORE_H) xs-host/klingel_xs_platform.h | $(XS_OUT)
	$(HOST_CC) -c $< -o $@
$(XS_OUT)/host-test-xs.o: test/test-xs.c test/aec_state.h test/reference_g711.h $(CORE_H) xs-host/klingel_xs_platform.h | $(XS_OUT)
	$(HOST_CC) -c $< -o $@

$(OUT)/xs-host: $(HOST_DEPS) $(XS_COMMON) $(XS_OUT)/xsMemory.o
	$(HOST_CC) xs-host/host.c $(HOST_OBJECTS) $(XS_OUT)/audio-xs.o $(XS_COMMON) $(XS_OUT)/xsMemory.o -lm -lpthread -o $@
$(OUT)/xs-host-stress: $(HOST_DEPS) $(XS_COMMON) $(XS_OUT)/xsMemory-stress.o
	$(HOST_CC) -DKLINGEL_GC_STRESS=1 xs-host/host.c $(HOST_OBJECTS) $(XS_OUT)/audio-xs.o $(XS_COMMON) $(XS_OUT)/xsMemory-stress.o -lm -lpthread -o $@

xs-host: $(OUT)/xs-host $(OUT)/xs-host-stress
.PHONY: xs-host

XS_TEST_BINARIES := $(OUT)/xs-host $(OUT)/xs-host-stress
XS_TEST_COMMANDS := "$(OUT)/xs-host $(CURDIR)/test/audio-xs.test.js" "$(OUT)/xs-host-stress $(CURDIR)/test/audio-xs.test.js"
