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
	sched/*.c drivers/*.c drivers/virtio/*.c fs/*.c fs/*/*.c net/*.c \
	net/lwip/*.c linux/*.c lib/*.c api/*.c)
KOBJ := $(patsubst %,$(BUILD)/k/%.o,$(KSRC))

# lwIP (DESIGN.md, "Network"): Debian's source package, fetched and checked
# by deps/lwip.sh into build/deps, never committed. Its core is compiled
# with the kernel's flags; the port (options, arch headers, the lock) is
# net/lwip/. Not its socket, netconn or tcpip-thread layers (NO_SYS).
LWIPDIR := $(BUILD)/deps/lwip-2.1.3
LWIPSTAMP := $(LWIPDIR)/.skiff-verified
LWIPSRC := $(addprefix core/,altcp.c altcp_alloc.c altcp_tcp.c def.c dns.c \
	inet_chksum.c init.c ip.c mem.c memp.c netif.c pbuf.c raw.c stats.c \
	sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
	$(addprefix core/ipv4/,autoip.c dhcp.c etharp.c icmp.c igmp.c ip4.c \
	ip4_addr.c ip4_frag.c) \
	$(addprefix core/ipv6/,dhcp6.c ethip6.c icmp6.c inet6.c ip6.c \
	ip6_addr.c ip6_frag.c mld6.c nd6.c) \
	netif/ethernet.c
LWIPOBJ := $(patsubst %,$(BUILD)/k/lwip/%.o,$(LWIPSRC))
LWIPINC := -Inet/lwip/include -I$(LWIPDIR)/src/include
KOBJ += $(LWIPOBJ)

# The host tool shares the ELF checks and helpers of lib/ with the kernel.
HSRC := $(wildcard tools/skiff/*.c) lib/cpio.c lib/elf.c lib/printf.c lib/strconv.c
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

$(LWIPSTAMP):
	@deps/lwip.sh $(BUILD)/deps

$(LWIPDIR)/src/%.c: $(LWIPSTAMP) ;

# lwIP's files get its include paths, the small libc headers of its port,
# and quiet warnings of its own code (never ours).
$(BUILD)/k/lwip/%.c.o: $(LWIPDIR)/src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	@$(CC) $(KCFLAGS) $(LWIPINC) -Inet/lwip/libc -c $< -o $@

# Everything in net/ includes lwIP's headers: fetch it first.
NETOBJ := $(filter $(BUILD)/k/net/%,$(KOBJ))
$(NETOBJ): KCFLAGS += $(LWIPINC)
$(NETOBJ): | $(LWIPSTAMP)

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

$(BUILD)/webserver: examples/webserver.c
	$(CC) -static -O2 -Wall -Werror -o $@ $<

deps:
	@scripts/deps.sh

run: deps all $(BUILD)/hello $(BUILD)/webserver
	@scripts/run-example.sh

test: deps all
	@tests/run.sh

bench: deps all
	@QUICK=$(QUICK) bench/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -path $(BUILD)/deps -prune -o -name '*.d' -type f -print 2>/dev/null)
