# Skiff build. `make` builds the host tool (build/skiff) and the kernel
# (build/kernel.elf). `make run` and `make test` install missing Debian
# packages first (scripts/deps.sh), so both work on a fresh Debian 12.

BUILD := build
CC := gcc
GCCINC := $(shell $(CC) -print-file-name=include)

WARN := -Wall -Wextra -Werror -Wno-unused-parameter
KCFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -nostdinc -isystem $(GCCINC) \
	-Iinclude -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-mcmodel=kernel -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fcf-protection=none -MMD -MP
KLDFLAGS := -nostdlib -static -no-pie -Wl,-T,arch/x86_64/kernel.ld \
	-Wl,-z,max-page-size=4096 -Wl,--build-id=none -Wl,-z,noexecstack
HCFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -MMD -MP -D_GNU_SOURCE

KSRC := $(wildcard arch/x86_64/*.S arch/x86_64/*.c kernel/*.c mm/*.c \
	sched/*.c drivers/*.c drivers/virtio/*.c fs/*.c fs/*/*.c net/*.c linux/*.c lib/*.c)
KOBJ := $(patsubst %,$(BUILD)/k/%.o,$(KSRC))

# The host tool shares the ELF checks and helpers of lib/ with the kernel.
HSRC := $(wildcard tools/skiff/*.c) lib/elf.c lib/printf.c lib/strconv.c
HOBJ := $(patsubst %,$(BUILD)/h/%.o,$(HSRC))

.PHONY: all run test unit apps bench deps clean
all: $(BUILD)/skiff $(BUILD)/kernel.elf

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(BUILD)/gen/syscalls.h: scripts/gen-syscalls.sh
	@mkdir -p $(dir $@)
	scripts/gen-syscalls.sh > $@

$(BUILD)/k/linux/table.c.o: $(BUILD)/gen/syscalls.h
$(BUILD)/k/linux/table.c.o: KCFLAGS += -I$(BUILD)/gen

# Two links: the second carries the symbol table of the first, for
# symbolized backtraces. .ksyms comes last, so no other address moves.
$(BUILD)/kernel.elf: $(KOBJ) arch/x86_64/kernel.ld scripts/gen-ksyms.sh
	@mkdir -p $(BUILD)/gen
	scripts/gen-ksyms.sh > $(BUILD)/gen/ksyms0.S
	$(CC) -c $(BUILD)/gen/ksyms0.S -o $(BUILD)/gen/ksyms0.o
	$(CC) $(KLDFLAGS) -o $@.pass1 $(KOBJ) $(BUILD)/gen/ksyms0.o -lgcc
	scripts/gen-ksyms.sh $@.pass1 > $(BUILD)/gen/ksyms.S
	$(CC) -c $(BUILD)/gen/ksyms.S -o $(BUILD)/gen/ksyms.o
	$(CC) $(KLDFLAGS) -o $@ $(KOBJ) $(BUILD)/gen/ksyms.o -lgcc
	@rm -f $@.pass1

$(BUILD)/h/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(CC) $(HCFLAGS) -c $< -o $@

$(BUILD)/skiff: $(HOBJ)
	$(CC) -o $@ $(HOBJ)

$(BUILD)/hello: examples/hello.c
	$(CC) -static -O2 -o $@ $<

deps:
	@scripts/deps.sh

run: deps all $(BUILD)/hello
	$(BUILD)/skiff run $(BUILD)/hello Skiff

test: deps all
	@tests/run.sh

bench: deps all
	@QUICK=$(QUICK) bench/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
