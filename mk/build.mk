# mk/build.mk - the programs, the XDP object and the libraries they link.
#
# Each part of the tree compiles with only the include paths it needs, so a
# file of one program that includes another program's private header fails to
# build:
#   include/     headers shared by BPF, the guest and both programs
#   lib/         libbifrost.a, code both programs use      -Iinclude -Ilib
#   loader/      bifrostctl (libbifrostctl.a + main)        + -Iloader, skeleton
#   host-afxdp/  bifrost-host (libbifrost-host.a + main)    + -Ihost-afxdp
#   bpf/         the XDP program                            -Iinclude

CC         ?= gcc
CLANG      ?= clang
BPFTOOL    ?= bpftool
ARCH_INC   := /usr/include/$(shell uname -m)-linux-gnu

CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
BPF_CFLAGS := -O2 -g -target bpf -I$(ARCH_INC) -Iinclude -Wall -Werror
LDLIBS     := -lxdp -lbpf -lelf -lz -lpthread

# Each compile writes the headers it read to a hidden .NAME.d next to its
# output (included by the top Makefile), so touching a header rebuilds
# exactly its users.
DEPFLAGS    = -MMD -MP -MT $@ -MF $(@D)/.$(@F).d

BPF_OBJ    := $(BUILD)/bifrost_xdp.bpf.o
SKEL       := $(BUILD)/bifrost_xdp.skel.h

# The include path of each part, by its top folder (src_inc SRC).
INC_lib        := -Iinclude -Ilib
INC_loader     := $(INC_lib) -Iloader -I$(BUILD)
INC_host-afxdp := $(INC_lib) -Ihost-afxdp
src_inc = $(INC_$(firstword $(subst /, ,$1)))

# Sources with a main() are programs; the rest of each folder is its library.
CTL_MAIN   := loader/bifrostctl.c
HOST_MAIN  := host-afxdp/bifrost_host.c
LIB_SRCS   := $(wildcard lib/*.c)
CTL_SRCS   := $(filter-out $(CTL_MAIN),$(wildcard loader/*.c))
# The hostile host (adversary.c) is test code: only bifrost-host-adversary
# (mk/check.mk) has it; the installed bifrost-host is built without.
ADV_SRC    := host-afxdp/adversary.c
HOST_SRCS  := $(filter-out $(HOST_MAIN) $(ADV_SRC),$(shell find host-afxdp -name '*.c'))
ALL_SRCS   := $(LIB_SRCS) $(CTL_SRCS) $(HOST_SRCS)

# lib_objs DIR,SRCS: the objects of SRCS compiled under DIR.
lib_objs = $(patsubst %.c,$1/obj/%.o,$2)

LIB_A      := $(BUILD)/libbifrost.a
CTL_A      := $(BUILD)/libbifrostctl.a
HOST_A     := $(BUILD)/libbifrost-host.a

PROGS      := $(BUILD)/bifrostctl $(BUILD)/bifrostctl-static $(BUILD)/bifrost-host
.PHONY: all
all: $(BPF_OBJ) $(SKEL) $(PROGS)

$(BUILD)/%.bpf.o: bpf/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst .,_,$*) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(call src_inc,$<) $(DEPFLAGS) -c $< -o $@

# Libraries as archives: each binary links only the objects it uses (the
# guest image copies the tools with their shared libraries).
$(LIB_A): $(call lib_objs,$(BUILD),$(LIB_SRCS))
	rm -f $@ && ar rcs $@ $^
$(CTL_A): $(call lib_objs,$(BUILD),$(CTL_SRCS))
	rm -f $@ && ar rcs $@ $^
$(HOST_A): $(call lib_objs,$(BUILD),$(HOST_SRCS))
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bifrostctl: $(BUILD)/obj/$(CTL_MAIN:.c=.o) $(CTL_A) $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Self-contained copy for the 6.1 guest (loads the XDP program there).
$(BUILD)/bifrostctl-static: $(BUILD)/obj/$(CTL_MAIN:.c=.o) $(CTL_A) $(LIB_A)
	$(CC) $(CFLAGS) -static -o $@ $^ -lbpf -lelf -lz

$(BUILD)/bifrost-host: $(BUILD)/obj/$(HOST_MAIN:.c=.o) $(HOST_A) $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
